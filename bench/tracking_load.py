"""The data set of `waybill bench tracking`: orders, shipments, cartons, vans, their fixes and
the projections' tables, loaded in bulk the way the product's own writers lay them out.

Owns nothing in the product: it COPies rows shaped as `orders.store` and
`orders.package_store` write them (one order per shipment, one carton with its SSCC, a
three-entry timeline of evidence), writes fixes through `ingest.store.write_batch` in big
batches (without marking devices dirty: their projection is loaded directly), and fills
what `tracking.projector` would have left after projecting them: vehicle state, progress,
loads and ETAs. Only for a database of its own (name ending in `_bench`): it empties the
order and tracking tables first. It never truncates `positions`, which another benchmark
may be using; it deletes the fixes of its own vans only.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg.types.json import Jsonb

from epc.sscc import issue
from ingest import store as ingest_store
from ingest.records import Position
from tracking.projector import Progress

CENTRE = (30.26, 120.20)  # lat, lon: the market
SHIPMENTS_PER_VAN = 20
FIX_EVERY = timedelta(seconds=10)
COPY_BATCH = 50_000
VAN_PREFIX = "bench-van-"
_EMPTIED = (
    "webhook_attempts, webhook_outbox, shipment_public_links, shipment_eta, vehicle_loads, "
    "shipment_events, package_tags, packages, order_items, shipments, "
    "order_delivery_windows, orders, vehicle_state, tracking_progress, tracking_checkpoints, "
    "tracking_dirty, trips, stops, geofence_transitions"
)


@dataclass(frozen=True, slots=True)
class Loaded:
    shipment_ids: list[str]
    van_pks: list[int]  # vans carrying shipments
    probe_shipment_pk: dict[int, int]  # van pk -> one shipment it carries
    last_fix: dict[int, datetime]  # van pk -> device time of its newest fix


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def refuse_unless_bench(url: str) -> None:
    dbname = str(psycopg.conninfo.conninfo_to_dict(url).get("dbname", ""))
    if not dbname.endswith("_bench"):
        raise SystemExit(f"refusing to load benchmark data into {dbname!r}: use a *_bench database")


def _copy(conn: psycopg.Connection, sql: str, rows) -> None:  # type: ignore[no-untyped-def]
    with conn.cursor() as cur, cur.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _vans(conn: psycopg.Connection, count: int) -> list[int]:
    """Van devices `bench-van-N` (created when missing); their fixes from earlier runs go."""
    ids = [f"{VAN_PREFIX}{n:05d}" for n in range(1, count + 1)]
    conn.execute(
        """INSERT INTO devices (device_id, kind, format, name)
           SELECT d, 'gps_unit', 'native', 'benchmark van' FROM unnest(%s::text[]) d
           ON CONFLICT (device_id) DO NOTHING""",
        (ids,),
    )
    pks = dict(conn.execute("SELECT device_id, pk FROM devices WHERE device_id = ANY(%s)", (ids,)))
    every = [pks[d] for d in ids]
    conn.execute(
        """DELETE FROM positions WHERE device_pk IN (SELECT pk FROM devices
           WHERE device_id LIKE 'bench-van-%')"""
    )
    return every


def _orders(conn: psycopg.Connection, n: int, rng: random.Random, now: datetime) -> list[int]:
    """n orders and their delivery windows, as `orders.store.insert_order` writes them."""
    lat0, lon0 = CENTRE

    def rows():  # type: ignore[no-untyped-def]
        for i in range(n):
            lat, lon = lat0 + rng.uniform(-0.1, 0.1), lon0 + rng.uniform(-0.1, 0.1)
            yield (f"BENCH-O{i:07d}", f"B{i % 20000:05d}", f"S{i % 500:03d}", i % 3,
                   f"stall {i}, market road", f"SRID=4326;POINT({lon} {lat})",
                   f"bench-{i}", i.to_bytes(8, "big"), now - timedelta(hours=3))  # fmt: skip

    _copy(
        conn,
        """COPY orders (mall_order_id, buyer_id, shop_id, priority, delivery_address,
               delivery_geom, idempotency_key, fingerprint, created_at) FROM STDIN""",
        rows(),
    )
    pks = [r[0] for r in conn.execute("SELECT pk FROM orders ORDER BY mall_order_id")]
    _copy(
        conn,
        "COPY order_delivery_windows (order_pk, starts_at, ends_at) FROM STDIN",
        ((pk, now, now + timedelta(hours=4)) for pk in pks),
    )
    return pks


def _shipments(
    conn: psycopg.Connection, order_pks: list[int], now: datetime
) -> tuple[list[str], list[int]]:
    """One shipment per order, in transit, with one item, one carton and its timeline."""
    ids = [f"BENCH-S{i:07d}" for i in range(len(order_pks))]
    since = now - timedelta(hours=2)
    _copy(
        conn,
        """COPY shipments (shipment_id, order_pk, buyer_id, shop_id, depot_id, status,
               status_since, shipped_at, created_at) FROM STDIN""",
        (
            (sid, pk, f"B{i % 20000:05d}", f"S{i % 500:03d}", "D1", "in_transit", since, since,
             now - timedelta(hours=3))
            for i, (sid, pk) in enumerate(zip(ids, order_pks, strict=True))
        ),
    )  # fmt: skip
    pks = [r[0] for r in conn.execute("SELECT pk FROM shipments ORDER BY shipment_id")]
    _copy(
        conn,
        """COPY order_items (order_pk, line, shipment_pk, sku, quantity, weight_kg, volume_m3,
               depot_id) FROM STDIN""",
        (
            (o, 1, s, f"SKU-{o % 997}", 2, 3.5, 0.02, "D1")
            for o, s in zip(order_pks, pks, strict=True)
        ),
    )
    labels = (issue("0614141", 0, i + 1) for i in range(len(pks)))
    _copy(
        conn,
        "COPY packages (shipment_pk, sscc, epc_uri, hex, weight_kg) FROM STDIN",
        ((s, lb.sscc, lb.pure_uri, lb.hex, 3.5) for s, lb in zip(pks, labels, strict=True)),
    )
    conn.execute("SELECT setval('sscc_serial_refs', %s)", (len(pks) + 1,))
    timeline = [
        ("epcis_event", "packed", "created", timedelta(hours=2, minutes=40)),
        ("epcis_event", "loaded", "packed", timedelta(hours=2, minutes=10)),
        ("geofence", "in_transit", "loaded", timedelta(hours=2)),
    ]
    _copy(
        conn,
        """COPY shipment_events (shipment_pk, kind, evidence_id, status, from_status, applied,
               occurred_at, source, evidence) FROM STDIN""",
        (
            (s, kind, f"bench:{s}:{status}", status, before, True, now - ago, "bench",
             '{"source": "bench"}')
            for s in pks
            for kind, status, before, ago in timeline
        ),
    )  # fmt: skip
    return ids, pks


def _fixes(
    conn: psycopg.Connection, vans: list[int], total: int, rng: random.Random, end: datetime
) -> dict[int, tuple[datetime, float, float]]:
    """`total` fixes spread over the vans, 10 s apart, through `ingest.store.write_batch`."""
    per_van = max(1, total // len(vans))
    start = end - FIX_EVERY * per_van
    last: dict[int, tuple[datetime, float, float]] = {}
    batch = ingest_store.Batch()
    written = 0
    for pk in vans:
        lat, lon = CENTRE[0] + rng.uniform(-0.05, 0.05), CENTRE[1] + rng.uniform(-0.05, 0.05)
        dlat, dlon = rng.uniform(-1, 1) * 6e-4, rng.uniform(-1, 1) * 6e-4
        for k in range(per_van):
            t = start + FIX_EVERY * k
            fix = Position(t, lat + dlat * k, lon + dlon * k, 7.5, 45.0, 8.0)
            batch.positions.append((pk, t, fix))
        last[pk] = (t, fix.lat, fix.lon)
        if len(batch.positions) >= COPY_BATCH or pk == vans[-1]:
            with conn.transaction():
                written += ingest_store.write_batch(conn, batch).positions_inserted
            batch = ingest_store.Batch()
            _log(f"  fixes: {written}/{per_van * len(vans)}")
    return last


def load(url: str, shipments: int, positions: int, seed: int = 7) -> Loaded:
    """Empty the order and tracking tables, then load the data set; commits as it goes."""
    refuse_unless_bench(url)
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    n_vans = max(1, shipments // SHIPMENTS_PER_VAN)
    with psycopg.connect(url, autocommit=True) as conn:
        _log(f"loading {shipments} shipments on {n_vans} vans, {positions} fixes")
        conn.execute(f"TRUNCATE {_EMPTIED} RESTART IDENTITY")
        vans = _vans(conn, n_vans)
        with conn.transaction():
            ids, ship_pks = _shipments(conn, _orders(conn, shipments, rng, now), now)
        _log(f"  {len(ids)} orders and shipments with cartons and timelines")
        last = _fixes(conn, vans, positions, rng, now - timedelta(seconds=30))
        van_of = {s: vans[i % n_vans] for i, s in enumerate(ship_pks)}
        with conn.transaction():
            _copy(conn, "COPY vehicle_loads (shipment_pk, device_pk, loaded_at) FROM STDIN",
                  ((s, v, now - timedelta(hours=2)) for s, v in van_of.items()))  # fmt: skip
            _copy(
                conn,
                """COPY vehicle_state (device_pk, device_time, received_at, geom, speed_mps,
                       heading_deg, accuracy_m, recent_speed_mps, last_seen_at) FROM STDIN""",
                ((v, t, t, f"SRID=4326;POINT({lon} {lat})", 7.5, 45.0, 8.0, 7.5, t)
                 for v, (t, lat, lon) in last.items()),
            )  # fmt: skip
            progress = {v: Progress(t).to_dict() for v, (t, _, _) in last.items()}
            _copy(conn, "COPY tracking_progress (device_pk, watermark, state) FROM STDIN",
                  ((v, last[v][0], Jsonb(p)) for v, p in progress.items()))  # fmt: skip
            _copy(
                conn,
                """COPY shipment_eta (shipment_pk, device_pk, eta, method, distance_m, as_of)
                   FROM STDIN""",
                ((s, v, last[v][0] + timedelta(minutes=25), "live", 9000.0, last[v][0])
                 for s, v in van_of.items()),
            )  # fmt: skip
        for table in ("orders", "order_delivery_windows", "shipments", "order_items", "packages",
                      "shipment_events",
                      "vehicle_loads", "vehicle_state", "shipment_eta", "tracking_progress",
                      "devices"):  # fmt: skip
            conn.execute(f"ANALYZE {table}")
        conn.execute("ANALYZE positions")
    probe: dict[int, int] = {}
    for s, v in van_of.items():
        probe.setdefault(v, s)
    return Loaded(ids, vans, probe, {v: t for v, (t, _, _) in last.items()})


def reuse(url: str, shipments: int) -> Loaded:
    """The data set an earlier run loaded (`--reuse`), with its vans' newest fixes now."""
    refuse_unless_bench(url)
    with psycopg.connect(url, autocommit=True) as conn:
        ids = [r[0] for r in conn.execute("SELECT shipment_id FROM shipments ORDER BY pk")]
        if len(ids) != shipments or not all(i.startswith("BENCH-S") for i in ids[:1]):
            raise SystemExit(
                f"no loaded data set of {shipments} shipments to reuse; run without --reuse"
            )
        probe = dict(
            conn.execute(
                """SELECT device_pk, min(shipment_pk) FROM vehicle_loads
                   WHERE unloaded_at IS NULL GROUP BY device_pk"""
            ).fetchall()
        )
        last = dict(
            conn.execute(
                """SELECT p.device_pk, max(p.device_time) FROM positions p
                   WHERE p.device_pk = ANY(%s) GROUP BY p.device_pk""",
                (list(probe),),
            ).fetchall()
        )
    vans = sorted(probe)
    return Loaded(ids, vans, probe, {v: last[v] for v in vans})
