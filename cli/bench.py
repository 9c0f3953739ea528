"""`waybill bench`: benchmarks against the real services. Each prints one JSON line at the end.

The code of each benchmark lives in `bench/`; this module only registers the commands.
"""

from __future__ import annotations

import typer

app = typer.Typer(help="Benchmarks; each prints one JSON line of figures at the end.")

# Commands are registered below, one block per benchmark.


_VRPTW_INSTANCES = typer.Option(
    None, "--instances", help="Only these: --instances R101 C101 (or R101,C101)"
)
_VRPTW_MORE_NAMES = typer.Argument(None, hidden=True)


@app.command("vrptw")
def vrptw(
    set_: str = typer.Option(
        ..., "--set", help="solomon, gh200, or a folder of .vrp files with a bks.csv"
    ),
    time_limit: float = typer.Option(..., "--time-limit", min=0.1, help="Seconds per instance"),
    instances: list[str] | None = _VRPTW_INSTANCES,
    more: list[str] | None = _VRPTW_MORE_NAMES,
    backend: str = typer.Option("auto", "--backend", help="auto, ortools or pyvrp"),
    seed: int = typer.Option(0, "--seed", min=0),
    data: str | None = typer.Option(
        None,
        "--data",
        envvar="VRPTW_DATA_DIR",
        help="Folder of the built-in sets (default ../shared/bench/vrptw)",
    ),
) -> None:
    """VRPTW literature benchmark: gap to the best-known distance, one instance at a time."""
    from bench.vrptw import run
    from core.errors import InvalidInput

    names = [n for part in [*(instances or []), *(more or [])] for n in part.split(",") if n]
    try:
        run(set_, time_limit, names, backend, seed, data, echo=typer.echo)
    except InvalidInput as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc


@app.command("epc")
def epc(
    seconds: float = typer.Option(3.0, "--seconds", min=0.1, help="Wall-clock seconds per repeat"),
    repeats: int = typer.Option(5, "--repeats", min=1, help="Repeats; the median rate is kept"),
    corpus_size: int = typer.Option(20_000, "--corpus-size", min=1, help="Distinct reads"),
    seed: int = typer.Option(1, "--seed", min=0, help="Seed of the generated corpus"),
) -> None:
    """EPC decode rate in one process on a mixed corpus of reads (goal: 200k EPCs/s)."""
    import json

    from bench.epc import run

    typer.echo(json.dumps(run(seconds, repeats, corpus_size, seed)))


@app.command("ingest")
def bench_ingest(
    duration: float = typer.Option(20.0, min=2.0, help="Seconds of load in phases B and C"),
    workers: int = typer.Option(2, min=1, help="`waybill ingest` worker processes"),
    rate: float = typer.Option(10000.0, min=100.0, help="Offered msgs/s in the latency phase"),
    publishers: int = typer.Option(2, min=1, help="Publisher processes (one device each)"),
) -> None:
    """Ingest throughput, latency and bytes per fix against the real broker, database, workers."""
    import orjson

    from bench.ingest import run
    from core.settings import load

    figures = run(load(), duration_s=duration, workers=workers, rate=rate, publishers=publishers)
    typer.echo(orjson.dumps(figures).decode())


@app.command("tracking")
def bench_tracking(
    shipments: int = typer.Option(100_000, min=1, help="Shipments loaded (20 per van)"),
    positions: int = typer.Option(3_000_000, min=1, help="Fixes loaded, spread over the vans"),
    clients: int = typer.Option(100, min=1, help="Concurrent API clients"),
    duration: float = typer.Option(20.0, min=1.0, help="Seconds of each measured phase"),
    think: float = typer.Option(1.0, min=0.0, help="Seconds a client waits between lookups"),
    rate: float = typer.Option(100.0, min=1.0, help="Fixes/s written in the projection phase"),
    runners: int = typer.Option(2, min=1, help="`waybill track run` processes"),
    reuse: bool = typer.Option(False, help="Measure the data set an earlier run loaded"),
    api_workers: int = typer.Option(1, min=1, help="`waybill serve --workers` of the API"),
) -> None:
    """Shipment lookups through the API and the tracking projection's lag (a *_bench db)."""
    import orjson

    from bench.tracking import run
    from core.settings import load

    figures = run(load().db.url, shipments=shipments, positions=positions, clients=clients,
                  duration_s=duration, think_s=think, rate=rate,
                  runners=runners, reuse_loaded=reuse, api_workers=api_workers)  # fmt: skip
    typer.echo(orjson.dumps(figures).decode())
