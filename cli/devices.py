"""`waybill devices`: the registry from the command line."""

from __future__ import annotations

import typer

from core.db import connect
from core.settings import load
from devices import broker, service
from devices.models import DeviceKind

app = typer.Typer(help="Provision and inspect devices.", no_args_is_help=True)


@app.command()
def add(
    device_id: str,
    kind: DeviceKind = typer.Option(..., help="gps_unit, phone or rfid_reader"),
    format: str = typer.Option("native", help="The device's wire format"),
    name: str = typer.Option("", help="A human name"),
    vehicle: str | None = typer.Option(None, help="The vehicle it rides in"),
) -> None:
    """Provision a device; prints its broker credentials, which are shown only this once."""
    settings = load()
    with connect(settings.db.url) as conn:
        result = service.provision(
            conn,
            broker.control_account(settings),
            device_id=device_id,
            kind=kind,
            format=format,
            name=name,
            vehicle_id=vehicle,
        )
    typer.echo(f"provisioned {device_id} ({kind}, {format})")
    typer.echo(f"broker {settings.mqtt.host}:{settings.mqtt.port}")
    typer.echo(f"username {result.username}")
    typer.echo(f"password {result.password}")
