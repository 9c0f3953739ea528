"""WGS-84 / GCJ-02 / BD-09 conversions, the China region test and the local projection."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gis import crs
from gis.geodesy import bearing_deg, haversine_m

# Published pairs, (wgs_lat, wgs_lon, gcj_lat, gcj_lon): googollee/eviltransform,
# python/test.py and go/transform_test.go (Shanghai, Shenzhen, Beijing), checked there to 6
# decimals.
EVILTRANSFORM_WGS_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]

# wandergis/coordtransform README.md, the results it prints for input (lon 116.404,
# lat 39.915), converted here to (lat, lon). Its bd09togcj02 and gcj02towgs84 are Baidu's
# and the usual one-step inverses, good to about 1e-6 and 1e-5 degrees respectively.
COORDTRANSFORM_IN = (39.915, 116.404)
COORDTRANSFORM_WGS84_TO_GCJ02 = (39.91640428150164, 116.41024449916938)
COORDTRANSFORM_GCJ02_TO_BD09 = (39.92133699351021, 116.41036949371029)
COORDTRANSFORM_BD09_TO_GCJ02 = (39.90865673957631, 116.39762729119315)
COORDTRANSFORM_GCJ02_TO_WGS84 = (39.91359571849836, 116.39775550083061)
# eviltransform's BD-09 pairs (TESTS_bd) are not used: they were produced by a version whose
# BD-09 formula used pi where Baidu's uses pi * 3000 / 180, and sit tens of metres off.

MARGIN_DEG = 1e-6


def _inside_with_margin(lat: float, lon: float, margin: float) -> bool:
    return all(
        crs.in_mainland_china(lat + dy, lon + dx)
        for dy in (-margin, 0.0, margin)
        for dx in (-margin, 0.0, margin)
    )


def _outside_with_margin(lat: float, lon: float, margin: float) -> bool:
    return not any(
        crs.in_mainland_china(lat + dy, lon + dx)
        for dy in (-margin, 0.0, margin)
        for dx in (-margin, 0.0, margin)
    )


china_points = st.tuples(
    st.floats(min_value=18.0, max_value=54.0), st.floats(min_value=73.0, max_value=135.0)
)
world_points = st.tuples(
    st.floats(min_value=-89.0, max_value=89.0), st.floats(min_value=-179.9, max_value=179.9)
)


def _close(a: tuple[float, float], b: tuple[float, float], tol_deg: float) -> bool:
    return abs(a[0] - b[0]) <= tol_deg and abs(a[1] - b[1]) <= tol_deg


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_matches_published_pairs(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    """WGS-84 to GCJ-02 reproduces eviltransform's published reference pairs."""
    assert _close(crs.wgs84_to_gcj02(wgs_lat, wgs_lon), (gcj_lat, gcj_lon), 1e-9)


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM_WGS_GCJ)
def test_gcj02_to_wgs84_recovers_published_pairs_to_a_centimetre(
    wgs_lat, wgs_lon, gcj_lat, gcj_lon
):
    """The iterative GCJ-02 inverse lands within 1 cm of eviltransform's WGS-84 points."""
    lat, lon = crs.gcj02_to_wgs84(gcj_lat, gcj_lon)
    assert haversine_m(lat, lon, wgs_lat, wgs_lon) < 0.01


def test_coordtransform_readme_values():
    """Our conversions agree with the values coordtransform's README prints for one input."""
    assert _close(crs.wgs84_to_gcj02(*COORDTRANSFORM_IN), COORDTRANSFORM_WGS84_TO_GCJ02, 1e-9)
    assert _close(crs.gcj02_to_bd09(*COORDTRANSFORM_IN), COORDTRANSFORM_GCJ02_TO_BD09, 1e-9)
    # Its inverses are one-step approximations; ours iterate, so agree only to their error.
    assert _close(crs.bd09_to_gcj02(*COORDTRANSFORM_IN), COORDTRANSFORM_BD09_TO_GCJ02, 1e-6)
    assert _close(crs.gcj02_to_wgs84(*COORDTRANSFORM_IN), COORDTRANSFORM_GCJ02_TO_WGS84, 2e-5)
    # ... and ours are exact where theirs are not.
    back = crs.gcj02_to_bd09(*crs.bd09_to_gcj02(*COORDTRANSFORM_IN))
    assert _close(back, COORDTRANSFORM_IN, 1e-9)


@pytest.mark.parametrize(
    ("name", "lat", "lon", "inside"),
    [
        ("Beijing", 39.9042, 116.4074, True),
        ("Shanghai", 31.2304, 121.4737, True),
        ("Guangzhou", 23.1291, 113.2644, True),
        ("Urumqi", 43.8256, 87.6168, True),
        ("Lhasa", 29.6520, 91.1721, True),
        ("Harbin", 45.8038, 126.5349, True),
        ("Haikou", 20.0440, 110.1999, True),
        ("Taipei", 25.0330, 121.5654, False),
        ("Seoul", 37.5665, 126.9780, False),
        ("Pyongyang", 39.0392, 125.7625, False),
        ("Ulaanbaatar", 47.8864, 106.9057, False),
        ("Hanoi", 21.0278, 105.8342, False),
        ("Vladivostok", 43.1155, 131.8855, False),
        ("Tokyo", 35.6762, 139.6503, False),
        ("London", 51.5072, -0.1276, False),
    ],
)
def test_in_mainland_china_on_named_cities(name, lat, lon, inside):
    """The region test puts well-known cities on the right side of the line."""
    assert crs.in_mainland_china(lat, lon) is inside, name


