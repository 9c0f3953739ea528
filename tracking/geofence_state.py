"""Enter/exit transitions of one (device, fence) pair: a pure state machine over fixes.

Owns the rule that turns noisy fixes into trustworthy `enter` and `exit` transitions, the
small state value a projection stores between batches, and the replay from a checkpoint
when a late fix lands behind the watermark. It does no I/O, reads no clock and knows no
table: the projection loads the state and fixes, calls `advance` or `recompute`, and
commits the returned state and transitions together.

The rule, per fix in device-time order:

* a fix whose accuracy is worse than `max_accuracy_m` is ignored (cell and Wi-Fi fixes);
* it is *inside* when its point is in the fence (boundary included);
* it is *outside* only when its accuracy circle, widened by `exit_buffer_m`, does not
  touch the fence: a parked vehicle whose noisy fixes straddle the boundary never counts
  as having left;
* anything else is *near*: evidence for neither side.

A run of consecutive inside fixes lasting `enter_dwell_s` (from its first fix to its
latest) confirms `enter`; a run of outside fixes lasting `exit_dwell_s` confirms `exit`. A
fix of any other class breaks the run. A transition is dated by the first fix of its run,
when the crossing happened, and keyed by `confirmed_at`, the fix that completed the dwell.
From the initial `unknown` status an inside run emits `enter` (first seen inside) and an
outside run settles on `outside` silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from core.errors import Conflict, InvalidInput
from gis.geofence import Fence
from tracking.models import Fix

FenceStatus = Literal["unknown", "inside", "outside"]
Side = Literal["inside", "outside"]
FixClass = Literal["inside", "outside", "near", "ignored"]


@dataclass(frozen=True, slots=True)
class FenceParams:
    """How much evidence a transition needs. Defaults suit vans reporting every 5-30 s.

    enter_dwell_s: 30 -- at least two fixes of a typical unit inside, and a van driving
        past a 100 m delivery fence at city speed is gone in under 30 s.
    exit_dwell_s: 60 -- leaving is what flaps when parked at a boundary, so it waits
        longer; a van really leaving a warehouse is out of reach within a minute.
    exit_buffer_m: 10 -- reported accuracies are 1-sigma-ish and optimistic in urban
        canyons; ten metres more keeps a fix that grazes the edge from counting as out.
    missing_accuracy_m: 20 -- what we assume when a unit reports no accuracy: a typical
        urban GPS error, so such fixes still get a margin.
    max_accuracy_m: 250 -- worse than this is a network fix, too vague to put a van on
        either side of a warehouse wall.
    """

    enter_dwell_s: float = 30.0
    exit_dwell_s: float = 60.0
    exit_buffer_m: float = 10.0
    missing_accuracy_m: float = 20.0
    max_accuracy_m: float = 250.0

    def __post_init__(self) -> None:
        for name in ("enter_dwell_s", "exit_dwell_s", "exit_buffer_m", "missing_accuracy_m"):
            if not getattr(self, name) >= 0:
                raise InvalidInput(f"{name} must be >= 0", code="bad_fence_params")
        if not self.max_accuracy_m > 0:
            raise InvalidInput("max_accuracy_m must be > 0", code="bad_fence_params")


@dataclass(frozen=True, slots=True)
class FenceTransition:
    kind: Literal["enter", "exit"]
    at: datetime  # device time of the first fix of the run that crossed
    lat: float  # that fix's position, the transition's evidence
    lon: float
    confirmed_at: datetime  # device time of the fix that completed the dwell

    def checkpoint(self) -> FenceState:
        """The state right after this transition: a point to replay from."""
        status: FenceStatus = "inside" if self.kind == "enter" else "outside"
        return FenceState(status=status, since=self.at, watermark=self.confirmed_at)


@dataclass(frozen=True, slots=True)
class FenceState:
    """What a projection stores per (device, fence): every field is needed to resume.

    `watermark` is the device time of the last fix applied; a fix at or before it must go
    through `recompute`, not `advance`.
    """

    status: FenceStatus = "unknown"
    since: datetime | None = None  # first fix of the run that set `status`
    pending: Side | None = None  # side of a run not yet long enough
    pending_since: datetime | None = None
    pending_lat: float | None = None
    pending_lon: float | None = None
    watermark: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (ISO-8601 times), for a jsonb column or plain columns."""
        return {
            "status": self.status,
            "since": _iso(self.since),
            "pending": self.pending,
            "pending_since": _iso(self.pending_since),
            "pending_lat": self.pending_lat,
            "pending_lon": self.pending_lon,
            "watermark": _iso(self.watermark),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FenceState:
        return cls(
            status=data["status"],
            since=_parse(data.get("since")),
            pending=data.get("pending"),
            pending_since=_parse(data.get("pending_since")),
            pending_lat=data.get("pending_lat"),
            pending_lon=data.get("pending_lon"),
            watermark=_parse(data.get("watermark")),
        )


@dataclass(frozen=True, slots=True)
class Recomputed:
    """The outcome of a replay: replace every stored transition whose `confirmed_at` is
    after `replaces_after` with `transitions`, and store `state`, in one transaction."""

    state: FenceState
    transitions: list[FenceTransition]
    replaces_after: datetime | None


def classify(fence: Fence, fix: Fix, params: FenceParams) -> FixClass:
    accuracy_m = params.missing_accuracy_m if fix.accuracy_m is None else fix.accuracy_m
    if accuracy_m > params.max_accuracy_m:
        return "ignored"
    d_m = fence.signed_distance_m(fix.lat, fix.lon)
    if d_m <= 0.0:
        return "inside"
    if d_m > accuracy_m + params.exit_buffer_m:
        return "outside"
    return "near"


def step(
    state: FenceState, fence: Fence, fix: Fix, params: FenceParams
) -> tuple[FenceState, FenceTransition | None]:
    """Apply one fix newer than the watermark."""
    t = fix.device_time
    kind = classify(fence, fix, params)
    if kind == "ignored":
        return replace(state, watermark=t), None
    if kind == "near" or kind == state.status:
        # Near breaks any run; a fix agreeing with the status breaks a run towards the other
        # side. Either way nothing is pending any more.
        return FenceState(state.status, state.since, watermark=t), None
    if state.pending == kind:
        run_since, run_lat, run_lon = state.pending_since, state.pending_lat, state.pending_lon
    else:
        run_since, run_lat, run_lon = t, fix.lat, fix.lon
    assert run_since is not None and run_lat is not None and run_lon is not None
    dwell_s = params.enter_dwell_s if kind == "inside" else params.exit_dwell_s
    if (t - run_since).total_seconds() < dwell_s:
        return FenceState(state.status, state.since, kind, run_since, run_lat, run_lon, t), None
    confirmed = FenceState(kind, run_since, watermark=t)
    if kind == "inside":
        return confirmed, FenceTransition("enter", run_since, run_lat, run_lon, t)
    if state.status == "inside":
        return confirmed, FenceTransition("exit", run_since, run_lat, run_lon, t)
    return confirmed, None  # settled outside from unknown: nothing was left


def advance(
    state: FenceState, fence: Fence, fixes: Iterable[Fix], params: FenceParams
) -> tuple[FenceState, list[FenceTransition]]:
    """Apply fixes newer than the watermark, in device-time order.

    A fix at the watermark is the same fix again (device time is unique per device) and
    changes nothing. A fix before it raises `Conflict(code="late_fix")`: the caller must
    `recompute` from a checkpoint instead, or the transitions would be wrong.
    """
    transitions: list[FenceTransition] = []
    for fix in sorted(fixes, key=lambda f: f.device_time):
        if state.watermark is not None and fix.device_time <= state.watermark:
            if fix.device_time == state.watermark:
                continue
            raise Conflict(
                f"fix at {fix.device_time.isoformat()} is behind the watermark "
                f"{state.watermark.isoformat()}; recompute from a checkpoint",
                code="late_fix",
                device_time=fix.device_time,
                watermark=state.watermark,
            )
        state, transition = step(state, fence, fix, params)
        if transition is not None:
            transitions.append(transition)
    return state, transitions


def recompute(
    checkpoint: FenceState, fence: Fence, fixes: Iterable[Fix], params: FenceParams
) -> Recomputed:
    """Replay from a checkpoint after a late fix: the same answer as if no fix had been late.

    `checkpoint` is any state stored earlier whose watermark is before the late fix: the
    initial `FenceState()`, `transition.checkpoint()` of the last stored transition
    confirmed before it, or a periodic snapshot. `fixes` are the device's fixes after the
    checkpoint's watermark up to now, late one included; earlier ones are skipped, so an
    overlapping window is harmless.
    """
    since = checkpoint.watermark
    newer = [f for f in fixes if since is None or f.device_time > since]
    unique = {f.device_time: f for f in newer}.values()
    state, transitions = advance(checkpoint, fence, unique, params)
    return Recomputed(state, transitions, since)


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
