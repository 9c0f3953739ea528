"""Stopping anywhere changes nothing: the projection resumed from its stored state (through
JSON, as the database keeps it) makes exactly the events of one uninterrupted pass."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.models import Antenna, AntennaRole
from epc import encode_uri
from tests.smoothing.dockdoor import START, Pass, carton, simulate
from tracking.readpoints import store
from tracking.readpoints.config import read_points
from tracking.readpoints.projection import project
from tracking.readpoints.smoother import Direction

POINT = "urn:epc:id:sgln:0614141.00777.9"
CONFIGS, _ = read_points(
    [
        Antenna(1, POINT, AntennaRole.DOCK_INSIDE),
        Antenna(2, POINT, AntennaRole.DOCK_OUTSIDE),
    ]
)


def _rows(seed: int, directions: list[Direction]) -> list[store.Read]:
    passes = [Pass(carton(i), d, 2.0 * i, 1.3) for i, d in enumerate(directions)]
    reads = simulate(passes, miss_rate=0.35, seed=seed)
    return [
        store.Read(r.read_time, r.antenna, bytes.fromhex(encode_uri(r.epc)), r.rssi_dbm)
        for r in reads
    ]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    directions=st.lists(
        st.sampled_from([Direction.OUTBOUND, Direction.INBOUND]), min_size=1, max_size=5
    ),
    cuts=st.lists(st.floats(0.0, 1.0), max_size=4),
)
def test_any_split_of_the_stream_gives_the_same_events(
    seed: int, directions: list[Direction], cuts: list[float]
) -> None:
    """Projecting the reads in steps ending at arbitrary instants, with the state stored as
    JSON between steps, gives the events of a single step over the whole stream."""
    rows = _rows(seed, directions)
    end = rows[-1].read_time + timedelta(seconds=30)
    whole = project("r", CONFIGS, {}, rows, end, "+08:00").events

    span = (end - START).total_seconds()
    stops = sorted({START + timedelta(seconds=span * c) for c in cuts} | {end})
    state: dict = {}
    events = []
    after = START - timedelta(seconds=1)
    for stop in stops:
        step = [r for r in rows if after < r.read_time <= stop]
        out = project("r", CONFIGS, state, step, stop, "+08:00")
        events += out.events
        state = json.loads(json.dumps(out.state))
        after = stop
    assert sorted(e.event_id for e in events) == sorted(e.event_id for e in whole)
    assert len(whole) == len(directions)
