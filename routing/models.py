"""The planning problem as an immutable value, validated when it is built.

Times are whole seconds from the plan's epoch (the caller picks it, usually local midnight
of the planning day); distances are whole metres; loads are whole units of each named
dimension (for example kg and litres). Locations are indices into the problem's
`TravelMatrix`: whoever built the matrix knows the coordinates, the planner does not.

An invalid problem raises `InvalidInput` with a code naming what is wrong; nothing here
solves, schedules or touches a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from core.errors import InvalidInput
from gis.matrix import TravelMatrix

DEFAULT_DIMENSIONS = ("kg", "l")


def _refuse(message: str, code: str, **details: object) -> InvalidInput:
    return InvalidInput(message, code=code, **details)


@dataclass(frozen=True)
class TimeWindow:
    """Service may start at any second in [start_s, end_s]."""

    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        if self.start_s < 0:
            raise _refuse("times cannot be before the plan's epoch", "negative_time")
        if self.end_s < self.start_s:
            raise _refuse(
                f"time window ends ({self.end_s}) before it starts ({self.start_s})",
                "window_order",
            )

    def contains(self, t: int) -> bool:
        return self.start_s <= t <= self.end_s


@dataclass(frozen=True)
class Depot:
    id: str
    location: int


@dataclass(frozen=True)
class Visit:
    """One place a vehicle stops at for a job: where, how long, and when it may start.

    No windows means any time within the vehicle's shift. Several windows (morning and
    afternoon) must be sorted and must not overlap.
    """

    location: int
    service_s: int = 0
    windows: tuple[TimeWindow, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "windows", tuple(self.windows))
        if self.service_s < 0:
            raise _refuse("service time cannot be negative", "negative_service")
        for a, b in zip(self.windows, self.windows[1:], strict=False):
            if b.start_s <= a.end_s:
                raise _refuse("time windows must be sorted and must not overlap", "window_overlap")


@dataclass(frozen=True)
class Job:
    """A delivery to a buyer; with `pickup`, goods collected at a seller's stall first.

    A paired job is served by one vehicle, pick-up before delivery; the goods ride on the
    vehicle in between. A plain delivery is loaded at the vehicle's start depot.
    `priority` orders required jobs when not all of them fit (higher is kept first);
    an `optional` job may be left out at the stated `penalty` (in cost units).
    """

    id: str
    delivery: Visit
    demand: tuple[int, ...]
    pickup: Visit | None = None
    skills: frozenset[str] = frozenset()
    priority: int = 0
    optional: bool = False
    penalty: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "demand", tuple(self.demand))
        object.__setattr__(self, "skills", frozenset(self.skills))
        if any(d < 0 for d in self.demand):
            raise _refuse(f"job {self.id}: demand cannot be negative", "negative_demand")
        if self.priority < 0:
            raise _refuse(f"job {self.id}: priority cannot be negative", "negative_priority")
        if self.penalty < 0:
            raise _refuse(f"job {self.id}: penalty cannot be negative", "negative_penalty")
        if self.penalty and not self.optional:
            raise _refuse(
                f"job {self.id}: a penalty only applies to an optional job", "penalty_not_optional"
            )

    @property
    def visits(self) -> tuple[Visit, ...]:
        return (self.delivery,) if self.pickup is None else (self.pickup, self.delivery)


@dataclass(frozen=True)
class Vehicle:
    """One vehicle and its driver's shift: leaves `start_depot` no earlier than the shift
    start, is back at `end_depot` by the shift end, and drives at most `max_shift_s`.

    Costs are in the problem's currency: `fixed_cost` once if the vehicle is used,
    `cost_per_km` for distance, `cost_per_hour` for the route's duration.
    """

    id: str
    start_depot: str
    capacity: tuple[int, ...]
    shift: TimeWindow
    end_depot: str | None = None
    max_shift_s: int | None = None
    fixed_cost: float = 0.0
    cost_per_km: float = 1.0
    cost_per_hour: float = 0.0
    skills: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "capacity", tuple(self.capacity))
        object.__setattr__(self, "skills", frozenset(self.skills))
        if self.end_depot is None:
            object.__setattr__(self, "end_depot", self.start_depot)
        if any(c < 0 for c in self.capacity):
            raise _refuse(f"vehicle {self.id}: capacity cannot be negative", "negative_capacity")
        if min(self.fixed_cost, self.cost_per_km, self.cost_per_hour) < 0:
            raise _refuse(f"vehicle {self.id}: costs cannot be negative", "negative_cost")
        if self.max_shift_s is not None and self.max_shift_s < 0:
            raise _refuse(f"vehicle {self.id}: shift limit cannot be negative", "negative_shift")

    @property
    def end(self) -> str:
        assert self.end_depot is not None
        return self.end_depot


@dataclass(frozen=True)
class Problem:
    """Depots, a fleet, the jobs and the travel matrix between their locations."""

    depots: tuple[Depot, ...]
    vehicles: tuple[Vehicle, ...]
    jobs: tuple[Job, ...]
    matrix: TravelMatrix = field(compare=False)
    dimensions: tuple[str, ...] = DEFAULT_DIMENSIONS

    def __post_init__(self) -> None:
        for name in ("depots", "vehicles", "jobs", "dimensions"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _validate(self)

    @cached_property
    def depot_by_id(self) -> dict[str, Depot]:
        return {d.id: d for d in self.depots}

    @cached_property
    def job_by_id(self) -> dict[str, Job]:
        return {j.id: j for j in self.jobs}

    @cached_property
    def vehicle_by_id(self) -> dict[str, Vehicle]:
        return {v.id: v for v in self.vehicles}

    @property
    def has_pairs(self) -> bool:
        return any(j.pickup is not None for j in self.jobs)

    @property
    def has_skills(self) -> bool:
        return any(j.skills for j in self.jobs)

    def start_location(self, vehicle: Vehicle) -> int:
        return self.depot_by_id[vehicle.start_depot].location

    def end_location(self, vehicle: Vehicle) -> int:
        return self.depot_by_id[vehicle.end].location


def _unique(ids: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise _refuse(f"duplicate {what} id {i!r}", "duplicate_id", id=i)
        seen.add(i)


def _validate(p: Problem) -> None:
    n_dims = len(p.dimensions)
    if n_dims == 0:
        raise _refuse("at least one load dimension is needed", "no_dimensions")
    if not p.vehicles:
        raise _refuse("the fleet is empty", "no_vehicles")
    _unique((d.id for d in p.depots), "depot")
    _unique((v.id for v in p.vehicles), "vehicle")
    _unique((j.id for j in p.jobs), "job")
    size = p.matrix.size
    depot_ids = {d.id for d in p.depots}
    for d in p.depots:
        if not 0 <= d.location < size:
            raise _refuse(
                f"depot {d.id}: location {d.location} is not in the matrix", "unknown_location"
            )
    for v in p.vehicles:
        for depot in (v.start_depot, v.end):
            if depot not in depot_ids:
                raise _refuse(f"vehicle {v.id}: unknown depot {depot!r}", "unknown_depot")
        if len(v.capacity) != n_dims:
            raise _refuse(
                f"vehicle {v.id}: {len(v.capacity)} capacities for {n_dims} dimensions",
                "capacity_dimensions",
            )
    for j in p.jobs:
        if len(j.demand) != n_dims:
            raise _refuse(
                f"job {j.id}: {len(j.demand)} demand values for {n_dims} dimensions",
                "demand_dimensions",
            )
        for visit in j.visits:
            if not 0 <= visit.location < size:
                raise _refuse(
                    f"job {j.id}: location {visit.location} is not in the matrix",
                    "unknown_location",
                )
