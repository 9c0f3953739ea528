"""`waybill db`: schema migrations and telemetry partition upkeep."""

from __future__ import annotations

import typer

from core.db import connect
from core.settings import load

app = typer.Typer(help="Database schema and upkeep.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from migrations.runner import upgrade as run_upgrade

    run_upgrade(load(), revision)


@app.command()
def maintain() -> None:
    """Create upcoming telemetry partitions and drop those past retention."""
    from ingest import maintenance

    with connect(load().db.url) as conn:
        ran = maintenance.run(conn)
    typer.echo("maintenance done" if ran else "another process is running maintenance")
