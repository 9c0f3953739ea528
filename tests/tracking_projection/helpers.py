"""A van's day as fixes, written through ingest's own write path, and a projector limited
to the test's devices (the test database is shared with other tests' devices)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg

from gis.geodesy import offset
from ingest import service as ingest
from ingest.records import Position
from orders import service as orders
from orders.models import Evidence
from orders.status import EvidenceKind, ShipmentStatus
from tests.orders.builders import new_order
from tracking import projector, queue

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
DOOR = (30.3312, 120.2456)  # the delivery point of tests.orders.builders (lat, lon)
WAREHOUSE = offset(*DOOR, -4000.0, -3000.0)  # 5 km south-west of it


def day(start: datetime = T0) -> list[Position]:
    """Parked 10 min in the warehouse, 5 km at 10 m/s to the door, parked 10 min there."""
    fixes, t = [], start
    for _ in range(20):
        fixes.append(Position(t, WAREHOUSE[0], WAREHOUSE[1], 0.0, 0.0, 8.0))
        t += timedelta(seconds=30)
    for i in range(1, 51):
        lat, lon = offset(*WAREHOUSE, 4000.0 * i / 50, 3000.0 * i / 50)
        fixes.append(Position(t, lat, lon, 10.0, 37.0, 8.0))
        t += timedelta(seconds=10)
    for _ in range(20):
        fixes.append(Position(t, DOOR[0], DOOR[1], 0.0, 0.0, 8.0))
        t += timedelta(seconds=30)
    return fixes


def write(url: str, device_pk: int, fixes: list[Position]) -> None:
    prepared = ingest.Prepared()
    now = datetime.now(UTC)
    prepared.batch.positions.extend((device_pk, now, f) for f in fixes)
    with psycopg.connect(url) as conn, conn.transaction():
        ingest.write(conn, prepared)


def project(url: str, *device_pks: int, params: projector.Params | None = None) -> int:
    """Project the given devices until none of them is dirty; the number of steps."""
    steps = 0
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            moved = 0
            for pk in device_pks:
                try:
                    with conn.transaction():
                        queue.begin_step(conn)
                        since = queue.claim_one(conn, pk)
                        if since is not None:
                            projector.project_device(conn, pk, since, params or projector.Params())
                            moved += 1
                except psycopg.errors.SerializationFailure:
                    # Another runner committed this device after our snapshot began: the
                    # step is rolled back and the device stays dirty, as `run_once` does.
                    moved += 1
            steps += moved
            if not moved:
                return steps


def loaded_shipment(url: str, uid: str, n: int, depot: str) -> str:
    """A shipment of a new order, packed and loaded; its id."""
    with psycopg.connect(url, autocommit=True) as conn:
        order = orders.create_order(conn, new_order(f"MO-{uid}-{n}", depots=(depot,))).order
        sid = order.shipments[0].shipment_id
        for status in ("packed", "loaded"):
            ev = Evidence(
                EvidenceKind.EPCIS_EVENT, f"ev:{sid}:{status}", ShipmentStatus(status), T0
            )
            orders.record_evidence(conn, sid, ev)
        return sid


def rows(url: str, sql: str, *args: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args).fetchall()
