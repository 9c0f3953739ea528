"""`waybill bench ingest`: throughput, latency and footprint of the real ingest path.

Runs against the product's broker, database and `waybill ingest` worker processes, with
its own publisher processes sending numbered native GPS fixes at QoS 1 (each publisher is
a provisioned device with its own broker credentials). Three phases, one run:

  A. broker ceiling: the same publishers at full speed into a bare subscriber that only
     counts and acknowledges: what the broker and the publishers can do on this machine;
  B. max throughput: the publishers at full speed into N workers; committed rows per second
     from the first publish to the last commit;
  C. latency: the publishers at a steady offered rate; every 64th message is a probe whose
     publish time is noted, and a poller (every 20 ms) notes when its row is visible, so a
     probe's latency is publish -> committed and visible (at most 20 ms late).

Then lost (acknowledged by the broker but not stored), duplicates (rows beyond one per
numbered message), and bytes_per_fix (positions with its indexes, over its rows). Needs a
database of its own (its name must end in `_bench`): it empties `positions` first.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import psycopg

from bench.mqttwire import Wire
from core.settings import Settings
from devices import broker
from devices import service as devices
from devices.models import DeviceKind
from ingest.source import MqttSource

PROBE_EVERY = 64
BENCH_BROKER_PORT = 18850
COUNTER_CLIENT_ID = "waybill-bench-count"
WINDOW = 2000  # QoS 1 messages in flight per publisher
STEP = timedelta(microseconds=10)  # device time between two numbered messages


@dataclass(frozen=True)
class Publisher:
    device_id: str
    password: str
    base: datetime  # device time of message 0


def _publish(settings: Settings, pub: Publisher, first: int, count: int, rate: float,
             probes: mp.Queue | None, results: mp.Queue) -> None:  # fmt: skip
    """One publisher process: `count` numbered messages from `first`, paced to `rate`/s."""
    wire = Wire(settings.mqtt.host, settings.mqtt.port, f"bench-{pub.device_id}-{first}",
                pub.device_id, pub.password)  # fmt: skip
    topic = f"waybill/v1/devices/{pub.device_id}/telemetry".encode()
    started = time.time()
    sent = acked = 0
    out = bytearray()
    while acked < count:
        budget = count - sent
        if rate > 0:
            budget = min(budget, int((time.time() - started) * rate) + 1 - sent)
        budget = min(budget, WINDOW - (sent - acked), 500)
        for _ in range(max(budget, 0)):
            number = first + sent
            ts = (pub.base + STEP * number).isoformat().replace("+00:00", "Z")
            payload = orjson.dumps({"ts": ts, "lat": 30.26, "lon": 120.2, "seq": number})
            out += Wire.publish_packet(topic, (sent % 65535) + 1, payload)
            if probes is not None and number % PROBE_EVERY == 0:
                probes.put((pub.device_id, ts, time.time()))
            sent += 1
        if out:
            wire.sock.sendall(out)
            out.clear()
        if sent - acked >= WINDOW or sent == count or (rate > 0 and budget <= 0):
            wire.sock.settimeout(0.005 if rate > 0 else None)
            with contextlib.suppress(TimeoutError):
                acked += sum(1 for command, _ in wire.packets() if command >> 4 == 4)
    wire.close()
    results.put((pub.device_id, sent, acked, started, time.time()))


def _count(
    settings: Settings, group: str, expected: int, ready: mp.Event, results: mp.Queue
) -> None:
    """The bare subscriber: the workers' own MQTT receive path (`MqttSource`) in a process
    that only counts and acknowledges: no decoding, no database."""
    ingest = settings.ingest.model_copy(update={"share_group": group})
    no_session = settings.mqtt.model_copy(update={"session_expiry_s": 0})
    source = MqttSource(no_session, ingest, COUNTER_CLIENT_ID, on_subscribed=ready.set)
    source.start()
    received, first = 0, 0.0
    while received < expected:
        batch = source.take(settings.ingest.batch_size, 0.05)
        if batch and not first:
            first = batch[0].received
        received += len(batch)
        source.ack(batch)
    results.put((received, first, time.time()))
    source.stop()


def _run_publishers(settings: Settings, pubs: list[Publisher], offsets: list[int], count: int,
                    rate: float, probes: mp.Queue | None = None) -> list[tuple]:  # fmt: skip
    results: mp.Queue = mp.Queue()
    per_rate = rate / len(pubs) if rate else 0.0
    procs = [
        mp.Process(target=_publish, args=(settings, p, o, count, per_rate, probes, results))
        for p, o in zip(pubs, offsets, strict=True)
    ]
    for proc in procs:
        proc.start()
    out = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    return out


def _prepare(settings: Settings, publishers: int) -> list[Publisher]:
    """Empty the bench database's positions; provision one device per publisher."""
    dbname = psycopg.conninfo.conninfo_to_dict(settings.db.url).get("dbname", "")
    if not str(dbname).endswith("_bench"):
        raise SystemExit(f"refusing to empty positions in {dbname!r}: use a *_bench database")
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    pubs = []
    control = broker.control_account(settings)
    with psycopg.connect(settings.db.url) as conn:
        conn.execute("TRUNCATE positions")
        conn.commit()
        for number in range(1, publishers + 1):
            device_id = f"bench-pub-{number}"
            try:
                result = devices.provision(conn, control, device_id=device_id,
                                           kind=DeviceKind.GPS_UNIT, format="native")  # fmt: skip
            except Exception:  # provisioned by an earlier run: new credentials
                result = devices.rotate(conn, control, device_id)
            pubs.append(Publisher(device_id, result.password, base))
    return pubs


