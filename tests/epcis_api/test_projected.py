"""End to end: reads committed by ingest's writer, projected by the read-point projection,
are served by the REST binding as schema-valid documents."""

from __future__ import annotations

import random

import psycopg
from fastapi.testclient import TestClient

from core.settings import Settings
from tests.epcis_api.conftest import assert_valid, auth, event_path
from tests.epcis_projection.support import (
    dock_reader,
    recent_base,
    shifted,
    site,
    unique_sscc,
    write_reads,
)
from tests.smoothing.dockdoor import Pass, simulate
from tracking.readpoints.projection import run_once
from tracking.readpoints.smoother import Direction


def test_projected_events_are_served_and_valid(
    client: TestClient, settings: Settings, database: str, uid: str
) -> None:
    """Shipping events made from a dock door's reads come back from `GET /epcis/events`
    (by read point, bizStep and EPC) and by eventID, in documents valid under the schema."""
    rng = random.Random(3)
    where = site(uid)
    reader = dock_reader(database, f"dock-{uid}", where)
    passes = [Pass(unique_sscc(rng), Direction.OUTBOUND, 4.0 * i, 1.5) for i in range(3)]
    write_reads(
        database, reader.pk, shifted(simulate(passes, miss_rate=0.3, seed=3), recent_base())
    )
    with psycopg.connect(database, autocommit=True) as conn:
        run_once(conn, settings.epcis, only=[reader.device_id])

    headers = auth("integration")
    answer = client.get(
        "/epcis/events",
        params={"EQ_readPoint": where.read_point, "EQ_bizStep": "shipping"},
        headers=headers,
    )
    assert answer.status_code == 200
    doc = answer.json()
    assert_valid(doc)
    events = doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert sorted(e["epcList"][0] for e in events) == sorted(p.epc for p in passes)

    by_epc = client.get(
        "/epcis/events",
        params={"MATCH_epc": passes[1].epc, "EQ_readPoint": where.read_point},
        headers=headers,
    ).json()
    (one,) = by_epc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    single = client.get(event_path(one["eventID"]), headers=headers)
    assert single.status_code == 200
    assert_valid(single.json())
