"""`waybill bench tracking`: shipment lookups through the real API and the tracking
projection's lag, on a loaded data set (`bench.tracking_load`).

Two phases, one run:

  A. lookups: `waybill serve` in a subprocess on a free port with a static integration
     token; C concurrent client tasks (one `aiohttp.ClientSession`) each GET
     `/v1/shipments/{id}` of a random loaded shipment, then pauses about `think_s`
     (uniformly 0.5-1.5 times it: a tracking page refreshing; 0: back to back, which
     measures capacity), for S seconds after a warm-up. Latency is per request as the
     client sees it; lookups_per_s is the completed rate.
  B. projection lag: `waybill track run` in a subprocess; a writer sends fixes for vans that
     carry shipments at a steady rate through the product's write path
     (`ingest.service.write`, one transaction per small batch) and notes each commit time;
     a poller (every 10 ms) reads the ETA of one shipment per van and notes when its
     `as_of` reaches a committed fix. A fix's lag is commit -> ETA visible (at most one poll
     late).

Only for a database whose name ends in `_bench`.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import httpx
import psycopg

from bench.credentials import api_key
from bench.tracking_load import Loaded, load, reuse
from ingest import service as ingest_service
from ingest.records import Position

LOG_DIR = Path(".run/bench")


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spawn(args: list[str], url: str, log_name: str, extra: dict[str, str]) -> subprocess.Popen:
    env = dict(os.environ, WAYBILL_DB__URL=url, **extra)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = (LOG_DIR / log_name).open("wb")
    waybill = str(Path(sys.executable).parent / "waybill")
    return subprocess.Popen([waybill, *args], env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


# -- A. lookups -----------------------------------------------------------------------


async def _lookups(
    base: str,
    token: str,
    ids: list[str],
    clients: int,
    think_s: float,
    warmup_s: float,
    duration_s: float,
) -> tuple[list[float], int]:
    """Latencies (ms) of lookups completed in the measured window, and failures.

    The clients are aiohttp's: httpx spent about 3 ms of CPU a request on this machine
    (aiohttp 0.7 ms, both measured with `time.process_time` over 1 500 lookups), which on
    two cores shared with the API is a load of its own and showed in the tail."""
    latencies: list[float] = []
    failures = 0
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=10.0)
    async with aiohttp.ClientSession(
        base, headers=headers, connector=connector, timeout=timeout
    ) as http:
        start = time.perf_counter()
        measure_from, end = start + warmup_s, start + warmup_s + duration_s

        async def client(seed: int) -> None:
            nonlocal failures
            rng = random.Random(seed)
            await asyncio.sleep(rng.uniform(0, think_s))  # clients do not start in step
            while (t0 := time.perf_counter()) < end:
                try:
                    async with http.get(f"/v1/shipments/{rng.choice(ids)}") as response:
                        await response.read()
                        status = response.status
                except (TimeoutError, aiohttp.ClientError):
                    status = 0  # a failure, counted, not the end of the run
                t1 = time.perf_counter()
                if t0 >= measure_from and t1 <= end:
                    if status == 200:
                        latencies.append((t1 - t0) * 1000)
                    else:
                        failures += 1
                if think_s:
                    await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))

        await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies, failures


def _serve(url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    args = ["serve", "--port", str(port), "--workers", str(workers)]
    proc = _spawn(args, url, "bench-tracking-api.log", {})
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    _stop(proc)
    raise SystemExit(f"the API did not start; see {LOG_DIR / 'bench-tracking-api.log'}")


# -- B. projection lag ----------------------------------------------------------------


Committed = dict[tuple[int, datetime], float]  # (van pk, device time) -> commit time


def _write_fixes(url: str, loaded: Loaded, rate: float, duration_s: float,
                 committed: Committed, stop: threading.Event) -> None:  # fmt: skip
    """Steady fixes, round-robin over the vans, one transaction per 50 ms of them."""
    vans = loaded.van_pks
    clock = dict(loaded.last_fix)
    tick = 0.05
    per_tick = max(1, round(rate * tick))
    rng = random.Random(3)
    with psycopg.connect(url) as conn:
        started, k = time.perf_counter(), 0
        while time.perf_counter() - started < duration_s and not stop.is_set():
            prepared = ingest_service.Prepared()
            for _ in range(per_tick):
                pk = vans[k % len(vans)]
                k += 1
                clock[pk] += timedelta(seconds=5)
                lat, lon = 30.26 + rng.uniform(-0.05, 0.05), 120.2 + rng.uniform(-0.05, 0.05)
                fix = Position(clock[pk], lat, lon, 8.0, 90.0, 6.0)
                prepared.batch.positions.append((pk, clock[pk], fix))
            with conn.transaction():
                ingest_service.write(conn, prepared)
            done = time.time()
            for pk, t, _ in prepared.batch.positions:
                committed[(pk, t)] = done
            pause = started + tick * (k // per_tick) - time.perf_counter()
            if pause > 0:
                time.sleep(pause)


def _poll_etas(url: str, loaded: Loaded, committed: Committed,
               writer: threading.Thread, drain_s: float) -> tuple[list[float], int]:  # fmt: skip
    """Lag (ms) of every committed fix, by when its van's probe ETA reached it."""
    probe = loaded.probe_shipment_pk
    shipments = [probe[v] for v in loaded.van_pks]
    lags: list[float] = []
    seen: set[tuple[int, datetime]] = set()
    with psycopg.connect(url, autocommit=True) as conn:
        deadline = None
        while True:
            rows = conn.execute(
                "SELECT device_pk, as_of FROM shipment_eta WHERE shipment_pk = ANY(%s)",
                (shipments,),
            ).fetchall()
            now = time.time()
            reached = dict(rows)
            for key, at in list(committed.items()):
                if (
                    key not in seen
                    and reached.get(key[0]) is not None
                    and key[1] <= reached[key[0]]
                ):
                    seen.add(key)
                    lags.append((now - at) * 1000)
            if not writer.is_alive():
                deadline = deadline or time.time() + drain_s
                if len(seen) == len(committed) or time.time() > deadline:
                    break
            time.sleep(0.01)
    return lags, len(committed) - len(seen)


