"""`waybill devices`: the registry from the command line."""

from __future__ import annotations

import typer

from core.db import connect
from core.settings import load
from devices import service
from devices.models import DeviceKind

app = typer.Typer(help="Register and inspect devices.", no_args_is_help=True)


@app.command()
def add(
    device_id: str,
    kind: DeviceKind = typer.Option(..., help="gps_unit, phone or rfid_reader"),
    format: str = typer.Option("native", help="The device's wire format"),
    name: str = typer.Option("", help="A human name"),
    vehicle: str | None = typer.Option(None, help="The vehicle it rides in"),
) -> None:
    """Register a device."""
    with connect(load().db.url) as conn:
        device = service.register(
            conn, device_id=device_id, kind=kind, format=format, name=name, vehicle_id=vehicle
        )
    typer.echo(f"registered {device.device_id} ({device.kind}, {device.format})")
