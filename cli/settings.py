"""`waybill settings`: the table of every setting, as in the README."""

from __future__ import annotations

import typer

from core.settings import markdown_table


def settings() -> None:
    """Print every setting with its environment variable, default and meaning (Markdown)."""
    typer.echo(markdown_table())