def _stored(conn: psycopg.Connection, pubs: list[Publisher], first: int, last: int) -> int:
    """Rows of messages numbered [first, last) of every publisher."""
    base = pubs[0].base
    return conn.execute(
        """SELECT count(*) FROM positions p JOIN devices d ON d.pk = p.device_pk
           WHERE d.device_id = ANY(%s) AND p.device_time >= %s AND p.device_time < %s""",
        ([p.device_id for p in pubs], base + STEP * first, base + STEP * last),
    ).fetchone()[0]


def _start_workers(settings: Settings, workers: int, log_dir: Path) -> list[subprocess.Popen]:
    env = dict(os.environ)
    env.update(broker.service_environment(settings))
    env["WAYBILL_MQTT__PORT"] = str(settings.mqtt.port)
    env["WAYBILL_BROKER__STATE_DIR"] = settings.broker.state_dir
    env.update({
        "WAYBILL_DB__URL": settings.db.url,
        "WAYBILL_INGEST__SHARE_GROUP": "bench",
        "WAYBILL_INGEST__CLIENT_ID": "waybill-bench",
        "WAYBILL_INGEST__METRICS_PORT": "0",
    })  # fmt: skip
    log_dir.mkdir(parents=True, exist_ok=True)
    waybill = str(Path(sys.executable).parent / "waybill")
    procs = []
    for number in range(1, workers + 1):
        log = (log_dir / f"bench-worker-{number}.log").open("wb")
        procs.append(subprocess.Popen([waybill, "ingest", "--worker-id", str(number)],
                                      env=env, stdout=log, stderr=subprocess.STDOUT))  # fmt: skip
    deadline = time.time() + 30
    for number in range(1, workers + 1):
        path = log_dir / f"bench-worker-{number}.log"
        while b"subscribed to" not in path.read_bytes():
            if time.time() > deadline:
                raise SystemExit(f"worker {number} did not subscribe; see {path}")
            time.sleep(0.05)
    return procs


def _wait_stored(settings: Settings, pubs: list[Publisher], first: int, last: int,
                 target: int, timeout_s: float) -> tuple[int, float]:  # fmt: skip
    """Poll until `target` rows are visible; (rows, time the last new row was seen)."""
    with psycopg.connect(settings.db.url, autocommit=True) as conn:
        last_count, last_change = -1, time.time()
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            count = _stored(conn, pubs, first, last)
            if count != last_count:
                last_count, last_change = count, time.time()
            if count >= target or time.time() - last_change > 10:
                break
            time.sleep(0.05)
    return last_count, last_change


def _latency_probe_poller(settings: Settings, probes: mp.Queue, done: mp.Event,
                          results: mp.Queue) -> None:  # fmt: skip
    """Note when each probe's row becomes visible; report latencies in ms."""
    pending: dict[tuple[str, str], float] = {}
    latencies: list[float] = []
    with psycopg.connect(settings.db.url, autocommit=True) as conn:
        pks = dict(conn.execute("SELECT device_id, pk FROM devices WHERE device_id LIKE 'bench-%'"))
        while True:
            while not probes.empty():
                device_id, ts, sent_at = probes.get()
                pending[(device_id, ts)] = sent_at
            if pending:
                keys = list(pending)
                # One primary-key probe per key (a plain IN makes PostgreSQL scan devices).
                rows = conn.execute(
                    """SELECT k.pk, k.t FROM unnest(%s::int[], %s::timestamptz[]) AS k(pk, t)
                       WHERE EXISTS (SELECT 1 FROM positions p
                                     WHERE p.device_pk = k.pk AND p.device_time = k.t)""",
                    ([pks[k[0]] for k in keys], [k[1] for k in keys]),
                ).fetchall()
                now = time.time()
                names = {pk: name for name, pk in pks.items()}
                for pk, device_time in rows:
                    ts = device_time.isoformat().replace("+00:00", "Z")
                    sent_at = pending.pop((names[pk], ts), None)
                    if sent_at is not None:
                        latencies.append((now - sent_at) * 1000)
            elif done.is_set() and probes.empty():
                break
            time.sleep(0.02)
    results.put(latencies)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _fresh_broker(settings: Settings) -> Settings:
    """The project's Mosquitto, configured as always, but a fresh instance of its own: no
    session of the demo or of an earlier run can hold a share of the load."""
    own = settings.model_copy(
        update={
            "mqtt": settings.mqtt.model_copy(update={"port": BENCH_BROKER_PORT}),
            "broker": settings.broker.model_copy(
                update={
                    "state_dir": str(Path(".run/mosquitto-bench").resolve()),
                    "control_password": None,
                }
            ),
        }
    )
    broker.stop(own)
    shutil.rmtree(own.broker.state_dir, ignore_errors=True)
    broker.start(own)
    ingest_account = {
        "username": broker.INGEST_ACCOUNT,
        "password": broker.account_password(own, broker.INGEST_ACCOUNT),
    }
    return own.model_copy(update={"mqtt": own.mqtt.model_copy(update=ingest_account)})


