"""The geofence enter/exit state machine: dwell, accuracy-aware exit, resume and replay."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import Conflict, InvalidInput
from gis.geofence import CircleFence
from tests.tracking.helpers import LAT0, LON0, fix_at
from tracking.geofence_state import (
    FenceParams,
    FenceState,
    FenceTransition,
    advance,
    classify,
    recompute,
)

FENCE = CircleFence(LAT0, LON0, 100.0)
PARAMS = FenceParams()


def _run(fixes, state=None, params=PARAMS):
    return advance(state or FenceState(), FENCE, fixes, params)


def test_driving_in_and_out_gives_one_enter_and_one_exit():
    """A van that drives in, parks a while and drives out yields enter then exit, dated right."""
    fixes = [fix_at(t, -400 + t * 5, 0) for t in range(0, 60, 10)]  # approaching from south
    fixes += [fix_at(t, 0, 0) for t in range(60, 600, 10)]  # parked at the centre
    fixes += [fix_at(t, (t - 600) * 10, 0) for t in range(600, 700, 10)]  # leaving north
    state, transitions = _run(fixes)
    assert [tr.kind for tr in transitions] == ["enter", "exit"]
    enter, leave = transitions
    assert enter.at == fixes[6].device_time  # first fix inside (t = 60 s)
    assert (enter.confirmed_at - enter.at).total_seconds() == 30
    # At t = 610 s the van is on the edge (near); at 620 s, 200 m north, it is clear of
    # accuracy + buffer, so that is when it left; 60 s of outside fixes confirm it.
    assert leave.at == fix_at(620, 0, 0).device_time
    assert leave.confirmed_at == fix_at(680, 0, 0).device_time
    assert state.status == "outside"


def test_a_drive_by_shorter_than_the_enter_dwell_is_not_an_enter():
    """Passing through the fence in less than enter_dwell_s emits nothing."""
    fixes = [fix_at(t, -200 + t * 15, 0) for t in range(0, 40, 5)]  # 15 m/s through 200 m
    state, transitions = _run([fix_at(-120, -500, 0), fix_at(-60, -400, 0), *fixes])
    assert transitions == []
    assert state.status == "outside"


def test_unknown_start_inside_enters_and_outside_settles_silently():
    """First seen inside is an enter; first seen outside is no event at all."""
    _, inside = _run([fix_at(t, 0, 0) for t in range(0, 60, 10)])
    assert [tr.kind for tr in inside] == ["enter"]
    state, outside = _run([fix_at(t, 0, 500) for t in range(0, 120, 10)])
    assert outside == [] and state.status == "outside"


def test_fixes_whose_accuracy_circle_touches_the_fence_do_not_count_as_outside():
    """A fix 20 m outside with 15 m accuracy is 'near', and near fixes never complete an exit."""
    assert classify(FENCE, fix_at(0, 0, 120, accuracy_m=15), PARAMS) == "near"
    assert classify(FENCE, fix_at(0, 0, 130, accuracy_m=15), PARAMS) == "outside"
    assert classify(FENCE, fix_at(0, 0, 100, accuracy_m=15), PARAMS) == "inside"
    assert classify(FENCE, fix_at(0, 0, 0, accuracy_m=900), PARAMS) == "ignored"
    assert classify(FENCE, fix_at(0, 0, 115, accuracy_m=None), PARAMS) == "near"


def test_ignored_fixes_neither_break_nor_extend_a_run():
    """A wildly inaccurate fix in the middle of a run leaves the run as it was."""
    fixes = [fix_at(0, 0, 0), fix_at(10, 0, 0), fix_at(20, 0, 2000, accuracy_m=800)]
    fixes += [fix_at(30, 0, 0)]
    _, transitions = _run(fixes)
    assert [tr.kind for tr in transitions] == ["enter"]
    assert transitions[0].at == fixes[0].device_time


def _parked(edge_offset_m: float, noise, scale: float) -> list:
    """Fixes of a van parked edge_offset_m outside the edge (negative: inside), each off by
    at most `scale` times its reported accuracy."""
    fixes = []
    for i, (nx, ny, accuracy_m) in enumerate(noise):
        east_m = 100 + edge_offset_m + nx * accuracy_m * scale * 0.7
        north_m = ny * accuracy_m * scale * 0.7
        fixes.append(fix_at(i * 15, north_m, east_m, accuracy_m=accuracy_m))
    return fixes


noise_runs = st.lists(
    st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.floats(3, 30)), min_size=5, max_size=80
)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=-40, max_value=0), noise_runs)
def test_a_van_parked_inside_near_the_edge_never_exits(edge_offset_m, noise):
    """Parked inside within 40 m of the edge, fixes off by up to their accuracy never exit."""
    fixes = _parked(edge_offset_m, noise, scale=1.0)
    start = FenceState(status="inside", watermark=fixes[0].device_time.replace(year=2000))
    _, transitions = _run(fixes, state=start)
    assert transitions == []


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=-40, max_value=40),
    st.floats(min_value=3, max_value=30),
    st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1)), min_size=5, max_size=80),
)
def test_a_van_parked_on_either_side_does_not_flap(edge_offset_m, accuracy_m, noise):
    """Parked within 40 m of the edge, with noise inside half the accuracy, at most one change."""
    fixes = _parked(edge_offset_m, [(nx, ny, accuracy_m) for nx, ny in noise], scale=0.5)
    for status in ("inside", "outside"):
        start = FenceState(status=status, watermark=fixes[0].device_time.replace(year=2000))
        _, transitions = _run(fixes, state=start)
        assert len(transitions) <= 1


def test_duplicate_fix_is_a_no_op_and_a_late_fix_is_refused():
    """Replaying the watermark fix changes nothing; an older fix raises late_fix."""
    fixes = [fix_at(t, 0, 0) for t in range(0, 60, 10)]
    state, transitions = _run(fixes)
    again, none = _run([fixes[-1]], state=state)
    assert again == state and none == []
    with pytest.raises(Conflict) as caught:
        _run([fixes[2]], state=state)
    assert caught.value.code == "late_fix"


def test_state_survives_json():
    """A state mid-run written as JSON and read back resumes exactly where it was."""
    fixes = [fix_at(t, 0, 0) for t in range(0, 20, 10)]
    state, _ = _run(fixes)
    assert state.pending == "inside"
    assert FenceState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    assert FenceState.from_dict(FenceState().to_dict()) == FenceState()


def test_params_are_validated():
    """Negative dwell or a non-positive accuracy cap is refused with a code."""
    with pytest.raises(InvalidInput):
        FenceParams(enter_dwell_s=-1)
    with pytest.raises(InvalidInput):
        FenceParams(max_accuracy_m=0)


def _wander(seed: int, n: int) -> list:
    """A van wandering in and out of the fence, with jitter and the odd bad fix."""
    rng = random.Random(seed)
    fixes, north_m, east_m, t = [], -400.0, 0.0, 0.0
    for _ in range(n):
        t += rng.choice([5, 10, 15, 30, 120])
        north_m += rng.uniform(-60, 80)
        east_m += rng.uniform(-40, 40)
        if abs(north_m) > 500:
            north_m *= 0.5
        acc = rng.choice([None, 3.0, 8.0, 25.0, 60.0, 400.0])
        fixes.append(fix_at(t, north_m, east_m, accuracy_m=acc))
    return fixes


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 120), st.data())
def test_chunks_resumed_through_json_equal_one_pass(seed, n, data):
    """Feeding fixes in chunks, storing the state as JSON between, equals one pass."""
    fixes = _wander(seed, n)
    whole_state, whole = _run(fixes)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=4)))
    state, got = FenceState(), []
    for lo, hi in zip([0, *cuts], [*cuts, n], strict=True):
        state, transitions = _run(fixes[lo:hi], state=state)
        got += transitions
        state = FenceState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert got == whole and state == whole_state


def _replay_with_late_fix(fixes: list, late_index: int, periodic: bool):
    """Process all but one fix, then the late one as a projection would; return the outcome."""
    late = fixes[late_index]
    on_time = fixes[:late_index] + fixes[late_index + 1 :]
    stored: list[FenceTransition] = []
    snapshots: list[FenceState] = [FenceState()]
    state = FenceState()
    for f in on_time:
        state, transitions = _run([f], state=state)
        stored += transitions
        snapshots.append(state)
    assert state.watermark is None or late.device_time < state.watermark or late is fixes[-1]
    # The checkpoint: the last stored transition confirmed before the late fix, or (with
    # periodic snapshots) the last snapshot before it; else the start.
    if periodic:
        checkpoint = max(
            (s for s in snapshots if s.watermark is None or s.watermark < late.device_time),
            key=lambda s: (s.watermark is not None, s.watermark),
        )
    else:
        earlier = [tr for tr in stored if tr.confirmed_at < late.device_time]
        checkpoint = earlier[-1].checkpoint() if earlier else FenceState()
    window = [
        f for f in fixes if checkpoint.watermark is None or f.device_time >= checkpoint.watermark
    ]
    result = recompute(checkpoint, FENCE, window, PARAMS)
    kept = [
        tr
        for tr in stored
        if result.replaces_after is not None and tr.confirmed_at <= result.replaces_after
    ]
    return result.state, kept + result.transitions


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 80), st.data(), st.booleans())
def test_recompute_after_a_late_fix_equals_having_had_it_on_time(seed, n, data, periodic):
    """A late fix replayed from a checkpoint gives the transitions of an in-order pass."""
    fixes = _wander(seed, n)
    late_index = data.draw(st.integers(0, n - 1))
    want_state, want = _run(fixes)
    got_state, got = _replay_with_late_fix(fixes, late_index, periodic)
    assert got == want
    assert got_state == want_state
