"""The projector's thresholds come from settings, checked as the projector checks them."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.settings import TrackingSettings
from tracking.projector import Params


def test_settings_reach_every_part_of_the_projector() -> None:
    params = Params.from_settings(
        TrackingSettings(
            stop_radius_m=80,
            stop_min_duration_s=120,
            gap_s=900,
            enter_dwell_s=5,
            exit_dwell_s=90,
            exit_buffer_m=25,
            arriving_radius_m=300,
            road_factor=1.5,
            default_speed_mps=4,
        )  # fmt: skip
    )
    assert (params.trips.stop_radius_m, params.trips.stop_min_duration_s, params.trips.gap_s) == (
        80,
        120,
        900,
    )
    assert (params.fences.enter_dwell_s, params.fences.exit_dwell_s) == (5, 90)
    assert params.fences.exit_buffer_m == 25 and params.arriving_radius_m == 300
    assert (params.eta.road_factor, params.eta.default_speed_mps) == (1.5, 4)


def test_the_defaults_are_the_documented_ones() -> None:
    assert Params.from_settings(TrackingSettings()) == Params()


def test_a_gap_shorter_than_a_stop_is_refused() -> None:
    with pytest.raises(InvalidInput, match="gap_s"):
        Params.from_settings(TrackingSettings(gap_s=60, stop_min_duration_s=180))
