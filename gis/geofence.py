"""Geofence geometry values: polygons and circles, GeoJSON in and out, containment, distance.

Owns what a fence *is* and how far a point is from it; not where fences are stored (PostGIS,
in `store.py` modules) nor what entering one means (`tracking.geofence_state`). Pure.

GeoJSON forms (RFC 7946, WGS-84, [lon, lat] positions):

* a polygon is a `Polygon` geometry, or a `Feature` whose geometry is one; holes allowed;
* a circle is a `Feature` whose geometry is a `Point` (the centre) and whose properties
  carry `radius_m`, the radius in metres. GeoJSON has no circle type; this is the common
  convention, and a client that ignores `radius_m` still sees the centre.

Containment of a polygon is decided in the lon/lat plane (as PostGIS does for
`geometry(Polygon, 4326)`, so both agree), with points on the boundary inside. Distances are
metres, measured in a spherical azimuthal equidistant projection centred on the fence
(`gis.crs.LocalProjection`): exact from the centre, within 1e-5 of themselves up to 50 km
away. A circle is a set of points within `radius_m` great-circle metres of its centre
(sphere of `gis.geodesy`; PostGIS's spheroid differs by up to ~0.3 %, about 0.5 m at 200 m).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.polygon import orient

from core.errors import InvalidInput
from gis.crs import Crs, LocalProjection, from_wgs84, to_wgs84
from gis.geodesy import haversine_m

# A fence wider than this is not a place a van enters; past it the local projection's
# distances drift by more than a metre, so it is refused rather than measured badly.
MAX_FENCE_SPAN_M = 200_000.0

Ring = tuple[tuple[float, float], ...]  # closed ring of (lon, lat), first == last


@dataclass(frozen=True, slots=True)
class CircleFence:
    lat: float
    lon: float
    radius_m: float

    def __post_init__(self) -> None:
        _check_lat_lon(self.lat, self.lon)
        if not (math.isfinite(self.radius_m) and self.radius_m > 0):
            raise InvalidInput("a circle's radius_m must be > 0", code="radius_not_positive")
        if self.radius_m > MAX_FENCE_SPAN_M / 2:
            raise InvalidInput(
                f"a circle's radius_m may be at most {MAX_FENCE_SPAN_M / 2:.0f}",
                code="fence_too_large",
            )

    def contains(self, lat: float, lon: float) -> bool:
        return self.signed_distance_m(lat, lon) <= 0.0

    def signed_distance_m(self, lat: float, lon: float) -> float:
        """Metres from the point to the circle's edge: negative inside, positive outside."""
        return haversine_m(self.lat, self.lon, lat, lon) - self.radius_m

    def to_geojson(self, crs: Crs = "wgs84") -> dict[str, Any]:
        lat, lon = from_wgs84(self.lat, self.lon, crs)
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"radius_m": self.radius_m},
        }


@dataclass(frozen=True, slots=True)
class PolygonFence:
    shell: Ring
    holes: tuple[Ring, ...] = ()
    _lonlat: Polygon = field(init=False, repr=False, compare=False)
    _projection: LocalProjection = field(init=False, repr=False, compare=False)
    _projected: Polygon = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for ring in (self.shell, *self.holes):
            _check_ring(ring)
        lonlat = Polygon(self.shell, self.holes)
        if not shapely.is_valid(lonlat):
            reason = shapely.is_valid_reason(lonlat)
            crossing = "self-intersection" in reason.lower()
            code = "polygon_self_intersecting" if crossing else "polygon_invalid"
            raise InvalidInput(f"the polygon is not valid: {reason}", code=code, reason=reason)
        if lonlat.area == 0.0:
            raise InvalidInput("the polygon has no area", code="polygon_invalid")
        west, south, east, north = lonlat.bounds
        if haversine_m(south, west, north, east) > MAX_FENCE_SPAN_M:
            raise InvalidInput(
                f"a fence may span at most {MAX_FENCE_SPAN_M / 1000:.0f} km", code="fence_too_large"
            )
        # Centre of the bounding box: every vertex is then within half the span of it.
        projection = LocalProjection((south + north) / 2, (west + east) / 2)
        projected = Polygon(
            [projection.forward(lat, lon) for lon, lat in self.shell],
            [[projection.forward(lat, lon) for lon, lat in hole] for hole in self.holes],
        )
        shapely.prepare(lonlat)
        object.__setattr__(self, "_lonlat", lonlat)
        object.__setattr__(self, "_projection", projection)
        object.__setattr__(self, "_projected", projected)

    def contains(self, lat: float, lon: float) -> bool:
        return bool(self._lonlat.covers(Point(lon, lat)))

    def signed_distance_m(self, lat: float, lon: float) -> float:
        """Metres from the point to the nearest edge (holes included): negative inside."""
        x, y = self._projection.forward(lat, lon)
        d = float(self._projected.boundary.distance(Point(x, y)))
        return -d if self.contains(lat, lon) else d

    def to_geojson(self, crs: Crs = "wgs84") -> dict[str, Any]:
        # RFC 7946 asks for a counter-clockwise shell and clockwise holes on output.
        oriented = orient(self._lonlat, sign=1.0)
        rings = [oriented.exterior, *oriented.interiors]
        coordinates = [[list(_lon_lat(lat, lon, crs)) for lon, lat in r.coords] for r in rings]
        return {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": coordinates},
            "properties": {},
        }


