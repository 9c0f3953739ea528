"""Trips, stops and the odometer of one device, from its fixes in device-time order. Pure.

Owns the segmentation rule and the replay from a checkpoint after a late fix; the values it
works on (parameters, segments, the state a projection stores between batches) are in
`tracking/trip_model.py`. No I/O, no clock, no tables: the projection loads a state and
fixes, calls `advance` (or `recompute`), and commits the returned state with the segments
in one transaction.

The rule (parameters in `TripParams`):

1. Filter. A fix with accuracy worse than `max_accuracy_m` is ignored. A fix that would
   need more than `max_speed_mps` from the last accepted fix (after allowing both fixes'
   accuracy) is an outlier and rejected. If `outlier_reset_fixes` rejected fixes in a row
   agree with each other, it was the accepted position that was wrong (a cold-start fix,
   a device moved while off): what was open is closed with reason `relocated`, and the
   device restarts from the first of them. Jumps are never counted as distance.
2. Stops. A stop is a run of accepted fixes all within `stop_radius_m` of its first fix
   lasting at least `stop_min_duration_s`. It lasts while fixes stay within that radius of
   it, even across a stretch with no fixes (a van parked with its unit asleep).
3. Trips. A trip is the movement between two stops: from the last fix of one stop to the
   first fix of the next. Its distance is the sum of great-circle steps between accepted
   fixes. A movement that never gets `min_trip_displacement_m` (straight line) from where
   it started is not a trip: after a stop it is folded into that stop (a van shunting in
   a yard, one wild fix while parked), otherwise it is dropped. Displacement, not path
   length, decides, because a single 60 m spike adds 120 m of path but no displacement.
4. Offline. No fix for more than `gap_s`, then a fix away from where the device was, closes
   the open trip at the last fix before the gap (reason `offline`), or the open stop; the
   unknown path across the gap is not counted. (Back at the same place, it was parked.)
5. Odometer: the sum of the distances of closed trips, nothing else.

Each segment carries `decided_at`, the device time of the fix whose processing closed it.
Replaying from a checkpoint re-decides exactly the segments decided after the checkpoint's
watermark, so the caller replaces those and keeps the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core.errors import Conflict
from gis.geodesy import haversine_m
from tracking.models import Fix
from tracking.trip_model import (
    EndReason,
    Mode,
    OpenStop,
    Point,
    Recomputed,
    Segment,
    Stop,
    Trip,
    TripParams,
    TripState,
)

__all__ = [
    "EndReason", "Mode", "OpenStop", "Point", "Recomputed", "Segment", "Stop", "Trip",
    "TripParams", "TripState", "advance", "open_segment", "recompute", "segment",
]  # fmt: skip


def advance(
    state: TripState, fixes: Iterable[Fix], params: TripParams
) -> tuple[TripState, list[Segment]]:
    """Apply fixes newer than the watermark; returns the new state and closed segments.

    A fix at the watermark is a replay of the same fix and changes nothing; one before it
    raises `Conflict(code="late_fix")`: use `recompute` from an earlier checkpoint.
    """
    machine = _Machine(state, params)
    for fix in sorted(fixes, key=lambda f: f.device_time):
        if machine.watermark is not None and fix.device_time <= machine.watermark:
            if fix.device_time == machine.watermark:
                continue
            raise Conflict(
                f"fix at {fix.device_time.isoformat()} is behind the watermark "
                f"{machine.watermark.isoformat()}; recompute from a checkpoint",
                code="late_fix",
                device_time=fix.device_time,
                watermark=machine.watermark,
            )
        machine.feed(fix)
    return machine.snapshot(), machine.out


def segment(fixes: Iterable[Fix], params: TripParams) -> tuple[TripState, list[Segment]]:
    """Trips and stops of a whole track, in any input order (sorted here by device time)."""
    unique = {f.device_time: f for f in fixes}.values()
    return advance(TripState(), unique, params)


def recompute(checkpoint: TripState, fixes: Iterable[Fix], params: TripParams) -> Recomputed:
    """Replay from a stored state whose watermark is before a late fix.

    `fixes` are the device's fixes after the checkpoint's watermark, late one included;
    older ones are skipped, so an overlapping window is harmless.
    """
    since = checkpoint.watermark
    newer = {f.device_time: f for f in fixes if since is None or f.device_time > since}
    state, segments = advance(checkpoint, newer.values(), params)
    return Recomputed(state, segments, since)


def open_segment(state: TripState) -> Segment | None:
    """The stop or trip in progress, provisional (`decided_at` None), for live display."""
    if state.mode == "stopped" and state.stop is not None:
        return state.stop.closed(None)
    if state.mode == "moving" and state.trip_start is not None and state.last is not None:
        a, b = state.trip_start, state.last
        return Trip(a.t, b.t, a.lat, a.lon, b.lat, b.lon, state.trip_m, None, None)
    return None


class _Machine:
    """The mutable working copy behind `advance`: one object per batch, not per fix."""

    def __init__(self, s: TripState, params: TripParams) -> None:
        self.p = params
        self.mode: Mode = s.mode
        self.watermark = s.watermark
        self.odometer_m = s.odometer_m
        self.last = s.last
        self.rejected = list(s.rejected)
        self.stop = s.stop
        self.trip_start = s.trip_start
        self.trip_m = s.trip_m
        self.trip_reach_m = s.trip_reach_m
        self.cluster = list(s.cluster)
        self.out: list[Segment] = []

    def snapshot(self) -> TripState:
        return TripState(
            self.mode,
            self.watermark,
            self.odometer_m,
            self.last,
            tuple(self.rejected),
            self.stop,
            self.trip_start,
            self.trip_m,
            self.trip_reach_m,
            tuple(self.cluster),
        )

    def feed(self, fix: Fix) -> None:
        self.watermark = fix.device_time
        accuracy_m = 0.0 if fix.accuracy_m is None else fix.accuracy_m
        if accuracy_m > self.p.max_accuracy_m:
            return
        p = Point(fix.device_time, fix.lat, fix.lon, accuracy_m)
        if self.last is None or not self._too_fast(self.last, p):
            self.rejected.clear()  # a plausible fix ends any run of outliers
            self._accept(p)
            return
        if self.rejected and self._too_fast(self.rejected[-1], p):
            self.rejected.clear()  # outliers that disagree with each other are just noise
        self.rejected.append(p)
        if len(self.rejected) >= self.p.outlier_reset_fixes:
            self._close_all(p.t, "relocated")
            restart, self.rejected = self.rejected, []
            for q in restart:
                self._accept(q)

    def _too_fast(self, a: Point, b: Point) -> bool:
        moved_m = haversine_m(a.lat, a.lon, b.lat, b.lon) - a.accuracy_m - b.accuracy_m
        return moved_m > self.p.max_speed_mps * (b.t - a.t).total_seconds()

    def _near(self, a: Point, b: Point) -> bool:
        return haversine_m(a.lat, a.lon, b.lat, b.lon) <= self.p.stop_radius_m

    def _accept(self, p: Point) -> None:
        last = self.last
        self.last = p
        if last is None or self.mode == "idle":
            self._start_moving(p)
            return
        gap = (p.t - last.t).total_seconds() > self.p.gap_s
        if self.mode == "stopped":
            assert self.stop is not None
            if self._near(self.stop.anchor, p):
                s = self.stop
                self.stop = OpenStop(
                    s.start, p, s.anchor, s.sum_lat + p.lat, s.sum_lon + p.lon, s.count + 1
                )
            elif gap:
                self._close_all(p.t, "offline")
                self._start_moving(p)
            else:  # departure: the movement starts at the stop's last fix
                step_m = haversine_m(last.lat, last.lon, p.lat, p.lon)
                self.mode, self.trip_start = "moving", last
                self.trip_m = self.trip_reach_m = step_m
                self.cluster = [p._replace(cum_m=step_m, reach_m=step_m)]
            return
        if gap and not self._near(self.cluster[0], p):
            self._close_all(p.t, "offline", last_before=last)
            self._start_moving(p)
            return
        start = self.trip_start
        assert start is not None
        self.trip_m += haversine_m(last.lat, last.lon, p.lat, p.lon)
        away_m = haversine_m(start.lat, start.lon, p.lat, p.lon)
        self.trip_reach_m = max(self.trip_reach_m, away_m)
        self._add_to_cluster(p._replace(cum_m=self.trip_m, reach_m=self.trip_reach_m))
        first = self.cluster[0]
        if (p.t - first.t).total_seconds() >= self.p.stop_min_duration_s:
            self._arrive(p)
        elif self.stop is not None and first.reach_m >= self.p.min_trip_displacement_m:
            # The arrival can only be at this cluster's first fix or later, so the movement
            # will be a trip whatever comes next: the stop left behind is final.
            self.out.append(self.stop.closed(p.t))
            self.stop = None

    def _add_to_cluster(self, p: Point) -> None:
        self.cluster.append(p)
        if self._near(self.cluster[0], p):
            return
        # Keep the longest suffix whose fixes all lie within the radius of its first fix.
        while True:
            self.cluster.pop(0)
            if all(self._near(self.cluster[0], q) for q in self.cluster[1:]):
                return

    def _arrive(self, p: Point) -> None:
        """The cluster has lasted long enough: the movement ends at its first fix."""
        first = self.cluster[0]
        lat = sum(q.lat for q in self.cluster)
        lon = sum(q.lon for q in self.cluster)
        n = len(self.cluster)
        if first.reach_m >= self.p.min_trip_displacement_m:
            self._emit_trip(first, first.cum_m, "stop", p.t)
            self.stop = OpenStop(first, p, first, lat, lon, n)
        elif self.stop is not None:  # a short hop after a stop: still the same stop
            s = self.stop
            self.stop = OpenStop(s.start, p, first, s.sum_lat + lat, s.sum_lon + lon, s.count + n)
        else:
            self.stop = OpenStop(first, p, first, lat, lon, n)
        self.mode, self.trip_start, self.cluster = "stopped", None, []
        self.trip_m = self.trip_reach_m = 0.0

    def _close_all(
        self, decided_at: datetime, reason: EndReason, last_before: Point | None = None
    ) -> None:
        """Close whatever is open at the last accepted fix before `decided_at`."""
        if self.mode == "stopped" and self.stop is not None:
            self.out.append(self.stop.closed(decided_at))
        elif self.mode == "moving":
            end = last_before or self.last
            assert end is not None
            if self.trip_reach_m >= self.p.min_trip_displacement_m:
                self._emit_trip(end, self.trip_m, reason, decided_at)
            elif self.stop is not None:  # a short hop after a stop, then silence: fold it in
                s = self.stop
                self.out.append(
                    OpenStop(s.start, end, s.anchor, s.sum_lat, s.sum_lon, s.count).closed(
                        decided_at
                    )
                )
        self.mode, self.stop, self.trip_start, self.cluster = "idle", None, None, []
        self.trip_m = self.trip_reach_m = 0.0
        self.last = None

    def _emit_trip(self, end: Point, distance_m: float, reason: EndReason, at: datetime) -> None:
        if self.stop is not None:
            self.out.append(self.stop.closed(at))
            self.stop = None
        a = self.trip_start
        assert a is not None
        self.out.append(Trip(a.t, end.t, a.lat, a.lon, end.lat, end.lon, distance_m, reason, at))
        self.odometer_m += distance_m

    def _start_moving(self, p: Point) -> None:
        self.last = p
        self.mode, self.trip_start = "moving", p
        self.trip_m = self.trip_reach_m = 0.0
        self.cluster = [p._replace(cum_m=0.0, reach_m=0.0)]
