"""The read-point projection at a packing station: every tag seen gets its `packing`
observation, and a carton leaving with items makes one AggregationEvent ADD."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import psycopg

from core.settings import Settings
from tests.epcis_projection.support import (
    events_at,
    packing_reader,
    recent_base,
    site,
    unique_sgtin,
    unique_sscc,
    write_reads,
)
from tracking.readpoints.projection import run_once
from tracking.readpoints.smoother import TagRead


def _on_bench(
    rng: random.Random, epc: str, start: datetime, from_s: float, to_s: float
) -> list[TagRead]:
    """A tag under the bench antenna from `from_s` to `to_s`, read every 0.2 s, 35 % missed."""
    out, t = [], from_s
    while t <= to_s:
        if rng.random() > 0.35 or t + 0.2 > to_s:  # the last cycle is read: it sets the end
            out.append(
                TagRead("bench", 3, epc, start + timedelta(seconds=t), -45 - 5 * rng.random())
            )
        t += 0.2
    return out


def test_items_leaving_with_a_carton_are_aggregated_into_it(
    settings: Settings, database: str, uid: str
) -> None:
    """Items on the bench that leave with a carton become its children (one ADD per carton);
    an item with no carton and a carton with no items make observations only."""
    rng = random.Random(5)
    where = site(uid)
    reader = packing_reader(database, f"bench-{uid}", where)
    base = recent_base()
    first_items = [unique_sgtin(rng) for _ in range(3)]
    second_items = [unique_sgtin(rng) for _ in range(2)]
    carton_1, carton_2, empty_carton = (unique_sscc(rng) for _ in range(3))
    lone_item = unique_sgtin(rng)
    reads = [r for i, item in enumerate(first_items) for r in _on_bench(rng, item, base, i, 10)]
    reads += _on_bench(rng, carton_1, base, 6, 10.1)
    reads += [r for item in second_items for r in _on_bench(rng, item, base, 20, 30)]
    reads += _on_bench(rng, carton_2, base, 26, 29.9)
    reads += _on_bench(rng, lone_item, base, 40, 45)
    reads += _on_bench(rng, empty_carton, base, 60, 65)
    write_reads(database, reader.pk, sorted(reads, key=lambda r: r.read_time))

    with psycopg.connect(database, autocommit=True) as conn:
        # First up to the middle of the first packing (its state is stored), then the rest.
        middle = base + timedelta(seconds=12 + settings.epcis.settle_s)
        run_once(conn, settings.epcis, now=middle, only=[reader.device_id])
        run_once(conn, settings.epcis, only=[reader.device_id])

    events = events_at(database, where.read_point)
    observed = [e for e in events if e["type"] == "ObjectEvent"]
    packed = [e for e in events if e["type"] == "AggregationEvent"]
    every_tag = first_items + second_items + [carton_1, carton_2, empty_carton, lone_item]
    assert sorted(e["epcList"][0] for e in observed) == sorted(every_tag)
    assert {(e["bizStep"], e["disposition"], e["action"]) for e in observed} == {
        ("packing", "in_progress", "OBSERVE")
    }
    assert {e["parentID"]: sorted(e["childEPCs"]) for e in packed} == {
        carton_1: sorted(first_items),
        carton_2: sorted(second_items),
    }
    assert {(e["action"], e["bizStep"]) for e in packed} == {("ADD", "packing")}
