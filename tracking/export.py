"""A device's track as GPX 1.1 or as GeoJSON. Pure: fixes in, a document out.

Owns the two export formats, not which fixes make a track (`tracking.service.track`) nor
how many are drawn (`tracking.simplify`). Both split the track into segments where the
device fell silent for more than `gap_s`: GPX says to start a new `trkseg` when "GPS
reception was lost, or the GPS receiver was turned off", and a map should not draw a
straight line across an hour offline.

GPX: WGS-84 always (the format says so). `trk/trkseg/trkpt` with `ele` (when the unit
reported altitude) and `time`; speed (m/s) and course (degrees) go in Garmin's
TrackPointExtension v2, the extension GPX readers already understand.

GeoJSON (RFC 7946): one Feature, a LineString, or a MultiLineString when the track has
gaps, with the `coordTimes` property (ISO-8601 per position, nested like the
coordinates) that common GeoJSON tools read. A lone fix between two gaps becomes a
zero-length line of that position twice, so no fix disappears. Coordinates are WGS-84
unless `crs` asks for GCJ-02 or BD-09 (for Chinese base maps), in which case the Feature
says so in its `crs` property, since RFC 7946 has no other place to.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeGuard
from xml.sax.saxutils import escape, quoteattr

from gis.crs import Crs, from_wgs84
from tracking.models import Fix

GPX_NS = "http://www.topografix.com/GPX/1/1"
GPX_SCHEMA = "http://www.topografix.com/GPX/1/1/gpx.xsd"
TPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
TPX_SCHEMA = "https://www8.garmin.com/xmlschemas/TrackPointExtensionv2.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
DEFAULT_GAP_S = 600.0


def split_at_gaps(fixes: Iterable[Fix], gap_s: float = DEFAULT_GAP_S) -> list[list[Fix]]:
    """Fixes in device-time order (duplicates dropped), cut where silence exceeds `gap_s`."""
    track = sorted({f.device_time: f for f in fixes}.values(), key=lambda f: f.device_time)
    segments: list[list[Fix]] = []
    for f in track:
        if segments and (f.device_time - segments[-1][-1].device_time).total_seconds() <= gap_s:
            segments[-1].append(f)
        else:
            segments.append([f])
    return segments


def track_to_gpx(
    fixes: Iterable[Fix],
    *,
    name: str,
    created_at: datetime | None = None,
    gap_s: float = DEFAULT_GAP_S,
) -> bytes:
    """A GPX 1.1 document (UTF-8 bytes) with one track named `name`."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gpx version="1.1" creator="Waybill" xmlns="{GPX_NS}" xmlns:gpxtpx="{TPX_NS}"'
        f' xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{GPX_NS} {GPX_SCHEMA} {TPX_NS} {TPX_SCHEMA}">',
        "<metadata>",
        f"<name>{escape(name)}</name>",
    ]
    if created_at is not None:
        out.append(f"<time>{_xsd_time(created_at)}</time>")
    out += ["</metadata>", "<trk>", f"<name>{escape(name)}</name>"]
    for segment in split_at_gaps(fixes, gap_s):
        out.append("<trkseg>")
        out += [_trkpt(f) for f in segment]
        out.append("</trkseg>")
    out += ["</trk>", "</gpx>", ""]
    return "\n".join(out).encode("utf-8")


def _trkpt(f: Fix) -> str:
    # Child order is fixed by the schema: ele, time, ..., extensions.
    lon = _deg(f.lon)
    if lon == "180.0000000":  # the schema's longitudeType is [-180, 180)
        lon = "-180.0000000"
    parts = [f"<trkpt lat={quoteattr(_deg(f.lat))} lon={quoteattr(lon)}>"]
    if _finite(f.altitude_m):
        parts.append(f"<ele>{f.altitude_m:.2f}</ele>")
    parts.append(f"<time>{_xsd_time(f.device_time)}</time>")
    ext = []
    if _finite(f.speed_mps):  # TrackPointExtension v2 orders speed before course
        ext.append(f"<gpxtpx:speed>{max(f.speed_mps, 0.0):.2f}</gpxtpx:speed>")
    if _finite(f.heading_deg):
        # Rounded before wrapping: 359.96 must come out as 0.0, never as 360.0.
        course = round(f.heading_deg % 360.0, 1) % 360.0
        ext.append(f"<gpxtpx:course>{course:.1f}</gpxtpx:course>")
    if ext:
        tpx = "".join(ext)
        parts.append(
            f"<extensions><gpxtpx:TrackPointExtension>{tpx}</gpxtpx:TrackPointExtension>"
            "</extensions>"
        )
    parts.append("</trkpt>")
    return "".join(parts)


def track_to_geojson(
    fixes: Iterable[Fix], *, crs: Crs = "wgs84", gap_s: float = DEFAULT_GAP_S
) -> dict[str, Any]:
    """A GeoJSON Feature of the track; `geometry` is null when there are no fixes."""
    segments = split_at_gaps(fixes, gap_s)
    with_altitude = bool(segments) and all(f.altitude_m is not None for s in segments for f in s)
    lines = [[_position(f, crs, with_altitude) for f in _two_or_more(s)] for s in segments]
    times = [[_xsd_time(f.device_time) for f in _two_or_more(s)] for s in segments]
    geometry: dict[str, Any] | None
    coord_times: list[Any]
    if not segments:
        geometry, coord_times = None, []
    elif len(segments) == 1:
        geometry = {"type": "LineString", "coordinates": lines[0]}
        coord_times = times[0]
    else:
        geometry = {"type": "MultiLineString", "coordinates": lines}
        coord_times = times
    properties: dict[str, Any] = {"coordTimes": coord_times}
    if crs != "wgs84":
        properties["crs"] = crs
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _two_or_more(segment: Sequence[Fix]) -> Sequence[Fix]:
    # A LineString needs two positions; a lone fix is drawn as a zero-length line.
    return segment if len(segment) > 1 else [segment[0], segment[0]]


def _position(f: Fix, crs: Crs, with_altitude: bool) -> list[float]:
    lat, lon = from_wgs84(f.lat, f.lon, crs)
    if with_altitude and f.altitude_m is not None:
        return [lon, lat, f.altitude_m]
    return [lon, lat]


def _finite(value: float | None) -> TypeGuard[float]:
    # xsd:decimal has no NaN or infinity; an unknown value is left out, not written badly.
    return value is not None and math.isfinite(value)


def _deg(value: float) -> str:
    return f"{value:.7f}"  # 1e-7 degrees is about 1 cm: finer than any GPS fix


def _utc(t: datetime) -> datetime:
    # Stored times are UTC-aware; a naive one can only be hand-built, and UTC is its meaning.
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _xsd_time(t: datetime) -> str:
    t = _utc(t)
    fraction = f".{t.microsecond // 1000:03d}" if t.microsecond else ""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"
