"""Trips, stops and odometer: scenarios, properties over random tracks, resume and replay."""

from __future__ import annotations

import json
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import Conflict, InvalidInput
from gis.geodesy import haversine_m
from tests.tracking.helpers import fix_at
from tracking.trips import (
    Stop,
    Trip,
    TripParams,
    TripState,
    advance,
    open_segment,
    recompute,
    segment,
)

PARAMS = TripParams()


class Drive:
    """A scripted van: park, drive, go silent; fixes every `every_s` seconds."""

    def __init__(self, every_s: float = 10.0, seed: int = 1) -> None:
        self.t, self.north, self.east, self.every_s = 0.0, 0.0, 0.0, every_s
        self.rng = random.Random(seed)
        self.fixes: list = []

    def emit(self, jitter_m: float = 0.0, accuracy_m: float | None = 5.0) -> None:
        jn = self.rng.uniform(-jitter_m, jitter_m)
        je = self.rng.uniform(-jitter_m, jitter_m)
        self.fixes.append(fix_at(self.t, self.north + jn, self.east + je, accuracy_m))

    def park(self, seconds: float, jitter_m: float = 8.0) -> Drive:
        end = self.t + seconds
        while self.t < end:
            self.emit(jitter_m)
            self.t += self.every_s
        return self

    def drive(self, metres: float, heading_deg: float, speed_mps: float = 10.0) -> Drive:
        steps = max(1, round(metres / (speed_mps * self.every_s)))
        for _ in range(steps):
            self.north += metres / steps * math.cos(math.radians(heading_deg))
            self.east += metres / steps * math.sin(math.radians(heading_deg))
            self.emit()
            self.t += self.every_s
        return self

    def silent(self, seconds: float, north_m: float = 0.0, east_m: float = 0.0) -> Drive:
        self.t += seconds
        self.north += north_m
        self.east += east_m
        return self


def _trips(segments):
    return [s for s in segments if isinstance(s, Trip)]


def _stops(segments):
    return [s for s in segments if isinstance(s, Stop)]


def test_drive_stop_drive():
    """Park, drive 2 km, park, drive 1 km, park: two closed stops and two trips between them."""
    van = Drive().park(300).drive(2000, 90).park(300).drive(1000, 0).park(300)
    state, segments = segment(van.fixes, PARAMS)
    assert [type(s).__name__ for s in segments] == ["Stop", "Trip", "Stop", "Trip"]
    first, second = _trips(segments)
    assert first.distance_m == pytest.approx(2000, rel=0.03)
    assert second.distance_m == pytest.approx(1000, rel=0.03)
    assert first.end_reason == second.end_reason == "stop"
    assert state.odometer_m == pytest.approx(first.distance_m + second.distance_m)
    assert isinstance(open_segment(state), Stop)  # the last stop is still open


def test_parked_all_day_with_jitter_is_one_open_stop():
    """An hour parked with 20 m jitter is one open stop, no trip, zero odometer."""
    state, segments = segment(Drive().park(3600, jitter_m=20).fixes, PARAMS)
    assert segments == [] and state.odometer_m == 0
    current = open_segment(state)
    assert isinstance(current, Stop) and current.decided_at is None
    assert (current.end - current.start).total_seconds() >= 3500


def test_a_speed_spike_is_not_distance():
    """One fix 2 km off the road is rejected: the odometer keeps to the road."""
    van = Drive().park(300).drive(1000, 90)
    van.fixes.append(fix_at(van.t, 2000, 2000))
    van.t += 10
    van.drive(1000, 90).park(300)
    state, segments = segment(van.fixes, PARAMS)
    assert [t.distance_m for t in _trips(segments)] == [pytest.approx(2000, rel=0.03)]
    assert state.odometer_m == pytest.approx(2000, rel=0.03)


