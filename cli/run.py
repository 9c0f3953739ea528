"""The long-running processes: API, ingest worker, simulator."""

from __future__ import annotations

import typer

from core.settings import load


def serve(
    host: str | None = typer.Option(None, help="Listen address (default: api.host)"),
    port: int | None = typer.Option(None, help="Listen port (default: api.port)"),
) -> None:
    """Run the HTTP API."""
    import uvicorn

    from api.app import create_app

    settings = load()
    uvicorn.run(
        create_app(settings),
        host=host or settings.api.host,
        port=port or settings.api.port,
        log_level="info",
    )


def ingest(
    worker_id: int = typer.Option(1, min=1, help="Stable worker number; names its MQTT session"),
    metrics_port: int | None = typer.Option(None, help="Port of /metrics (default: setting)"),
) -> None:
    """Run one ingest worker."""
    from ingest.worker import serve as serve_worker

    settings = load()
    port = metrics_port
    if port is None and settings.ingest.metrics_port:
        port = settings.ingest.metrics_port + worker_id - 1
    serve_worker(settings, str(worker_id), port)


def sim(
    vans: int = typer.Option(6, min=1, help="How many vans drive"),
    interval: float = typer.Option(2.0, min=0.05, help="Seconds between two fixes of one van"),
    duration: float = typer.Option(0.0, min=0.0, help="Stop after this many seconds; 0: never"),
) -> None:
    """Drive simulated vans around the market, publishing real MQTT."""
    from sim.market import run

    run(load(), vans=vans, interval_s=interval, duration_s=duration)