def _drained(url: str, timeout_s: float) -> None:
    deadline = time.time() + timeout_s
    with psycopg.connect(url, autocommit=True) as conn:
        time.sleep(1)  # the runners connect
        while conn.execute("SELECT count(*) FROM tracking_dirty").fetchone()[0]:
            if time.time() > deadline:
                raise SystemExit("the projector did not drain its queue before the measurement")
            time.sleep(0.2)


def _projection_lag(url: str, loaded: Loaded, rate: float, duration_s: float,
                    runners: int) -> tuple[list[float], int]:  # fmt: skip
    procs = [_spawn(["track", "run"], url, f"bench-tracking-projector-{n}.log", {})
             for n in range(1, runners + 1)]  # fmt: skip
    committed: Committed = {}
    stop = threading.Event()
    writer = threading.Thread(target=_write_fixes,
                              args=(url, loaded, rate, duration_s, committed, stop))  # fmt: skip
    try:
        _drained(url, timeout_s=120)  # fixes an earlier run left unprojected go first
        writer.start()
        return _poll_etas(url, loaded, committed, writer, drain_s=15)
    finally:
        stop.set()
        writer.join()
        for proc in procs:
            _stop(proc)


def run(url: str, *, shipments: int, positions: int, clients: int, duration_s: float,
        think_s: float, rate: float, runners: int, reuse_loaded: bool = False,
        api_workers: int = 1, warmup_s: float = 3.0) -> dict[str, object]:  # fmt: skip
    started = time.time()
    loaded = reuse(url, shipments) if reuse_loaded else load(url, shipments, positions)
    _log(f"loaded in {time.time() - started:.0f} s")

    proc, base = _serve(url, api_workers)
    try:
        latencies, failures = asyncio.run(
            _lookups(
                base,
                api_key(url, "bench tracking"),
                loaded.shipment_ids,
                clients,
                think_s,
                warmup_s,
                duration_s,
            )
        )
    finally:
        _stop(proc)
    _log(f"A. lookups: {len(latencies)} in {duration_s:.0f} s with {clients} clients, "
         f"{failures} failed")  # fmt: skip

    lags, unseen = _projection_lag(url, loaded, rate, duration_s, runners)
    _log(f"B. projection lag: {len(lags)} fixes at {rate:.0f}/s, {unseen} not projected in time")
    return {
        "lookup_p50_ms": round(_percentile(latencies, 0.50), 1),
        "lookup_p99_ms": round(_percentile(latencies, 0.99), 1),
        "lookups_per_s": round(len(latencies) / duration_s, 1),
        "projection_lag_p50_ms": round(_percentile(lags, 0.50), 1),
        "projection_lag_p99_ms": round(_percentile(lags, 0.99), 1),
        "lookup_failures": failures,
        "fixes_per_s": rate,
        "fixes_not_projected": unseen,
        "projector_runners": runners,
        "api_workers": api_workers,
        "clients": clients,
        "think_s": think_s,
        "shipments": shipments,
        "positions": positions,
        "duration_s": duration_s,
    }
