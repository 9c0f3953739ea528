"""GPX 1.1 and GeoJSON exports of a track, and Douglas-Peucker simplification in metres."""

from __future__ import annotations

import math
import random
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from gis.crs import LocalProjection, wgs84_to_gcj02
from tests.tracking.helpers import LAT0, LON0, fix, fix_at
from tracking.export import GPX_NS, TPX_NS, split_at_gaps, track_to_geojson, track_to_gpx
from tracking.simplify import simplify_track, stop_times
from tracking.trips import TripParams, segment

NS = {"g": GPX_NS, "x": TPX_NS}


def _track() -> list:
    fixes = [
        fix(t, LAT0 + t * 1e-5, LON0, speed_mps=5.5, altitude_m=4.0 + t, heading_deg=360.0)
        for t in range(0, 50, 10)
    ]
    fixes.append(fix(2000, LAT0, LON0 + 0.01, accuracy_m=None))  # after a 30-minute gap
    fixes.append(fix(2010, LAT0, LON0 + 0.0101))
    return fixes


def test_gpx_is_valid_gpx_1_1_with_segments_at_gaps():
    """The GPX parses, has one trk split into two trkseg at the gap, and times in UTC."""
    doc = track_to_gpx(
        list(reversed(_track())), name="van <7> & co", created_at=datetime(2024, 5, 6, tzinfo=UTC)
    )
    root = ET.fromstring(doc)
    assert root.tag == f"{{{GPX_NS}}}gpx" and root.get("version") == "1.1"
    assert root.find("g:metadata/g:name", NS).text == "van <7> & co"
    assert root.find("g:metadata/g:time", NS).text == "2024-05-06T00:00:00Z"
    segs = root.findall("g:trk/g:trkseg", NS)
    assert [len(s.findall("g:trkpt", NS)) for s in segs] == [5, 2]
    first = segs[0].find("g:trkpt", NS)
    assert float(first.get("lat")) == pytest.approx(LAT0, abs=1e-7)
    assert [child.tag.split("}")[1] for child in first] == ["ele", "time", "extensions"]
    assert first.find("g:ele", NS).text == "4.00"
    assert first.find("g:time", NS).text == "2024-05-06T08:00:00Z"
    tpx = first.find("g:extensions/x:TrackPointExtension", NS)
    assert tpx.find("x:speed", NS).text == "5.50"
    assert tpx.find("x:course", NS).text == "0.0"  # 360 is not a valid course; 0 is
    bare = segs[1].find("g:trkpt", NS)
    assert [child.tag.split("}")[1] for child in bare] == ["time"]


def test_gpx_longitude_180_is_written_as_minus_180():
    """The antimeridian is written as -180, the only spelling GPX's longitudeType allows."""
    root = ET.fromstring(track_to_gpx([fix(0, 10.0, 180.0)], name="x"))
    assert root.find("g:trk/g:trkseg/g:trkpt", NS).get("lon") == "-180.0000000"


def test_gpx_leaves_out_what_the_schema_cannot_hold():
    """NaN altitude or speed is omitted, and a course of 359.96 is written as 0.0."""
    point = fix(0, altitude_m=float("nan"), speed_mps=float("inf"), heading_deg=359.96)
    trkpt = ET.fromstring(track_to_gpx([point], name="x")).find("g:trk/g:trkseg/g:trkpt", NS)
    assert trkpt.find("g:ele", NS) is None
    tpx = trkpt.find("g:extensions/x:TrackPointExtension", NS)
    assert tpx.find("x:speed", NS) is None
    assert tpx.find("x:course", NS).text == "0.0"


def test_gpx_of_nothing_is_still_a_document():
    """An empty track is a valid GPX with an empty trk."""
    root = ET.fromstring(track_to_gpx([], name="empty"))
    assert root.findall("g:trk/g:trkseg", NS) == []