Fence = CircleFence | PolygonFence


def fence_from_geojson(obj: Any, crs: Crs = "wgs84") -> Fence:
    """A validated fence from a GeoJSON Polygon, or a Feature of a Polygon or circle.

    `crs` names the system the coordinates are in (`?crs=gcj02` at the API); the fence is
    always kept in WGS-84. Errors are `InvalidInput` with a code a client can act on.
    """
    if not isinstance(obj, Mapping):
        raise InvalidInput("a geofence must be a GeoJSON object", code="invalid_geojson")
    properties: Mapping[str, Any] = {}
    geometry: Any = obj
    if obj.get("type") == "Feature":
        geometry = obj.get("geometry")
        properties = obj.get("properties") or {}
        if not isinstance(geometry, Mapping) or not isinstance(properties, Mapping):
            raise InvalidInput("a Feature needs a geometry object", code="invalid_geojson")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Point":
        if "radius_m" not in properties:
            raise InvalidInput(
                "a circle is a Point Feature with a radius_m property", code="radius_missing"
            )
        radius_m = properties["radius_m"]
        if isinstance(radius_m, bool) or not isinstance(radius_m, int | float):
            raise InvalidInput("radius_m must be a number of metres", code="radius_not_positive")
        lon, lat = _position(coordinates)
        lat, lon = _to_wgs84_checked(lat, lon, crs)
        return CircleFence(lat, lon, float(radius_m))
    if kind == "Polygon":
        if not isinstance(coordinates, Sequence) or isinstance(coordinates, str) or not coordinates:
            raise InvalidInput("a Polygon needs a list of rings", code="invalid_geojson")
        rings = [_ring(r, crs) for r in coordinates]
        return PolygonFence(rings[0], tuple(rings[1:]))
    raise InvalidInput(
        f"a geofence is a Polygon or a circle, not {kind!r}", code="unsupported_geometry"
    )


def _lon_lat(lat: float, lon: float, crs: Crs) -> tuple[float, float]:
    return _swap(from_wgs84(lat, lon, crs))


def _to_wgs84_checked(lat: float, lon: float, crs: Crs) -> tuple[float, float]:
    _check_lat_lon(lat, lon)
    return to_wgs84(lat, lon, crs)


def _position(value: Any) -> tuple[float, float]:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) not in (2, 3)
        or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)
    ):
        raise InvalidInput("a position is [lon, lat] or [lon, lat, alt]", code="invalid_geojson")
    lon, lat = float(value[0]), float(value[1])
    _check_lat_lon(lat, lon)
    return lon, lat


def _ring(value: Any, crs: Crs) -> Ring:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidInput("a ring is a list of positions", code="invalid_geojson")
    positions = [_position(p) for p in value]
    if len(positions) < 4:
        raise InvalidInput(
            "a polygon ring needs at least 4 positions, the last repeating the first",
            code="polygon_too_few_points",
        )
    if positions[0] != positions[-1]:
        raise InvalidInput(
            "a polygon ring must be closed: its last position must equal its first",
            code="polygon_not_closed",
        )
    converted = [_swap(to_wgs84(lat, lon, crs)) for lon, lat in positions[:-1]]
    # Re-close with the same tuple so the ring stays closed bit for bit after conversion.
    return (*converted, converted[0])


def _swap(lat_lon: tuple[float, float]) -> tuple[float, float]:
    return lat_lon[1], lat_lon[0]


def _check_ring(ring: Ring) -> None:
    if len(ring) < 4:
        raise InvalidInput(
            "a polygon ring needs at least 4 positions", code="polygon_too_few_points"
        )
    if ring[0] != ring[-1]:
        raise InvalidInput("a polygon ring must be closed", code="polygon_not_closed")
    for lon, lat in ring:
        _check_lat_lon(lat, lon)


def _check_lat_lon(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(
            f"coordinates out of range: lat {lat}, lon {lon}",
            code="coordinates_out_of_range",
        )