def test_a_wild_fix_while_parked_is_not_a_trip():
    """A single slow 70 m wander while parked folds back into the same stop."""
    van = Drive().park(300, jitter_m=5)
    van.fixes.append(fix_at(van.t, 70, 0))
    van.t += 10
    van.park(600, jitter_m=5)
    state, segments = segment(van.fixes, PARAMS)
    assert segments == [] and state.odometer_m == 0
    assert isinstance(open_segment(state), Stop)


def test_shunting_in_a_yard_is_folded_into_the_stop():
    """Moving 80 m across a yard between two long waits is one stop, not a trip."""
    van = Drive().park(600).drive(80, 45, speed_mps=2).park(600).drive(1500, 180).park(300)
    _, segments = segment(van.fixes, PARAMS)
    assert [type(s).__name__ for s in segments] == ["Stop", "Trip"]
    assert (segments[0].end - segments[0].start).total_seconds() > 1200


def test_going_offline_closes_the_trip():
    """Twenty silent minutes, then a fix 5 km away, ends the trip at the last fix before."""
    van = Drive().park(300).drive(1000, 90).silent(1200, north_m=5000).drive(1000, 90).park(300)
    state, segments = segment(van.fixes, PARAMS)
    trips = _trips(segments)
    assert [t.end_reason for t in trips] == ["offline", "stop"]
    assert trips[0].distance_m == pytest.approx(1000, rel=0.03)
    # 1000 m, then 900 m from the first fix after the gap: never the 5 km across it.
    assert state.odometer_m == pytest.approx(1900, rel=0.03)


def test_parked_while_offline_is_one_stop_across_the_gap():
    """Arrive, go silent for two hours, wake at the same place: one stop spanning the gap."""
    van = Drive().park(300).drive(1000, 90).park(60).silent(7200).park(300).drive(800, 0)
    van.park(300)
    _, segments = segment(van.fixes, PARAMS)
    assert [type(s).__name__ for s in segments] == ["Stop", "Trip", "Stop", "Trip"]
    overnight = _stops(segments)[1]
    assert (overnight.end - overnight.start).total_seconds() > 7200


def test_a_wrong_first_fix_is_outvoted():
    """A cold-start fix 30 km away is replaced once three agreeing fixes contradict it."""
    van = Drive()
    van.fixes.append(fix_at(-10, 30_000, 0))
    van.park(300).drive(1000, 90).park(300)
    state, segments = segment(van.fixes, PARAMS)
    trips = _trips(segments)
    assert len(trips) == 1 and trips[0].distance_m == pytest.approx(1000, rel=0.05)
    assert state.odometer_m == pytest.approx(1000, rel=0.05)


def test_inaccurate_fixes_are_ignored():
    """Network fixes (accuracy 500 m) scattered through a drive add nothing."""
    van = Drive().park(300)
    for i in range(5):
        van.fixes.append(fix_at(van.t + i, 3000 * i, -2000, accuracy_m=500))
    van.t += 10
    van.drive(1000, 90).park(300)
    state, _ = segment(van.fixes, PARAMS)
    assert state.odometer_m == pytest.approx(1000, rel=0.03)


def test_duplicates_are_no_ops_and_late_fixes_are_refused():
    """Re-sending the last fix changes nothing; an older fix raises late_fix."""
    fixes = Drive().park(300).drive(500, 90).fixes
    state, _ = advance(TripState(), fixes, PARAMS)
    again, none = advance(state, fixes[-1:], PARAMS)
    assert again == state and none == []
    with pytest.raises(Conflict) as caught:
        advance(state, fixes[3:4], PARAMS)
    assert caught.value.code == "late_fix"


def test_params_are_validated():
    """Impossible parameters are refused with a code."""
    for bad in (
        {"stop_radius_m": 0},
        {"gap_s": 60, "stop_min_duration_s": 120},
        {"outlier_reset_fixes": 1},
        {"min_trip_displacement_m": -1},
    ):
        with pytest.raises(InvalidInput):
            TripParams(**bad)


# --- properties over random tracks ---------------------------------------------------