def run(settings: Settings, *, duration_s: float, workers: int, rate: float,
        publishers: int) -> dict[str, object]:  # fmt: skip
    settings = _fresh_broker(settings)
    pubs = _prepare(settings, publishers)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731

    # A. Broker ceiling: publishers at full speed into a bare counting subscriber.
    burst = int(15000 * duration_s / publishers)
    counted: mp.Queue = mp.Queue()
    ready = mp.Event()
    counter = mp.Process(target=_count, args=(settings, "ceil", burst * publishers, ready, counted))
    counter.start()
    if not ready.wait(30):
        raise SystemExit("the counting subscriber did not subscribe within 30 s")
    _run_publishers(settings, pubs, [0] * publishers, burst, 0.0)
    received, first, last = counted.get()
    counter.join()
    ceiling = received / (last - first)
    log(f"A. broker ceiling: {received} messages in {last - first:.2f} s = {ceiling:.0f}/s")

    # B. Max throughput through the product's workers, publishers at full speed.
    procs = _start_workers(settings, workers, Path(".run/bench"))
    try:
        started = time.time()
        sent_b = _run_publishers(settings, pubs, [burst] * publishers, burst, 0.0)
        acked_b = sum(r[2] for r in sent_b)
        stored_b, last_commit = _wait_stored(settings, pubs, burst, 2 * burst, acked_b, 120)
        max_rate = stored_b / (last_commit - started)
        log(f"B. max: {stored_b} rows in {last_commit - started:.2f} s = {max_rate:.0f}/s")

        # C. Latency at a steady offered rate.
        steady = int(rate * duration_s / publishers)
        first_c, last_c = 2 * burst, 2 * burst + steady
        probes: mp.Queue = mp.Queue()
        done = mp.Event()
        lat_results: mp.Queue = mp.Queue()
        poller = mp.Process(target=_latency_probe_poller,
                            args=(settings, probes, done, lat_results))  # fmt: skip
        poller.start()
        sent_c = _run_publishers(settings, pubs, [first_c] * publishers, steady, rate, probes)
        offered = sum(r[1] for r in sent_c) / max(r[4] - r[3] for r in sent_c)
        acked_c = sum(r[2] for r in sent_c)
        _wait_stored(settings, pubs, first_c, last_c, acked_c, 120)
        done.set()
        latencies = lat_results.get()
        poller.join()
        log(f"C. latency at {offered:.0f}/s offered: {len(latencies)} probes")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        broker.stop(settings)

    with psycopg.connect(settings.db.url) as conn:
        in_range = _stored(conn, pubs, burst, last_c)
        rows = conn.execute("SELECT count(*) FROM positions").fetchone()[0]
        distinct = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT device_pk, device_time FROM positions) d"
        ).fetchone()[0]
        size = conn.execute(
            """SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits
               WHERE inhparent = 'positions'::regclass"""
        ).fetchone()[0]
    published = acked_b + acked_c  # numbered messages the broker acknowledged to publishers
    return {
        "broker_ceiling_msgs_per_s": round(ceiling),
        "max_msgs_per_s": round(max_rate),
        "ratio": round(max_rate / ceiling, 3),
        "offered_msgs_per_s": round(offered),
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "probes": len(latencies),
        "published": published,
        "lost": published - in_range,
        "duplicates": rows - distinct,
        "strays": rows - in_range,  # rows outside the numbered ranges: should be 0
        "workers": workers,
        "bytes_per_fix": round(float(size) / rows, 1) if rows else None,
    }
