"""`waybill broker`: the project's own Mosquitto."""

from __future__ import annotations

import typer

from core.settings import load
from devices import broker

app = typer.Typer(help="Start, stop or configure the project's Mosquitto.", no_args_is_help=True)


@app.command()
def start() -> None:
    """Start the broker unless it already runs."""
    settings = load()
    started = broker.start(settings)
    where = f"{settings.mqtt.host}:{settings.mqtt.port}"
    typer.echo(f"broker {'started' if started else 'already running'} on {where}")


@app.command()
def stop() -> None:
    """Stop the broker."""
    typer.echo("broker stopped" if broker.stop(load()) else "broker was not running")


@app.command()
def env() -> None:
    """Print `export` lines giving the platform's processes their broker accounts."""
    for name, value in broker.service_environment(load()).items():
        typer.echo(f"export {name}={value}")
