"""`waybill epcis`: the read-point projection from tag reads to EPCIS events."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict

import psycopg
import typer

from core.db import connect
from core.settings import load

app = typer.Typer(help="EPCIS events from RFID reads.", no_args_is_help=True)
log = logging.getLogger(__name__)


@app.command()
def project(
    once: bool = typer.Option(False, "--once", help="One pass over every reader, then exit"),
    interval: float | None = typer.Option(
        None, min=0.05, help="Seconds between passes (default: epcis.project_interval_s)"
    ),
    reader: list[str] | None = typer.Option(None, help="Only these readers (repeatable)"),
) -> None:
    """Turn committed tag reads into EPCIS events, reader by reader; loops until stopped.

    Any number of these may run at once: each reader is claimed by one of them at a time.
    """
    from tracking.readpoints.projection import run_once

    settings = load()
    pause = interval or settings.epcis.project_interval_s
    backoff = 1.0
    while True:
        try:
            with connect(settings.db.url, autocommit=True) as conn:
                while True:
                    stats = run_once(conn, settings.epcis, only=reader or None)
                    backoff = 1.0
                    if once or stats.events or stats.failed:
                        typer.echo(json.dumps(asdict(stats)))
                    if once:
                        raise typer.Exit(1 if stats.failed else 0)
                    time.sleep(pause)
        except psycopg.OperationalError as exc:
            if once:
                raise
            log.warning("database unavailable (%s); retrying in %.0f s", exc, backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
        except KeyboardInterrupt:
            return
