"""Geofence values: GeoJSON in and out, validation errors, containment and distance."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import InvalidInput
from gis.crs import wgs84_to_gcj02
from gis.geodesy import haversine_m, offset
from gis.geofence import CircleFence, PolygonFence, fence_from_geojson

LAT0, LON0 = 31.2304, 121.4737  # Shanghai


def _square(lat: float, lon: float, half_m: float) -> list[list[float]]:
    """A closed [lon, lat] ring: a square of side 2 * half_m centred on (lat, lon), CCW."""
    corners = [(-half_m, -half_m), (-half_m, half_m), (half_m, half_m), (half_m, -half_m)]
    ring = [list(reversed(offset(lat, lon, n, e))) for n, e in corners]
    return [*ring, ring[0]]


def _polygon(*rings: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def _circle(lat: float, lon: float, radius_m) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"radius_m": radius_m},
    }


def _code(obj) -> str:
    with pytest.raises(InvalidInput) as caught:
        fence_from_geojson(obj)
    return caught.value.code


def test_polygon_round_trips_through_geojson():
    """A polygon read from GeoJSON writes back the same rings, shell counter-clockwise."""
    ring = _square(LAT0, LON0, 500)
    fence = fence_from_geojson({"type": "Feature", "geometry": _polygon(ring), "properties": {}})
    assert isinstance(fence, PolygonFence)
    out = fence.to_geojson()
    assert out["geometry"] == {"type": "Polygon", "coordinates": [ring]}
    assert fence_from_geojson(out) == fence
    # A clockwise shell is accepted and comes back counter-clockwise.
    clockwise = fence_from_geojson(_polygon(list(reversed(ring))))
    assert clockwise.to_geojson()["geometry"]["coordinates"][0][1] != ring[-2]


def test_circle_round_trips_through_geojson():
    """A circle is a Point Feature with radius_m, and writes back the same way."""
    fence = fence_from_geojson(_circle(LAT0, LON0, 150))
    assert fence == CircleFence(LAT0, LON0, 150.0)
    assert fence.to_geojson() == _circle(LAT0, LON0, 150.0)


def test_fences_given_in_gcj02_are_kept_in_wgs84_and_returned_in_gcj02():
    """A fence sent in GCJ-02 is stored in WGS-84 and comes back in GCJ-02 unchanged."""
    gcj_lat, gcj_lon = wgs84_to_gcj02(LAT0, LON0)
    circle = fence_from_geojson(_circle(gcj_lat, gcj_lon, 100), crs="gcj02")
    assert isinstance(circle, CircleFence)
    assert haversine_m(circle.lat, circle.lon, LAT0, LON0) < 0.01
    back = circle.to_geojson(crs="gcj02")["geometry"]["coordinates"]
    assert back == pytest.approx([gcj_lon, gcj_lat], abs=1e-7)
    ring = _square(gcj_lat, gcj_lon, 300)
    polygon = fence_from_geojson(_polygon(ring), crs="gcj02")
    out = polygon.to_geojson(crs="gcj02")["geometry"]["coordinates"][0]
    for got, want in zip(out, ring, strict=True):
        assert got == pytest.approx(want, abs=1e-7)


@pytest.mark.parametrize(
    ("obj", "code"),
    [
        (
            _polygon([[121.0, 31.0], [121.01, 31.0], [121.01, 31.01], [121.0, 31.01]]),
            "polygon_not_closed",
        ),
        (
            _polygon(
                [[121.0, 31.0], [121.01, 31.01], [121.01, 31.0], [121.0, 31.01], [121.0, 31.0]]
            ),
            "polygon_self_intersecting",
        ),
        (_polygon([[121.0, 31.0], [121.01, 31.0], [121.0, 31.0]]), "polygon_too_few_points"),
        (
            _polygon(
                [[121.0, 31.0], [121.01, 31.0], [121.01, 31.01], [121.0, 31.0]],
                [[121.1, 31.1], [121.11, 31.1], [121.11, 31.11], [121.1, 31.1]],
            ),
            "polygon_invalid",
        ),
        (
            _polygon([[121.0, 91.0], [121.01, 31.0], [121.01, 31.01], [121.0, 91.0]]),
            "coordinates_out_of_range",
        ),
        (
            _polygon([[181.0, 31.0], [121.01, 31.0], [121.01, 31.01], [181.0, 31.0]]),
            "coordinates_out_of_range",
        ),
        (_polygon([[121.0, 0.0], [125.0, 0.0], [125.0, 4.0], [121.0, 0.0]]), "fence_too_large"),
        (
            _polygon([[121.0, "31"], [121.01, 31.0], [121.01, 31.01], [121.0, "31"]]),
            "invalid_geojson",
        ),
        (_polygon(), "invalid_geojson"),
        (_circle(31.0, 121.0, 0), "radius_not_positive"),
        (_circle(31.0, 121.0, -5), "radius_not_positive"),
        (_circle(31.0, 121.0, float("nan")), "radius_not_positive"),
        (_circle(31.0, 121.0, "100"), "radius_not_positive"),
        (_circle(31.0, 121.0, True), "radius_not_positive"),
        (_circle(31.0, 121.0, 150_000), "fence_too_large"),
        (_circle(95.0, 121.0, 100), "coordinates_out_of_range"),
        (_circle(float("nan"), 121.0, 100), "coordinates_out_of_range"),
        ({"type": "Point", "coordinates": [121.0, 31.0]}, "radius_missing"),
        ({"type": "MultiPolygon", "coordinates": []}, "unsupported_geometry"),
        ({"type": "Feature", "geometry": None, "properties": {}}, "invalid_geojson"),
        ([121.0, 31.0], "invalid_geojson"),
    ],
)
def test_invalid_fences_are_refused_with_a_code(obj, code):
    """Each kind of bad fence is an InvalidInput with its own stable code."""
    assert _code(obj) == code


def test_polygon_distances_are_metres():
    """A 1 km square measures 500 m from centre to edge and 100 m to a point 100 m outside."""
    fence = fence_from_geojson(_polygon(_square(LAT0, LON0, 500)))
    assert fence.contains(LAT0, LON0)
    assert fence.signed_distance_m(LAT0, LON0) == pytest.approx(-500, abs=0.05)
    lat, lon = offset(LAT0, LON0, 0, 600)
    assert not fence.contains(lat, lon)
    assert fence.signed_distance_m(lat, lon) == pytest.approx(100, abs=0.05)
    lat, lon = offset(LAT0, LON0, 450, 0)
    assert fence.signed_distance_m(lat, lon) == pytest.approx(-50, abs=0.05)


def test_a_hole_is_outside_and_its_edge_is_a_boundary():
    """A point in a hole is outside, at its distance from the hole's edge."""
    fence = fence_from_geojson(_polygon(_square(LAT0, LON0, 500), _square(LAT0, LON0, 100)))
    assert not fence.contains(LAT0, LON0)
    assert fence.signed_distance_m(LAT0, LON0) == pytest.approx(100, abs=0.05)
    lat, lon = offset(LAT0, LON0, 0, 300)
    assert fence.signed_distance_m(lat, lon) == pytest.approx(-200, abs=0.05)


