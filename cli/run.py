"""The long-running processes: API, ingest worker, simulator."""

from __future__ import annotations

from pathlib import Path

import typer

from core.settings import load


def serve(
    host: str | None = typer.Option(None, help="Listen address (default: api.host)"),
    port: int | None = typer.Option(None, help="Listen port (default: api.port)"),
    workers: int = typer.Option(1, min=1, help="API processes sharing the port"),
) -> None:
    """Run the HTTP API."""
    import uvicorn

    settings = load()
    uvicorn.run(
        "api.app:from_environment",
        factory=True,
        workers=workers,
        host=host or settings.api.host,
        port=port or settings.api.port,
        log_level="info",
        proxy_headers=False,  # the app trusts only api.trusted_proxies (api/app.py)
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
    vans: int = typer.Option(20, min=1, help="How many vans drive (shared among the warehouses)"),
    warehouses: int = typer.Option(3, min=1, max=3, help="How many of the market's warehouses"),
    speed: float = typer.Option(
        10.0, min=0.1, help="Simulated seconds per real second (device clocks stay real)"
    ),
    interval: float = typer.Option(2.0, min=0.05, help="Real seconds between two fixes of a van"),
    orders: int = typer.Option(0, min=0, help="Orders per warehouse and wave; 0: three per van"),
    waves: int = typer.Option(0, min=0, help="Waves per warehouse, then stop; 0: never stop"),
    duration: float = typer.Option(0.0, min=0.0, help="Stop after this many seconds; 0: never"),
    fail_rate: float = typer.Option(0.05, min=0.0, max=1.0, help="Share of failed deliveries"),
    dropout_rate: float = typer.Option(
        0.01, min=0.0, max=1.0, help="Chance per fix that a van enters a coverage gap"
    ),
    plan_seconds: float = typer.Option(5.0, min=0.1, help="Solver time limit of each plan"),
    plan_iterations: int = typer.Option(0, min=0, help="Solver iteration limit; 0: none"),
    load_wait: float = typer.Option(
        60.0, min=0.0, help="How long a driver waits for the dock door's reads"
    ),
    credentials: Path = typer.Option(
        Path(".run/sim-credentials.json"),
        help="API address, the mall's key, the dispatcher's login",
    ),
    state: Path = typer.Option(Path(".run/sim.json"), help="Where device passwords are kept"),
    prefix: str = typer.Option("", help="Prefix of every id this run creates (tests)"),
    seed: int = typer.Option(7, help="Seed of the market's layout and events"),
    summary: Path | None = typer.Option(None, help="Write the final counts here as JSON"),
    devices: int = typer.Option(0, min=0, help="Load generator: this many GPS units ..."),
    rate: float = typer.Option(1000.0, min=1.0, help="... publishing this many fixes per second"),
    processes: int = typer.Option(2, min=1, help="Load generator: publisher processes"),
) -> None:
    """Run the demo market (warehouses, readers, vans, mall, dispatcher), or with --devices
    the load generator, through the real broker and API."""
    settings = load()
    if devices:
        from sim.load import run as run_load

        run_load(settings, devices=devices, rate=rate, duration_s=duration or 60.0,
                 state=state, processes=processes)  # fmt: skip
        return
    from sim.market import Options
    from sim.market import run as run_market

    run_market(
        settings,
        Options(credentials=credentials, state=state, vans=vans, warehouses=warehouses,
                speed=speed, interval_s=interval, orders=orders, waves=waves,
                duration_s=duration, fail_rate=fail_rate, dropout_rate=dropout_rate,
                plan_time_limit_s=plan_seconds, plan_iterations=plan_iterations or None,
                load_wait_s=load_wait, prefix=prefix, seed=seed, summary=summary),
    )  # fmt: skip
