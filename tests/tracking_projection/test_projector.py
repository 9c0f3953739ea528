"""The tracking projector on the real database: vehicle state, trips, geofences, statuses,
ETAs, late flushes, and concurrent runners."""

from __future__ import annotations

import threading
from datetime import timedelta

import psycopg
import pytest

from devices.models import DeviceKind
from gis.geofence import CircleFence
from ingest.records import Position
from tests.support.data import register
from tests.tracking_projection.helpers import (
    T0,
    WAREHOUSE,
    day,
    loaded_shipment,
    project,
    rows,
    write,
)
from tracking import fence_store, projector, trips
from tracking.models import Fix


def _warehouse(url: str, uid: str) -> str:
    with psycopg.connect(url) as conn:
        fence = CircleFence(WAREHOUSE[0], WAREHOUSE[1], 150.0)
        fence_store.insert(conn, f"wh-{uid}", "warehouse", "warehouse", f"D{uid}", fence)
        conn.commit()
    return f"wh-{uid}"


@pytest.fixture
def fence(database: str, uid: str):  # type: ignore[no-untyped-def]
    fence_id = _warehouse(database, uid)
    yield fence_id
    with psycopg.connect(database) as conn:
        conn.execute("DELETE FROM geofences WHERE fence_id = %s", (fence_id,))


def _trips(url: str, pk: int) -> list[tuple]:
    return rows(
        url,
        """SELECT start_time, end_time, round(distance_m::numeric, 1), end_reason
           FROM trips WHERE device_pk = %s ORDER BY start_time""",
        pk,
    )


def _stops(url: str, pk: int) -> list[tuple]:
    return rows(url, "SELECT start_time, end_time FROM stops WHERE device_pk = %s ORDER BY 1", pk)


def test_vehicle_state_never_moves_backwards(database: str, uid: str) -> None:
    """A late, older fix never replaces the latest position of a vehicle."""
    pk = register(database, f"van-{uid}", DeviceKind.GPS_UNIT).pk
    fixes = day()
    write(database, pk, fixes[:60])
    project(database, pk)
    before = rows(
        database, "SELECT device_time, ST_AsText(geom) FROM vehicle_state WHERE device_pk = %s", pk
    )
    late = Position(fixes[5].device_time - timedelta(seconds=1), 1.0, 1.0)  # older, far away
    write(database, pk, [late])
    project(database, pk)
    after = rows(
        database, "SELECT device_time, ST_AsText(geom) FROM vehicle_state WHERE device_pk = %s", pk
    )
    assert before == after
    assert after[0][0] == fixes[59].device_time


def test_late_flush_gives_the_trips_of_an_in_order_pass(database: str, uid: str) -> None:
    """Trips and stops after a late flush of old fixes equal those of an in-order pass."""
    a = register(database, f"vanA-{uid}", DeviceKind.GPS_UNIT).pk
    b = register(database, f"vanB-{uid}", DeviceKind.GPS_UNIT).pk
    fixes = day()
    write(database, a, fixes)
    project(database, a)
    held = fixes[25:60]  # the drive, buffered while offline
    write(database, b, fixes[:25])
    project(database, b)
    write(database, b, fixes[60:])
    project(database, b)
    write(database, b, held)  # flushed late
    project(database, b)
    assert _trips(database, a) == _trips(database, b)
    assert _stops(database, a) == _stops(database, b)
    expected = trips.segment(
        [
            Fix(
                f.device_time,
                f.device_time,
                f.lat,
                f.lon,
                f.speed_mps,
                f.heading_deg,
                f.accuracy_m,
                f.altitude_m,
            )
            for f in fixes
        ],
        trips.TripParams(),
    )[1]
    assert len(_trips(database, a)) == len([s for s in expected if isinstance(s, trips.Trip)]) == 1


def test_geofence_exit_with_dwell_moves_loaded_shipment_in_transit(
    database: str, uid: str, fence: str
) -> None:
    """Leaving the warehouse fence (after its exit dwell) makes a loaded shipment in_transit,
    with the transition as evidence; approaching the door makes it arriving."""
    pk = register(database, f"van-{uid}", DeviceKind.GPS_UNIT).pk
    sid = loaded_shipment(database, uid, 1, f"D{uid}")
    with psycopg.connect(database) as conn:
        conn.execute(
            """INSERT INTO vehicle_loads (shipment_pk, device_pk)
               SELECT pk, %s FROM shipments WHERE shipment_id = %s""",
            (pk, sid),
        )
        conn.commit()
    fixes = day()
    write(database, pk, fixes[:22])  # one fix out: shorter than the exit dwell
    project(database, pk)
    assert rows(database, "SELECT status FROM shipments WHERE shipment_id = %s", sid) == [
        ("loaded",)
    ]
    write(database, pk, fixes[22:])
    project(database, pk)
    exits = rows(
        database,
        "SELECT kind, at FROM geofence_transitions WHERE device_pk = %s AND fence_key = %s",
        pk,
        "gf:" + fence,
    )
    assert [k for k, _ in exits] == ["enter", "exit"]
    assert exits[1][1] == fixes[21].device_time  # first fix clear of the fence
    timeline = rows(
        database,
        """SELECT e.status, e.kind FROM shipment_events e JOIN shipments s ON s.pk = e.shipment_pk
           WHERE s.shipment_id = %s ORDER BY e.occurred_at, e.status""",
        sid,
    )
    assert ("in_transit", "geofence") in timeline and ("arriving", "geofence") in timeline
    assert rows(database, "SELECT status FROM shipments WHERE shipment_id = %s", sid) == [
        ("arriving",)
    ]


