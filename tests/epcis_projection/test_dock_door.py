"""The read-point projection at a simulated dock door: noisy reads committed to tag_reads
become exactly one EPCIS event per carton, with the bizStep of its direction, once."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import psycopg
import pytest

from core.settings import Settings
from devices import service as devices
from tests.epcis_projection.support import (
    dock_reader,
    events_at,
    recent_base,
    shifted,
    site,
    unique_sscc,
    write_reads,
)
from tests.smoothing.dockdoor import START, Pass, simulate
from tracking.readpoints import store
from tracking.readpoints.config import read_points
from tracking.readpoints.projection import project, run_once
from tracking.readpoints.smoother import Direction, TagRead


def _run(settings: Settings, device_id: str, **kwargs) -> int:
    with psycopg.connect(settings.db.url, autocommit=True) as conn:
        return run_once(conn, settings.epcis, only=[device_id], **kwargs).events


def _passes(rng: random.Random, directions: list[Direction], gap_s: float) -> list[Pass]:
    return [Pass(unique_sscc(rng), d, i * gap_s, 1.2) for i, d in enumerate(directions)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_carton_makes_one_event_with_its_direction(
    settings: Settings, database: str, uid: str, seed: int
) -> None:
    """From a noisy two-antenna stream, each carton gives one ObjectEvent OBSERVE at the
    door: `shipping`/`in_transit` outbound, `receiving`/`in_progress` inbound; strays none."""
    rng = random.Random(seed)
    where = site(uid)
    reader = dock_reader(database, f"dock-{uid}", where)
    directions = [Direction.OUTBOUND, Direction.INBOUND, Direction.OUTBOUND, Direction.OUTBOUND]
    passes = _passes(rng, directions, gap_s=1.0)  # overlapping: several cartons in the field
    reads = shifted(simulate(passes, miss_rate=0.35, seed=seed), recent_base())
    assert write_reads(database, reader.pk, reads) > 0

    assert _run(settings, reader.device_id) == len(passes)

    events = events_at(database, where.read_point)
    assert sorted(e["epcList"][0] for e in events) == sorted(p.epc for p in passes)
    expected = {
        Direction.OUTBOUND: ("shipping", "in_transit"),
        Direction.INBOUND: ("receiving", "in_progress"),
    }
    for p in passes:
        (event,) = [e for e in events if e["epcList"] == [p.epc]]
        assert (event["bizStep"], event["disposition"]) == expected[p.direction]
        assert event["type"] == "ObjectEvent" and event["action"] == "OBSERVE"
        assert event["readPoint"] == {"id": where.read_point}
        assert event["bizLocation"] == {"id": where.biz_location}
        assert event["eventTimeZoneOffset"] == settings.epcis.site_utc_offset


def test_a_second_run_adds_nothing(settings: Settings, database: str, uid: str) -> None:
    """Running the projection again over the same reads stores no new event, and a reset
    watermark (a replay from scratch) stores none either."""
    rng = random.Random(7)
    where = site(uid)
    reader = dock_reader(database, f"dock-{uid}", where)
    passes = _passes(rng, [Direction.OUTBOUND, Direction.INBOUND], gap_s=8.0)
    write_reads(
        database, reader.pk, shifted(simulate(passes, miss_rate=0.3, seed=7), recent_base())
    )

    assert _run(settings, reader.device_id) == 2
    assert _run(settings, reader.device_id) == 0
    with psycopg.connect(database) as conn:
        conn.execute(
            "UPDATE readpoint_progress SET watermark = NULL, state = '{}' WHERE device_pk = %s",
            (reader.pk,),
        )
    assert _run(settings, reader.device_id) == 0
    assert len(events_at(database, where.read_point)) == 2


def test_two_runners_and_a_writer_give_the_same_events_as_one_pass(
    settings: Settings, database: str, uid: str
) -> None:
    """With reads committed while two runners project concurrently, tick by tick, the
    events are exactly those of one pass over the whole stream: none lost, none twice."""
    rng = random.Random(11)
    where = site(uid)
    reader = dock_reader(database, f"dock-{uid}", where)
    directions = [rng.choice([Direction.OUTBOUND, Direction.INBOUND]) for _ in range(6)]
    passes = _passes(rng, directions, gap_s=2.5)
    base = recent_base()
    reads = shifted(simulate(passes, miss_rate=0.35, seed=11), base)
    end = reads[-1].read_time + timedelta(seconds=30)
    cfg = settings.epcis.model_copy(update={"settle_s": 2.0, "project_batch_reads": 150})

    def runner(now) -> None:
        with psycopg.connect(database, autocommit=True) as conn:
            run_once(conn, cfg, now=now, only=[reader.device_id])

    tick = base
    written = 0
    while tick < end:
        tick += timedelta(seconds=0.5)
        upto = sum(1 for r in reads if r.read_time <= tick)
        threads = [threading.Thread(target=runner, args=(tick,)) for _ in range(2)]
        threads.append(
            threading.Thread(target=write_reads, args=(database, reader.pk, reads[written:upto]))
        )
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        written = upto

    with psycopg.connect(database) as conn:
        configs, _ = read_points(devices.detail(conn, reader.device_id).antennas)
        rows = store.reads(conn, reader.pk, store.EPOCH, end)
    one_pass = project(reader.device_id, configs, {}, rows, end, cfg.site_utc_offset)
    got = events_at(database, where.read_point)
    assert sorted(e["eventID"] for e in got) == sorted(e.event_id for e in one_pass.events)
    assert sorted(e["epcList"][0] for e in got) == sorted(p.epc for p in passes)


def test_an_undecodable_tag_is_kept_under_its_raw_uri(
    settings: Settings, database: str, uid: str
) -> None:
    """A tag whose EPC no scheme decodes still makes its event, named by its raw URI."""
    where = site(uid)
    reader = dock_reader(database, f"dock-{uid}", where)
    raw_hex = "00" + uid.upper().ljust(22, "0")  # header 0x00: unprogrammed
    stream = [
        TagRead("sim", 1 if i < 6 else 2, f"raw:{raw_hex}", START + timedelta(seconds=0.1 * i), -50)
        for i in range(12)
    ]
    write_reads(database, reader.pk, shifted(stream, recent_base()))
    assert _run(settings, reader.device_id) == 1
    (event,) = events_at(database, where.read_point)
    assert event["epcList"] == [f"urn:epc:raw:96.x{raw_hex}"]
    assert event["bizStep"] == "shipping"