def test_geojson_is_a_multilinestring_at_gaps_with_times():
    """GeoJSON nests coordinates and coordTimes per segment, [lon, lat] order, no altitude
    when some fixes lack it."""
    feature = track_to_geojson(_track())
    geometry = feature["geometry"]
    assert geometry["type"] == "MultiLineString"
    assert [len(line) for line in geometry["coordinates"]] == [5, 2]
    assert geometry["coordinates"][0][0] == [LON0, LAT0]
    assert feature["properties"]["coordTimes"][1] == [
        "2024-05-06T08:33:20Z",
        "2024-05-06T08:33:30Z",
    ]
    assert "crs" not in feature["properties"]


def test_geojson_single_segment_is_a_linestring_with_altitude():
    """Without gaps the track is a LineString; altitude is the third coordinate when known."""
    feature = track_to_geojson(_track()[:5])
    assert feature["geometry"]["type"] == "LineString"
    assert feature["geometry"]["coordinates"][1] == [LON0, LAT0 + 1e-4, 14.0]


def test_geojson_in_gcj02_and_degenerate_tracks():
    """GCJ-02 output shifts coordinates and says so; a lone fix is a zero-length line;
    no fixes is a null geometry."""
    feature = track_to_geojson([fix(0)], crs="gcj02")
    lat, lon = wgs84_to_gcj02(LAT0, LON0)
    assert feature["geometry"] == {"type": "LineString", "coordinates": [[lon, lat], [lon, lat]]}
    assert feature["properties"]["crs"] == "gcj02"
    assert track_to_geojson([])["geometry"] is None


def test_split_at_gaps_sorts_and_drops_duplicates():
    """Segments come out in device-time order without repeated fixes."""
    fixes = _track()
    assert split_at_gaps([*fixes, fixes[0]][::-1]) == [fixes[:5], fixes[5:]]


# --- simplification -------------------------------------------------------------------


def _zigzag(n: int, seed: int) -> list:
    """A wandering track: heading drifts, with jitter, about 10 m per fix."""
    rng = random.Random(seed)
    north = east = 0.0
    heading = rng.uniform(0, 2 * math.pi)
    fixes = []
    for i in range(n):
        heading += rng.gauss(0, 0.4)
        north += 10 * math.cos(heading) + rng.uniform(-3, 3)
        east += 10 * math.sin(heading) + rng.uniform(-3, 3)
        fixes.append(fix_at(i * 5, north, east))
    return fixes


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 400), st.integers(0, 10_000), st.floats(0.5, 50))
def test_simplified_track_stays_within_tolerance(n, seed, tolerance_m):
    """Every original fix lies within tolerance_m of the simplified line, in local metres."""
    fixes = _zigzag(n, seed)
    kept = simplify_track(fixes, tolerance_m)
    assert kept[0] is fixes[0] and kept[-1] is fixes[-1]
    assert len(kept) <= len(fixes)
    projection = LocalProjection(LAT0, LON0)
    line = LineString([projection.forward(f.lat, f.lon) for f in kept])
    for f in fixes:
        assert line.distance(Point(projection.forward(f.lat, f.lon))) <= tolerance_m + 0.01


def test_simplification_keeps_stop_points_and_gap_ends():
    """Stop starts and ends, and the fixes either side of a gap, survive any tolerance."""
    fixes = _zigzag(200, 7)
    fixes += [fix_at(2000 + i * 10, 0, 0) for i in range(40)]  # parked after a long gap
    fixes += [fix_at(2400 + i * 10, i * 50, 0) for i in range(1, 40)]  # then drives off
    _, segments = segment(fixes, TripParams())
    keep = stop_times(segments)
    assert keep
    kept = simplify_track(fixes, tolerance_m=10_000, keep_times=keep)
    times = {f.device_time for f in kept}
    assert keep <= times
    assert fixes[199].device_time in times and fixes[200].device_time in times
    assert len(kept) < 10


def test_a_straight_line_simplifies_to_its_ends():
    """Collinear fixes reduce to the first and last."""
    fixes = [fix_at(i, i * 10, 0) for i in range(100)]
    assert simplify_track(fixes, 1.0) == [fixes[0], fixes[-1]]
    assert simplify_track(fixes[:2], 1.0) == fixes[:2]
    with pytest.raises(ValueError):
        simplify_track(fixes, -1)