def test_circle_distance_is_great_circle_minus_radius():
    """A circle's signed distance is the great-circle distance to the centre less the radius."""
    fence = CircleFence(LAT0, LON0, 200)
    assert fence.signed_distance_m(LAT0, LON0) == -200
    lat, lon = offset(LAT0, LON0, 250, 0)
    assert fence.signed_distance_m(lat, lon) == pytest.approx(50, abs=0.01)
    assert not fence.contains(lat, lon)


def _regular_polygon(lat: float, lon: float, radius_m: float, sides: int) -> PolygonFence:
    ring = []
    for i in range(sides):
        a = 2 * math.pi * i / sides
        p_lat, p_lon = offset(lat, lon, radius_m * math.cos(a), radius_m * math.sin(a))
        ring.append((p_lon, p_lat))
    return PolygonFence((*ring, ring[0]))


CIRCLE_AS_POLYGON = _regular_polygon(LAT0, LON0, 300, 720)


@settings(max_examples=200)
@given(st.floats(min_value=0, max_value=900), st.floats(min_value=0, max_value=2 * math.pi))
def test_polygon_distance_agrees_with_circle_distance(r_m, a):
    """A 720-gon and the circle it approximates give the same signed distance to 5 cm."""
    lat, lon = offset(LAT0, LON0, r_m * math.cos(a), r_m * math.sin(a))
    circle = CircleFence(LAT0, LON0, 300)
    got = CIRCLE_AS_POLYGON.signed_distance_m(lat, lon)
    assert got == pytest.approx(circle.signed_distance_m(lat, lon), abs=0.05)
    if abs(got) > 0.05:
        assert CIRCLE_AS_POLYGON.contains(lat, lon) == circle.contains(lat, lon)


@settings(max_examples=200)
@given(st.floats(min_value=-3000, max_value=3000), st.floats(min_value=-3000, max_value=3000))
def test_sign_of_distance_matches_containment(north_m, east_m):
    """Signed distance is negative exactly when the fence contains the point."""
    fence = fence_from_geojson(
        _polygon(
            [
                [121.47, 31.23],
                [121.49, 31.225],
                [121.485, 31.24],
                [121.475, 31.232],
                [121.47, 31.23],
            ]
        )
    )
    lat, lon = offset(31.232, 121.48, north_m, east_m)
    d = fence.signed_distance_m(lat, lon)
    assert (d <= 0) == fence.contains(lat, lon)