legs = st.lists(
    st.one_of(
        st.tuples(st.just("park"), st.integers(30, 900), st.floats(0, 30)),
        st.tuples(st.just("drive"), st.integers(50, 3000), st.floats(0, 360)),
        st.tuples(st.just("silent"), st.integers(60, 3600), st.floats(0, 5000)),
        st.tuples(st.just("spike"), st.integers(100, 5000), st.floats(0, 360)),
    ),
    min_size=1,
    max_size=8,
)


@st.composite
def tracks(draw):
    van = Drive(every_s=draw(st.sampled_from([5, 10, 30, 60])), seed=draw(st.integers(0, 99)))
    for kind, a, b in draw(legs):
        if kind == "park":
            van.park(a, jitter_m=b)
        elif kind == "drive":
            van.drive(a, b, speed_mps=draw(st.floats(2, 30)))
        elif kind == "silent":
            van.silent(a, north_m=b)
        else:
            van.fixes.append(fix_at(van.t, van.north + a * math.cos(b), van.east + a * math.sin(b)))
            van.t += van.every_s
    return van.fixes


def _check_invariants(state, segments, params=PARAMS):
    trips = _trips(segments)
    assert state.odometer_m == pytest.approx(sum(t.distance_m for t in trips), abs=1e-6)
    timeline = sorted(segments, key=lambda s: (s.start, s.end))
    assert timeline == segments  # emitted in time order
    for before, after in zip(timeline, timeline[1:], strict=False):
        assert before.end <= after.start  # nothing overlaps, trips touch stops at most
    for t in trips:
        assert t.start < t.end
        straight_m = haversine_m(t.start_lat, t.start_lon, t.end_lat, t.end_lon)
        assert t.distance_m >= straight_m - 1e-6
        assert t.distance_m >= params.min_trip_displacement_m
    for s in _stops(segments):
        assert (s.end - s.start).total_seconds() >= params.stop_min_duration_s


@settings(max_examples=80, deadline=None)
@given(tracks(), st.randoms(use_true_random=False))
def test_any_permutation_gives_the_same_result(fixes, rnd):
    """Shuffled input, sorted back by device time, yields the very same segments and state."""
    want = segment(fixes, PARAMS)
    shuffled = list(fixes)
    rnd.shuffle(shuffled)
    assert segment(shuffled, PARAMS) == want
    _check_invariants(*want)


@settings(max_examples=80, deadline=None)
@given(tracks(), st.data())
def test_chunks_resumed_through_json_equal_one_pass(fixes, data):
    """Feeding fixes in chunks, storing the state as JSON between, equals one pass."""
    want_state, want = segment(fixes, PARAMS)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(fixes)), max_size=5)))
    state, got = TripState(), []
    for lo, hi in zip([0, *cuts], [*cuts, len(fixes)], strict=True):
        state, closed = advance(state, fixes[lo:hi], PARAMS)
        got += closed
        state = TripState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert got == want and state == want_state


@settings(max_examples=60, deadline=None)
@given(tracks(), st.data())
def test_recompute_after_a_late_fix_equals_having_had_it_on_time(fixes, data):
    """A late fix replayed from the last snapshot before it gives the in-order answer."""
    if len(fixes) < 2:
        return
    want_state, want = segment(fixes, PARAMS)
    late = fixes[data.draw(st.integers(0, len(fixes) - 1))]
    snapshots, stored, state = [TripState()], [], TripState()
    batch = data.draw(st.integers(1, 20))
    on_time = [f for f in fixes if f is not late]
    for i in range(0, len(on_time), batch):
        state, closed = advance(state, on_time[i : i + batch], PARAMS)
        stored += closed
        snapshots.append(state)
    checkpoint = [s for s in snapshots if s.watermark is None or s.watermark < late.device_time][-1]
    result = recompute(checkpoint, fixes, PARAMS)
    kept = [
        s
        for s in stored
        if result.replaces_after is not None and s.decided_at <= result.replaces_after
    ]
    assert kept + result.segments == want
    assert result.state == want_state