def test_rectangle_test_is_finer_than_the_bounding_box():
    """Seoul, Ulaanbaatar and Hanoi are in the common bounding box but not in the region."""
    for lat, lon in [(37.5665, 126.9780), (47.8864, 106.9057), (21.0278, 105.8342)]:
        assert crs.in_china_bbox(lat, lon)
        assert not crs.in_mainland_china(lat, lon)


@settings(max_examples=150)
@given(china_points)
def test_wgs84_gcj02_round_trip(p):
    """WGS-84 -> GCJ-02 -> WGS-84 returns the point to within 1e-7 degrees (about 1 cm)."""
    assume(_inside_with_margin(*p, MARGIN_DEG))
    gcj = crs.wgs84_to_gcj02(*p)
    assert gcj != p
    back = crs.gcj02_to_wgs84(*gcj)
    assert _close(back, p, 1e-7)
    assert haversine_m(*back, *p) < 0.01


@settings(max_examples=150)
@given(china_points)
def test_gcj02_wgs84_round_trip(p):
    """GCJ-02 -> WGS-84 -> GCJ-02 returns the point to within 1e-7 degrees."""
    # The shift is under ~1 km, so 0.02 degrees keeps the preimage inside the region too.
    assume(_inside_with_margin(*p, 0.02))
    assert _close(crs.wgs84_to_gcj02(*crs.gcj02_to_wgs84(*p)), p, 1e-7)


@settings(max_examples=150)
@given(china_points)
def test_wgs84_bd09_round_trip(p):
    """WGS-84 -> BD-09 -> WGS-84 returns the point to within 1e-7 degrees."""
    assume(_inside_with_margin(*p, MARGIN_DEG))
    back = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(*p))
    assert _close(back, p, 1e-7)


@settings(max_examples=150)
@given(china_points)
def test_bd09_round_trips_through_gcj02_and_wgs84(p):
    """BD-09 -> GCJ-02 -> BD-09 and BD-09 -> WGS-84 -> BD-09 return the point to 1e-7 degrees."""
    assume(_inside_with_margin(*p, 0.03))
    assert _close(crs.gcj02_to_bd09(*crs.bd09_to_gcj02(*p)), p, 1e-7)
    assert _close(crs.wgs84_to_bd09(*crs.bd09_to_wgs84(*p)), p, 1e-7)


@settings(max_examples=150)
@given(world_points)
def test_identity_outside_china(p):
    """Outside the region (by a 2 km margin) every conversion leaves the point unchanged."""
    assume(_outside_with_margin(*p, 0.02))
    for convert in (
        crs.wgs84_to_gcj02,
        crs.gcj02_to_wgs84,
        crs.gcj02_to_bd09,
        crs.bd09_to_gcj02,
        crs.wgs84_to_bd09,
        crs.bd09_to_wgs84,
    ):
        assert convert(*p) == p, convert.__name__


@settings(max_examples=100)
@given(china_points, st.sampled_from(crs.CRS_NAMES))
def test_to_and_from_wgs84_are_inverse(p, name):
    """from_wgs84 then to_wgs84 in any named system returns the stored point."""
    assume(_inside_with_margin(*p, MARGIN_DEG))
    assert _close(crs.to_wgs84(*crs.from_wgs84(*p, name), name), p, 1e-7)


def test_unknown_crs_is_refused():
    """An unknown system name is an error, not a silent identity."""
    with pytest.raises(ValueError):
        crs.to_wgs84(31.0, 121.0, "epsg3857")  # type: ignore[arg-type]


@settings(max_examples=200)
@given(
    st.floats(min_value=-60, max_value=60),
    st.floats(min_value=-179, max_value=179),
    st.floats(min_value=0, max_value=50_000),
    st.floats(min_value=0, max_value=359.99),
)
def test_local_projection_keeps_distance_and_bearing_from_the_centre(lat0, lon0, r_m, az_deg):
    """The local projection maps a point to (r sin az, r cos az) for its distance and bearing."""
    lat, lon = _destination(lat0, lon0, r_m, az_deg)
    x, y = crs.LocalProjection(lat0, lon0).forward(lat, lon)
    assert math.hypot(x, y) == pytest.approx(haversine_m(lat0, lon0, lat, lon), abs=1e-6)
    if r_m > 1.0:
        diff = math.degrees(math.atan2(x, y)) - bearing_deg(lat0, lon0, lat, lon)
        assert abs((diff + 180.0) % 360.0 - 180.0) < 1e-6


def _destination(lat: float, lon: float, r_m: float, az_deg: float) -> tuple[float, float]:
    d = r_m / 6_371_008.8
    p1, az = math.radians(lat), math.radians(az_deg)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(az))
    y = math.sin(az) * math.sin(d) * math.cos(p1)
    dl = math.atan2(y, math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(math.radians(lon) + dl)
