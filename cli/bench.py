"""`waybill bench`: benchmarks against the real services. Each prints one JSON line at the end.

The code of each benchmark lives in `bench/`; this module only registers the commands.
"""

from __future__ import annotations

import typer

app = typer.Typer(help="Benchmarks; each prints one JSON line of figures at the end.")

# Commands are registered below, one block per benchmark.
