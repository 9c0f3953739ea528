"""Travel matrices: great-circle estimate, speed profile, and the per-depot-and-day cache."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import InvalidInput
from gis.geodesy import haversine_m
from gis.matrix import GreatCircleProvider, MatrixCache, SpeedProfile, TravelMatrix

MARKET = [(30.2741, 120.1551), (30.2800, 120.1700), (30.3000, 120.2000), (30.2500, 120.1000)]
MONDAY, SUNDAY = date(2026, 11, 23), date(2026, 11, 29)


def test_distance_is_great_circle_times_the_road_factor() -> None:
    """Each entry is the haversine distance times the road factor, symmetric, zero diagonal."""
    m = GreatCircleProvider(road_factor=1.4).matrix(MARKET, MONDAY)
    direct = haversine_m(*MARKET[0], *MARKET[2])
    assert m.distance_m[0, 2] == round(direct * 1.4) == m.distance_m[2, 0]
    assert all(m.distance_m[i, i] == 0 and m.duration_s[i, i] == 0 for i in range(4))


def test_travel_time_follows_the_speed_profile() -> None:
    """Short hops are slower than long ones, and every hop pays the fixed overhead."""
    profile = SpeedProfile(bands=((1000, 10.0), (float("inf"), 50.0)), overhead_s=30)
    assert profile.seconds(900) == 30 + round(900 / (10 / 3.6))
    assert profile.seconds(9000) == 30 + round(9000 / (50 / 3.6))
    assert profile.seconds(0) == 0


def test_weekday_profile_changes_times_not_distances() -> None:
    """A slower Monday profile lengthens travel times; distances stay the same."""
    slow = SpeedProfile(bands=((float("inf"), 10.0),), overhead_s=0)
    provider = GreatCircleProvider(weekday_profiles={0: slow})
    monday, sunday = provider.matrix(MARKET, MONDAY), provider.matrix(MARKET, SUNDAY)
    assert (monday.distance_m == sunday.distance_m).all()
    assert monday.duration_s[0, 2] > sunday.duration_s[0, 2]


def test_profile_and_factor_are_validated() -> None:
    """Bands must end open-ended with positive speeds; the road factor is at least 1."""
    with pytest.raises(InvalidInput):
        SpeedProfile(bands=((1000, 10.0),))
    with pytest.raises(InvalidInput):
        GreatCircleProvider(road_factor=0.9)


class _Counting:
    def __init__(self) -> None:
        self.calls = 0
        self.inner = GreatCircleProvider()

    def matrix(self, points, day) -> TravelMatrix:
        self.calls += 1
        return self.inner.matrix(points, day)


def test_cache_answers_known_points_of_a_depot_and_day_by_slicing() -> None:
    """A subset or reordering of cached points costs no provider call and gives equal values."""
    provider = _Counting()
    cache = MatrixCache(provider)
    full = cache.matrix("D1", MONDAY, MARKET)
    part = cache.matrix("D1", MONDAY, [MARKET[2], MARKET[0]])
    assert provider.calls == 1 and cache.hits == 1
    assert part.distance_m[0, 1] == full.distance_m[2, 0]


def test_cache_keeps_depots_and_days_apart_and_refreshes_on_new_points() -> None:
    """Another depot, another day or a new point each go to the provider."""
    provider = _Counting()
    cache = MatrixCache(provider)
    cache.matrix("D1", MONDAY, MARKET[:3])
    cache.matrix("D2", MONDAY, MARKET[:3])
    cache.matrix("D1", SUNDAY, MARKET[:3])
    cache.matrix("D1", MONDAY, MARKET)
    assert provider.calls == 4
    cache.matrix("D1", MONDAY, MARKET[1:])
    assert provider.calls == 4
