"""Read smoothing at a read point: one departure per pass, the right direction, presence
only after enough good reads, departure only after the quiet period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.smoothing.dockdoor import START, Pass, carton, simulate
from tracking.readpoints.params import DOCK_DOOR, PACKING_STATION, ReadPointParams
from tracking.readpoints.smoother import Arrived, Departed, Direction, ReadPointSmoother, TagRead


def run(reads: list[TagRead], params: ReadPointParams = DOCK_DOOR) -> list:
    smoother = ReadPointSmoother(params)
    out = [o for r in reads for o in smoother.read(r)]
    if reads:
        out += smoother.advance(reads[-1].read_time + timedelta(seconds=60))
    return out


def at(seconds: float) -> object:
    return START + timedelta(seconds=seconds)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    miss_rate=st.floats(0.30, 0.40),
    directions=st.lists(
        st.sampled_from([Direction.OUTBOUND, Direction.INBOUND]), min_size=1, max_size=6
    ),
    speed=st.floats(0.8, 2.0),
    overlap=st.booleans(),
)
def test_noisy_dock_door_gives_one_departure_per_carton_with_its_direction(
    seed: int, miss_rate: float, directions: list[Direction], speed: float, overlap: bool
) -> None:
    """With 30-40 % missed cycles, repeated reads and strays from the next door, every
    carton departs exactly once, in the direction it went, and strays never appear."""
    gap = 1.0 if overlap else 8.0  # overlapping passes: several cartons in the field at once
    passes = [Pass(carton(i), d, i * gap, speed) for i, d in enumerate(directions)]
    out = run(simulate(passes, miss_rate=miss_rate, seed=seed))
    departed = [o for o in out if isinstance(o, Departed)]
    arrived = [o for o in out if isinstance(o, Arrived)]
    assert sorted(d.epc for d in departed) == sorted(p.epc for p in passes)
    assert sorted(a.epc for a in arrived) == sorted(p.epc for p in passes)
    assert {d.epc: d.direction for d in departed} == {p.epc: p.direction for p in passes}
    for d in departed:
        assert d.first_seen <= d.last_seen and d.count >= DOCK_DOOR.min_reads
        assert d.peak_rssi_dbm is not None and d.peak_rssi_dbm >= DOCK_DOOR.rssi_floor_dbm


def test_present_only_after_n_reads_within_the_window() -> None:
    """A tag becomes present on its third good read within two seconds, not before."""
    s = ReadPointSmoother(DOCK_DOOR)
    epc = carton(1)
    assert s.read(TagRead("r", 1, epc, at(0.0), -50)) == []
    assert s.read(TagRead("r", 1, epc, at(0.5), -50)) == []
    assert s.read(TagRead("r", 1, epc, at(0.9), -50)) == [Arrived("r", epc, at(0.0), at(0.9))]
    assert s.read(TagRead("r", 1, epc, at(1.0), -50)) == []  # arrives once


def test_reads_spread_too_thin_or_too_weak_never_make_a_tag_present() -> None:
    """Reads further apart than the window, or below the RSSI floor, never make presence."""
    epc = carton(2)
    sparse = [TagRead("r", 1, epc, at(2.5 * i), -50) for i in range(5)]
    weak = [TagRead("r", 1, epc, at(100 + 0.1 * i), -70) for i in range(30)]
    assert run(sparse + weak) == []


def test_departed_only_after_the_quiet_period() -> None:
    """A present tag departs when it has been quiet for the quiet period, not a moment before."""
    s = ReadPointSmoother(DOCK_DOOR)
    epc = carton(3)
    for i, antenna in enumerate([1, 1, 1, 2, 2, 2]):
        s.read(TagRead("r", antenna, epc, at(0.2 * i), -45.0 - i))
    last = at(1.0)
    assert s.advance(last + timedelta(seconds=2.999)) == []
    (gone,) = s.advance(last + timedelta(seconds=3))
    assert gone == Departed("r", epc, Direction.OUTBOUND, at(0.0), last, 6, -45.0)
    assert s.advance(last + timedelta(seconds=10)) == []


def test_a_short_gap_does_not_split_a_pass() -> None:
    """Missed reads shorter than the quiet period leave one session and one departure."""
    epc = carton(4)
    reads = [TagRead("r", 2, epc, at(t), -50) for t in (0, 0.1, 0.2, 2.5, 2.6)]
    reads += [TagRead("r", 1, epc, at(t), -50) for t in (2.7, 2.8, 5.0, 5.1)]
    (arrived, departed) = run(reads)
    assert isinstance(arrived, Arrived)
    assert departed.direction is Direction.INBOUND and departed.count == 9


def test_a_tag_parked_in_the_door_has_no_direction() -> None:
    """Both zones reading a tag at the same times give no direction."""
    epc = carton(5)
    reads = [TagRead("r", a, epc, at(0.1 * i), -50) for i in range(20) for a in (1, 2)]
    (_, departed) = run(reads)
    assert departed.direction is Direction.UNKNOWN


def test_packing_station_reports_presence_without_direction() -> None:
    """A packing station has no zones: items arrive and depart with an unknown direction."""
    epc = "urn:epc:id:sgtin:0614141.812345.9"
    reads = [TagRead("bench-2", 1, epc, at(0.3 * i), -45) for i in range(10)]
    arrived, departed = run(reads, PACKING_STATION)
    assert arrived.present_at == at(0.3)
    assert departed.direction is Direction.UNKNOWN and departed.count == 10


def test_late_reads_do_not_reopen_a_closed_pass() -> None:
    """A read older than the smoother's time, for a tag with no open session, is ignored."""
    s = ReadPointSmoother(DOCK_DOOR)
    epc = carton(6)
    out = [o for i in range(4) for o in s.read(TagRead("r", 1, epc, at(0.1 * i), -50))]
    out += s.advance(at(10))
    out += s.read(TagRead("r", 1, epc, at(5), -50))
    assert [type(o) for o in out] == [Arrived, Departed] and s.ignored_late == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_reads": 0},
        {"quiet_period_s": 0},
        {"inside_antennas": frozenset({1}), "outside_antennas": frozenset({1})},
        {"inside_antennas": frozenset({1}), "outside_antennas": frozenset()},
    ],
)
def test_impossible_parameters_are_refused(kwargs: dict) -> None:
    """Parameters that cannot describe a read point are refused when made."""
    with pytest.raises(ValueError):
        ReadPointParams(**kwargs)
