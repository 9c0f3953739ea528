"""`waybill track`: the tracking projector (vehicle state, trips, geofences, shipment
statuses and ETAs from committed fixes). Any number may run at once."""

from __future__ import annotations

import logging

import typer

from core.db import connect, reconnecting
from core.settings import load
from tracking import projector

app = typer.Typer(help="Tracking projections.", no_args_is_help=True)


@app.command()
def run(
    once: bool = typer.Option(False, help="Project what is dirty now, then exit"),
    idle_s: float = typer.Option(0.05, help="Pause when nothing is dirty, in seconds"),
) -> None:
    """Claim dirty devices and project their new fixes, until stopped."""
    settings = load()
    params = projector.Params.from_settings(settings.tracking)  # refuses inconsistent values
    if once:
        with connect(settings.db.url, autocommit=True) as conn:
            typer.echo(f"{projector.run_once(conn, params)} device steps")
        return

    def project() -> None:
        with connect(settings.db.url, autocommit=True) as conn:
            logging.getLogger(__name__).info("tracking projector running")
            projector.run_forever(conn, params, idle_s)

    reconnecting(project, "tracking projector")
