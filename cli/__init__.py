"""The `waybill` command. Each group lives in its own module; this one only assembles them."""

from __future__ import annotations

import logging

import typer

from cli import (
    bench,
    broker,
    db,
    decode,
    devices,
    epc,
    epcis,
    plan,
    run,
    settings,
    track,
    users,
    webhooks,
)

app = typer.Typer(
    help="Waybill: logistics tracking and IoT ingestion for a wholesale market.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(broker.app, name="broker")
app.add_typer(devices.app, name="devices")
app.add_typer(bench.app, name="bench")
app.add_typer(epc.app, name="epc")
app.add_typer(epcis.app, name="epcis")
app.add_typer(webhooks.app, name="webhooks")
app.add_typer(track.app, name="track")
app.add_typer(plan.app, name="plan")
app.add_typer(users.app, name="users")
app.add_typer(users.keys_app, name="apikeys")
app.command("decode")(decode.decode)
app.command("settings")(settings.settings)
app.command("serve")(run.serve)
app.command("ingest")(run.ingest)
app.command("sim")(run.sim)


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    app()
