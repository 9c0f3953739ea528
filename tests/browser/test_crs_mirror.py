"""The console's coordinate conversions (web/js/crs.js) agree with gis/crs.py, the API's
own, to 1e-9 degrees, inside and outside mainland China, so tiles in GCJ-02 or BD-09 line up
with what the API would answer for `?crs=`."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from gis.crs import in_mainland_china, wgs84_to_bd09, wgs84_to_gcj02

pytestmark = pytest.mark.slow  # a real server process and a real browser

FIXED = [
    (30.2905, 120.2105),  # Hangzhou, the market
    (39.9042, 116.4074),  # Beijing
    (22.3193, 114.1694),  # Hong Kong (inside, as the heuristic has it)
    (25.0330, 121.5654),  # Taipei (outside)
    (21.0278, 105.8342),  # Hanoi (outside)
    (51.5074, -0.1278),  # London
    (20.4141, 110.0),  # on a rectangle's edge
]


def converted(page: Page, points: list[tuple[float, float]]) -> list[list[list[float] | bool]]:
    return page.evaluate(
        """async (points) => {
             const crs = await import('/console/assets/js/crs.js');
             return points.map(([lat, lon]) => [crs.wgs84ToGcj02(lat, lon),
               crs.wgs84ToBd09(lat, lon), crs.inMainlandChina(lat, lon)]);
           }""",
        points,
    )


def agree(page: Page, points: list[tuple[float, float]]) -> None:
    for (lat, lon), (gcj, bd, inside) in zip(points, converted(page, points), strict=True):
        assert inside == in_mainland_china(lat, lon), (lat, lon)
        for ours, theirs in ((gcj, wgs84_to_gcj02(lat, lon)), (bd, wgs84_to_bd09(lat, lon))):
            assert abs(ours[0] - theirs[0]) < 1e-9 and abs(ours[1] - theirs[1]) < 1e-9, (
                lat, lon, ours, theirs,
            )  # fmt: skip


def test_fixed_points_agree(page: Page, api_server: str) -> None:
    """Cities inside and outside the region, and a point on a rectangle's edge."""
    page.goto(f"{api_server}/console/config.json")
    agree(page, FIXED)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.floats(15.0, 56.0), st.floats(70.0, 140.0)), min_size=1, max_size=50))
def test_any_points_agree(page: Page, api_server: str, points: list[tuple[float, float]]) -> None:
    """Any points over China and its neighbours convert the same in both."""
    if page.url == "about:blank":
        page.goto(f"{api_server}/console/config.json")
    agree(page, points)
