"""Batched writes into the real telemetry log: idempotent, partitioned, dead letters kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg

from devices import service as devices
from devices.models import DeviceKind
from ingest import store
from ingest.pipeline import DeadLetter
from ingest.records import Position, Reason, TagRead

NOW = datetime.now(UTC).replace(microsecond=0)


def _device(conn: psycopg.Connection, uid: str) -> int:
    return devices.register(
        conn, device_id=f"st-{uid}", kind=DeviceKind.GPS_UNIT, format="native"
    ).pk


def _rows(pk: int, count: int) -> store.Batch:
    return store.Batch(
        positions=[
            (pk, NOW, Position(NOW - timedelta(seconds=i), 30.0 + i / 1000, 120.0))
            for i in range(count)
        ]
    )


def test_replaying_a_batch_changes_nothing(conn: psycopg.Connection, uid: str) -> None:
    """Writing the same rows twice stores them once and reports the second lot as duplicates."""
    pk = _device(conn, uid)
    first = store.write_batch(conn, _rows(pk, 5))
    second = store.write_batch(conn, _rows(pk, 5))
    assert (first.positions_inserted, first.positions_duplicate) == (5, 0)
    assert (second.positions_inserted, second.positions_duplicate) == (0, 5)
    count = conn.execute("SELECT count(*) FROM positions WHERE device_pk = %s", (pk,)).fetchone()
    assert count == (5,)


def test_duplicates_inside_one_batch_collapse(conn: psycopg.Connection, uid: str) -> None:
    """Two fixes of one device at the same device time inside one batch keep the first."""
    pk = _device(conn, uid)
    batch = _rows(pk, 1)
    batch.positions *= 3
    written = store.write_batch(conn, batch)
    assert (written.positions_inserted, written.positions_duplicate) == (1, 2)


def test_geometry_and_units_are_stored(conn: psycopg.Connection, uid: str) -> None:
    """A stored fix keeps its point in SRID 4326 and every measured value."""
    pk = _device(conn, uid)
    fix = Position(NOW, 30.25, 120.15, 8.5, 271.0, 4.0, 12.5, built_time=NOW)
    store.write_batch(conn, store.Batch(positions=[(pk, NOW, fix)]))
    row = conn.execute(
        """SELECT ST_SRID(geom), ST_Y(geom), ST_X(geom), speed_mps, heading_deg, accuracy_m,
                  altitude_m, built_time
             FROM positions WHERE device_pk = %s""",
        (pk,),
    ).fetchone()
    assert row == (4326, 30.25, 120.15, 8.5, 271.0, 4.0, 12.5, NOW)


def test_dead_letters_are_kept_once(conn: psycopg.Connection, uid: str) -> None:
    """A dead letter keeps raw bytes, topic, device and reason; a redelivered copy is not added."""
    letter = DeadLetter(
        f"waybill/v1/devices/x-{uid}/telemetry", f"x-{uid}", Reason.UNKNOWN_DEVICE,
        "no such device", b"\x00\xffraw", NOW,
    )  # fmt: skip
    batch = store.Batch(dead_letters=[letter])
    assert store.write_batch(conn, batch).dead_letters_inserted == 1
    assert store.write_batch(conn, batch).dead_letters_inserted == 0
    row = conn.execute(
        "SELECT topic, device_id, reason, payload FROM dead_letters WHERE device_id = %s",
        (f"x-{uid}",),
    ).fetchone()
    assert row == (letter.topic, f"x-{uid}", "unknown_device", b"\x00\xffraw")


def test_tag_reads_are_keyed_by_reader_antenna_epc_and_time(
    conn: psycopg.Connection, uid: str
) -> None:
    """A reader replaying its buffer stores each (antenna, EPC, read time) once."""
    pk = devices.register(
        conn, device_id=f"rd-{uid}", kind=DeviceKind.RFID_READER, format="native"
    ).pk
    reads = [
        TagRead(NOW, "3074257BF7194E4000001A85", 1, -52.5, 3, event_number=7),
        TagRead(NOW, "3074257BF7194E4000001A85", 2, -60.0),
        TagRead(NOW - timedelta(seconds=1), "3074257BF7194E4000001A85", 1, -55.0),
    ]
    batch = store.Batch(tag_reads=[(pk, NOW, r) for r in reads])
    first, replay = store.write_batch(conn, batch), store.write_batch(conn, batch)
    assert (first.tag_reads_inserted, replay.tag_reads_inserted) == (3, 0)
    assert replay.tag_reads_duplicate == 3
    row = conn.execute(
        """SELECT encode(epc, 'hex'), read_count, rssi_dbm, event_number FROM tag_reads
           WHERE device_pk = %s AND antenna = 1 AND read_time = %s""",
        (pk, NOW),
    ).fetchone()
    assert row == ("3074257bf7194e4000001a85", 3, -52.5, 7)


def test_positions_are_partitioned_by_day(conn: psycopg.Connection) -> None:
    """positions is range-partitioned on device_time with today's partition premade."""
    strategy = conn.execute(
        "SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'positions'::regclass"
    ).fetchone()
    assert strategy == ("r",)
    today = conn.execute(
        """SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'positions'::regclass AND c.relname = %s""",
        ("positions_p" + NOW.strftime("%Y_%m_%d"),),
    ).fetchone()
    assert today == (1,)
    key = conn.execute(
        """SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = 'positions'::regclass AND i.indisprimary"""
    ).fetchone()
    assert key == (["device_pk", "device_time"],)
