"""Track simplification for display: Douglas-Peucker in metres. Pure.

Owns which fixes of a track a map needs to draw it within a tolerance; not how the track
is read or drawn. The track is projected with `gis.crs.LocalProjection` centred on its
bounding box, so the tolerance is metres on the ground wherever the track is (degrees
would mean 15 % less east-west than north-south at Shanghai's latitude). Its scale error
is about (d / R)^2 / 6 at d from the centre: nothing at city scale, 1e-4 of the tolerance
150 km out on an inter-city run.

Always kept, whatever the tolerance: the first and last fix, the fixes the caller names
(the start and end of stops: a dispatcher wants the van's dwell points exactly), and the
two fixes either side of a silence longer than `gap_s`, so splitting the result into
segments at gaps (as `tracking.export` does) sees the same gaps as the full track.

Every dropped fix lies within `tolerance_m` of the simplified segment that replaces it
(distance to the segment, not to its infinite line, so a van doubling back is kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import numpy as np

from gis.crs import LocalProjection
from tracking.models import Fix
from tracking.trips import Segment, Stop


def stop_times(segments: Iterable[Segment]) -> set[datetime]:
    """The start and end device times of the stops among `segments`, to keep when simplifying."""
    return {t for s in segments if isinstance(s, Stop) for t in (s.start, s.end)}


def simplify_track(
    fixes: Sequence[Fix],
    tolerance_m: float = 10.0,
    keep_times: Iterable[datetime] = (),
    gap_s: float = 600.0,
) -> list[Fix]:
    """The fixes (in device-time order, the same records) needed to draw the track."""
    if tolerance_m < 0:
        raise ValueError("tolerance_m must be >= 0")
    track = sorted({f.device_time: f for f in fixes}.values(), key=lambda f: f.device_time)
    n = len(track)
    if n <= 2:
        return track
    xy = _project(track)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    wanted = set(keep_times)
    for i, f in enumerate(track):
        if f.device_time in wanted:
            keep[i] = True
        if i and (f.device_time - track[i - 1].device_time).total_seconds() > gap_s:
            keep[i - 1] = keep[i] = True
    anchors = np.flatnonzero(keep)
    # An explicit stack instead of recursion: a 100 000-fix track must not hit the limit.
    stack = list(zip(anchors[:-1].tolist(), anchors[1:].tolist(), strict=True))
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        d = _distance_to_segment(xy[a + 1 : b], xy[a], xy[b])
        i = int(np.argmax(d))
        if d[i] > tolerance_m:
            mid = a + 1 + i
            keep[mid] = True
            stack += [(a, mid), (mid, b)]
    return [f for f, k in zip(track, keep, strict=True) if k]


def _project(track: Sequence[Fix]) -> np.ndarray:
    lats = [f.lat for f in track]
    lons = [f.lon for f in track]
    projection = LocalProjection((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)
    return np.array([projection.forward(f.lat, f.lon) for f in track])


def _distance_to_segment(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    length2 = float(ab @ ab)
    if length2 == 0.0:
        return np.hypot(*(points - a).T)
    t = np.clip((points - a) @ ab / length2, 0.0, 1.0)
    nearest = a + t[:, None] * ab
    return np.hypot(*(points - nearest).T)
