"""Coordinate systems: WGS-84 <-> GCJ-02 <-> BD-09, and a local metric projection. Pure.

Waybill stores WGS-84 (what GPS gives). Chinese web maps draw in GCJ-02 (Amap, Tencent) or
BD-09 (Baidu), so the API converts at its edge on request. This module owns those
conversions and the "is this point in mainland China?" test they depend on; it does no I/O
and knows nothing of the API or the database.

GCJ-02 is the publicly circulated reconstruction of the state obfuscation (Krasovsky 1940
ellipsoid, the `_shift` series below); BD-09 is Baidu's further rotation of GCJ-02. Both are
the identity outside mainland China, as the map providers themselves behave.

Limits of `in_mainland_china`: it is a union of six rectangles minus six (a published
heuristic, see the function), not a border. It is right for every city a delivery van of
ours will see, and wrong within tens of km of the land borders (parts of Myanmar, Laos,
Vietnam, North Korea and Mongolia count as inside; a few border strips of China count as
outside). Hong Kong and Macau count as inside, as the heuristic has it; Taiwan is outside.

All functions take and return (lat, lon) in degrees, like `gis.geodesy`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from gis.geodesy import bearing_deg, haversine_m

Crs = Literal["wgs84", "gcj02", "bd09"]
CRS_NAMES: tuple[Crs, ...] = ("wgs84", "gcj02", "bd09")

# Krasovsky 1940 ellipsoid, the one the public GCJ-02 formula uses (not WGS-84's).
_KRASOVSKY_A_M = 6_378_245.0
_KRASOVSKY_EE = 0.00669342162296594323
_BD_X_PI = math.pi * 3000.0 / 180.0

# The inverses iterate to this (about 0.1 mm), well under the 1 cm the API promises.
_INVERSE_TOLERANCE_DEG = 1e-9
_INVERSE_MAX_STEPS = 30

# (south, west, north, east). Aimeast's rectangles (cnblogs.com/Aimeast, 2012), the
# region test most Chinese map libraries copy; it follows the land border far better than
# the single box 72.004..137.8347 E, 0.8293..55.8271 N, which takes in most of Korea,
# Japan, Vietnam and Mongolia.
_CHINA_INCLUDE: tuple[tuple[float, float, float, float], ...] = (
    (42.889900, 79.446200, 49.220400, 96.330000),
    (39.374200, 109.687200, 54.141500, 135.000200),
    (29.529700, 73.124600, 42.889900, 124.143255),
    (26.718600, 82.968400, 29.529700, 97.035200),
    (20.414096, 97.025300, 29.529700, 124.367395),
    (17.871542, 107.975793, 20.414096, 111.744104),
)
_CHINA_EXCLUDE: tuple[tuple[float, float, float, float], ...] = (
    (21.785006, 119.921265, 25.398623, 122.497559),  # Taiwan
    (20.098800, 101.865200, 22.284000, 106.665000),  # northern Laos and Vietnam
    (20.487800, 106.452500, 21.542200, 108.051000),  # Gulf of Tonkin coast, Vietnam
    (50.325700, 109.032300, 55.817500, 119.127000),  # Russia, east of Baikal
    (49.557400, 127.456800, 55.817500, 137.022700),  # Russian Far East
    (42.569200, 131.266200, 44.892200, 137.022700),  # Primorsky Krai
)


def _in_rect(rect: tuple[float, float, float, float], lat: float, lon: float) -> bool:
    south, west, north, east = rect
    return south <= lat <= north and west <= lon <= east


def in_china_bbox(lat: float, lon: float) -> bool:
    """The common single-box test (eviltransform's); kept for comparison, too coarse to use."""
    return 0.8293 <= lat <= 55.8271 and 72.004 <= lon <= 137.8347


def in_mainland_china(lat: float, lon: float) -> bool:
    """Whether GCJ-02 applies at this point (a rectangle heuristic; see the module notes)."""
    return any(_in_rect(r, lat, lon) for r in _CHINA_INCLUDE) and not any(
        _in_rect(r, lat, lon) for r in _CHINA_EXCLUDE
    )


def _shift(lat: float, lon: float) -> tuple[float, float]:
    """The GCJ-02 offset (dlat, dlon) in degrees at a WGS-84 point, ignoring the region."""
    x, y = lon - 105.0, lat - 35.0
    # Both series share this term: a deliberate wobble of a few hundred metres.
    wobble = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += wobble
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += wobble
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    # The series are in metres on the Krasovsky ellipsoid; turn them into degrees there.
    rad_lat = math.radians(lat)
    magic = 1.0 - _KRASOVSKY_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    meridian_radius_m = _KRASOVSKY_A_M * (1 - _KRASOVSKY_EE) / (magic * sqrt_magic)
    parallel_radius_m = _KRASOVSKY_A_M / sqrt_magic * math.cos(rad_lat)
    dlat = (dlat * 180.0) / (meridian_radius_m * math.pi)
    dlon = (dlon * 180.0) / (parallel_radius_m * math.pi)
    return dlat, dlon


def _wgs84_to_gcj02_unchecked(lat: float, lon: float) -> tuple[float, float]:
    dlat, dlon = _shift(lat, lon)
    return lat + dlat, lon + dlon


def _gcj02_to_bd09_unchecked(lat: float, lon: float) -> tuple[float, float]:
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _BD_X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _BD_X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def _bd09_to_gcj02_guess(lat: float, lon: float) -> tuple[float, float]:
    """Baidu's published one-step inverse: good to about 1e-6 degrees, a start for iteration."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def _invert(
    forward: Callable[[float, float], tuple[float, float]],
    lat: float,
    lon: float,
    start: tuple[float, float],
) -> tuple[float, float]:
    """Solve forward(p) == (lat, lon) by fixed-point steps p -= forward(p) - target.

    Converges because both shifts change by well under 1% of a step across a step (their
    gradients are ~1e-3), so each step cuts the error by about a thousand.
    """
    p_lat, p_lon = start
    for _ in range(_INVERSE_MAX_STEPS):
        f_lat, f_lon = forward(p_lat, p_lon)
        err_lat, err_lon = f_lat - lat, f_lon - lon
        if abs(err_lat) < _INVERSE_TOLERANCE_DEG and abs(err_lon) < _INVERSE_TOLERANCE_DEG:
            break
        p_lat, p_lon = p_lat - err_lat, p_lon - err_lon
    return p_lat, p_lon


def _gcj02_to_wgs84_unchecked(lat: float, lon: float) -> tuple[float, float]:
    dlat, dlon = _shift(lat, lon)
    return _invert(_wgs84_to_gcj02_unchecked, lat, lon, (lat - dlat, lon - dlon))


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if not in_mainland_china(lat, lon):
        return lat, lon
    return _wgs84_to_gcj02_unchecked(lat, lon)


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 image is (lat, lon), to well under 1 cm.

    Near the region's edge a GCJ-02 point can have two preimages (a shifted one inside and
    itself outside); a point that came from a Chinese map most likely means the shifted one,
    so that is preferred whenever it lies inside the region.
    """
    wgs = _gcj02_to_wgs84_unchecked(lat, lon)
    return wgs if in_mainland_china(*wgs) else (lat, lon)


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """BD-09 from GCJ-02; the identity outside the region, like GCJ-02 itself.

    Baidu's own behaviour abroad is not part of the public formula; keeping foreign points
    unchanged makes every conversion round-trip there.
    """
    if not in_mainland_china(lat, lon):
        return lat, lon
    return _gcj02_to_bd09_unchecked(lat, lon)


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    gcj = _invert(_gcj02_to_bd09_unchecked, lat, lon, _bd09_to_gcj02_guess(lat, lon))
    return gcj if in_mainland_china(*gcj) else (lat, lon)


def wgs84_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    if not in_mainland_china(lat, lon):
        return lat, lon
    return _gcj02_to_bd09_unchecked(*_wgs84_to_gcj02_unchecked(lat, lon))


def bd09_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    gcj = _invert(_gcj02_to_bd09_unchecked, lat, lon, _bd09_to_gcj02_guess(lat, lon))
    wgs = _gcj02_to_wgs84_unchecked(*gcj)
    return wgs if in_mainland_china(*wgs) else (lat, lon)


def to_wgs84(lat: float, lon: float, crs: Crs) -> tuple[float, float]:
    """A point given in `crs` (as an API caller sends it) in WGS-84 (as we store it)."""
    if crs == "wgs84":
        return lat, lon
    if crs == "gcj02":
        return gcj02_to_wgs84(lat, lon)
    if crs == "bd09":
        return bd09_to_wgs84(lat, lon)
    raise ValueError(f"unknown coordinate system {crs!r}")


def from_wgs84(lat: float, lon: float, crs: Crs) -> tuple[float, float]:
    """A stored WGS-84 point in the `crs` the caller asked for."""
    if crs == "wgs84":
        return lat, lon
    if crs == "gcj02":
        return wgs84_to_gcj02(lat, lon)
    if crs == "bd09":
        return wgs84_to_bd09(lat, lon)
    raise ValueError(f"unknown coordinate system {crs!r}")


class LocalProjection:
    """Spherical azimuthal equidistant projection around a centre, in metres (x east, y north).

    Distances and bearings from the centre are exact on the sphere `gis.geodesy` uses, and
    other distances are off by about (d / R)^2 / 6 of themselves at a distance d from the
    centre: 4e-7 at 10 km, 1e-5 at 50 km. That is why geofences and track simplification
    use it at city scale, centred on the shape they measure.
    """

    __slots__ = ("lat0", "lon0")

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0 = lat0
        self.lon0 = lon0

    def forward(self, lat: float, lon: float) -> tuple[float, float]:
        # Polar coordinates around the centre are exactly (great-circle distance, bearing).
        r_m = haversine_m(self.lat0, self.lon0, lat, lon)
        if r_m == 0.0:
            return 0.0, 0.0
        az = math.radians(bearing_deg(self.lat0, self.lon0, lat, lon))
        return r_m * math.sin(az), r_m * math.cos(az)
