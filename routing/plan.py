"""The plan a solve returns: routes with timed stops, left-out jobs with reasons, a verdict.

Both backends return this same shape. Times are seconds from the problem's epoch,
distances metres, costs in the problem's currency. Records only; no solving here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class StopKind(StrEnum):
    START = "start"
    PICKUP = "pickup"
    DELIVERY = "delivery"
    END = "end"


class Reason(StrEnum):
    """Why a job was left out, found by checking, not by guessing."""

    SKILL = "skill"  # no vehicle has the skills it needs
    CAPACITY = "capacity"  # too big for any vehicle, or for the room left on every route
    TIME_WINDOW = "time_window"  # its windows cannot be met, alone or beside the others
    SHIFT = "shift"  # reachable only outside the shifts or past the shift-length limit
    PENALTY = "penalty"  # optional and fits, but serving it costs more than its penalty
    SEARCH = "search"  # required and fits somewhere, but the search ran out before placing it


@dataclass(frozen=True)
class PlannedStop:
    """One stop: arrival, service start and departure times, and the load on board after it."""

    kind: StopKind
    location: int
    arrival_s: int
    start_s: int
    departure_s: int
    load: tuple[int, ...]
    job_id: str | None = None


@dataclass(frozen=True)
class Route:
    """A vehicle's day: start depot, the job stops in order, end depot."""

    vehicle_id: str
    stops: tuple[PlannedStop, ...]
    distance_m: int
    duration_s: int
    cost: float

    @property
    def job_stops(self) -> tuple[PlannedStop, ...]:
        return tuple(s for s in self.stops if s.job_id is not None)


@dataclass(frozen=True)
class Unassigned:
    job_id: str
    reason: Reason
    detail: str = ""


@dataclass(frozen=True)
class Violation:
    """One broken rule found by the feasibility check."""

    kind: str  # capacity, time_window, pair, skill, shift, coverage, travel, depot, totals
    message: str
    vehicle_id: str | None = None
    job_id: str | None = None


@dataclass(frozen=True)
class Verdict:
    violations: tuple[Violation, ...] = ()

    @property
    def feasible(self) -> bool:
        return not self.violations

    def kinds(self) -> set[str]:
        return {v.kind for v in self.violations}


@dataclass(frozen=True)
class Plan:
    """Routes of the used vehicles, left-out jobs, totals and the independent verdict."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    distance_m: int
    duration_s: int
    cost: float
    penalty: float
    backend: str
    solve_s: float
    verdict: Verdict = field(default_factory=Verdict)

    @property
    def feasible(self) -> bool:
        return self.verdict.feasible

    @property
    def objective(self) -> float:
        return self.cost + self.penalty

    def route_of(self, vehicle_id: str) -> Route | None:
        return next((r for r in self.routes if r.vehicle_id == vehicle_id), None)