def test_eta_moves_sensibly_as_the_van_approaches(database: str, uid: str) -> None:
    """The live ETA's distance falls as the van drives to the door and the ETA stays near
    the true arrival time, each estimate dated by its fix."""
    pk = register(database, f"van-{uid}", DeviceKind.GPS_UNIT).pk
    sid = loaded_shipment(database, uid, 2, f"D{uid}")
    with psycopg.connect(database) as conn:
        conn.execute(
            """INSERT INTO vehicle_loads (shipment_pk, device_pk)
               SELECT pk, %s FROM shipments WHERE shipment_id = %s""",
            (pk, sid),
        )
        conn.commit()
    fixes = day()
    arrival = fixes[70].device_time
    seen = []
    for end in (30, 45, 60, 70):
        write(database, pk, fixes[end - 10 : end])
        project(database, pk)
        eta, distance, as_of = rows(
            database,
            """SELECT eta, distance_m, as_of FROM shipment_eta e JOIN shipments s
               ON s.pk = e.shipment_pk WHERE s.shipment_id = %s""",
            sid,
        )[0]
        assert as_of == fixes[end - 1].device_time
        seen.append((distance, eta))
    distances = [d for d, _ in seen]
    assert distances == sorted(distances, reverse=True) and distances[-1] < 100
    for _, eta in seen:
        assert abs((eta - arrival).total_seconds()) < 300


def test_two_runners_and_a_writer_give_the_in_order_result(database: str, uid: str) -> None:
    """Two runners claiming while a writer commits fixes out of order end with the trips
    and vehicle state of one in-order pass, and nothing left dirty."""
    pks = [register(database, f"van{i}-{uid}", DeviceKind.GPS_UNIT).pk for i in range(3)]
    ref = register(database, f"ref-{uid}", DeviceKind.GPS_UNIT).pk
    fixes = day(T0 + timedelta(minutes=1))
    write(database, ref, fixes)
    project(database, ref)
    chunks = [fixes[i : i + 7] for i in range(0, len(fixes), 7)]
    chunks = chunks[:3] + chunks[5:] + chunks[3:5]  # two chunks arrive late
    stop = threading.Event()
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            while not stop.is_set():
                project(database, *pks)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for chunk in chunks:
        for pk in pks:
            write(database, pk, chunk)
    stop.set()
    for t in threads:
        t.join()
    project(database, *pks)
    assert not errors
    for pk in pks:
        assert _trips(database, pk) == _trips(database, ref)
        assert _stops(database, pk) == _stops(database, ref)
        assert rows(database, "SELECT device_time FROM vehicle_state WHERE device_pk = %s", pk) == [
            (fixes[-1].device_time,)
        ]
    assert rows(database, "SELECT count(*) FROM tracking_dirty WHERE device_pk = ANY(%s)", pks) == [
        (0,)
    ]


def test_runner_once_projects_what_ingest_marked(database: str, uid: str) -> None:
    """`run_once` claims a device that ingest's write marked dirty and clears the mark."""
    pk = register(database, f"van-{uid}", DeviceKind.GPS_UNIT).pk
    write(database, pk, day()[:5])
    assert rows(database, "SELECT count(*) FROM tracking_dirty WHERE device_pk = %s", pk) == [(1,)]
    with psycopg.connect(database, autocommit=True) as conn:
        projector.run_once(conn, projector.Params())
    assert rows(database, "SELECT count(*) FROM tracking_dirty WHERE device_pk = %s", pk) == [(0,)]


def test_a_failing_device_stays_dirty_without_holding_back_the_others(
    database: str, uid: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Devices are projected several to a transaction, each in a savepoint: one whose
    projection fails is rolled back alone and stays dirty; the others commit."""
    good = [register(database, f"ok{n}-{uid}", DeviceKind.GPS_UNIT).pk for n in range(3)]
    bad = register(database, f"bad-{uid}", DeviceKind.GPS_UNIT).pk
    for pk in [*good, bad]:
        write(database, pk, day()[:5])
    real = projector.project_device

    def flaky(conn, device_pk, since, params):  # type: ignore[no-untyped-def]
        outcome = real(conn, device_pk, since, params)  # its writes happen, then it fails
        if device_pk == bad:
            raise RuntimeError("a projection bug")
        return outcome

    monkeypatch.setattr(projector, "project_device", flaky)
    with psycopg.connect(database, autocommit=True) as conn:
        projector.run_once(conn, projector.Params())
    dirty = "SELECT count(*) FROM tracking_dirty WHERE device_pk = %s"
    state = "SELECT count(*) FROM vehicle_state WHERE device_pk = %s"
    for pk in good:
        assert rows(database, dirty, pk) == [(0,)] and rows(database, state, pk) == [(1,)]
    assert rows(database, dirty, bad) == [(1,)] and rows(database, state, bad) == [(0,)]


def test_the_vehicle_keeps_its_latest_reported_battery(database: str, uid: str) -> None:
    """A fix's battery level reaches the vehicle state; a later fix without one keeps it."""
    from msgspec import structs

    pk = register(database, f"batt-{uid}", DeviceKind.PHONE).pk
    fixes = day()[:3]
    charged = [structs.replace(fixes[0], battery_pct=81), structs.replace(fixes[1], battery_pct=80)]
    write(database, pk, charged)
    project(database, pk)
    battery = "SELECT battery_pct FROM vehicle_state WHERE device_pk = %s"
    assert rows(database, battery, pk) == [(80,)]
    write(database, pk, [fixes[2]])
    project(database, pk)
    assert rows(database, battery, pk) == [(80,)]
    stored = "SELECT battery_pct FROM positions WHERE device_pk = %s ORDER BY device_time"
    assert rows(database, stored, pk) == [(81,), (80,), (None,)]
