"""Times and loads of one vehicle's sequence of visits, and which rules it breaks.

Given the order a vehicle visits its stops in, service starts as early as each window
allows; the departure from the depot is then delayed as far as it goes without breaking a
window, so a route does not start hours before its first customer. Loads: plain deliveries
ride from the start depot, paired goods from their pick-up to their delivery.

Used to turn a solver's sequences into a plan and to test where a left-out job could go.
The feasibility check does not use it: it re-derives everything on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from routing.models import Job, Problem, Vehicle, Visit
from routing.plan import PlannedStop, StopKind

Step = tuple[Job, StopKind]  # a job and which of its visits (pick-up or delivery)


@dataclass(frozen=True)
class Simulation:
    stops: tuple[PlannedStop, ...]
    distance_m: int
    duration_s: int
    broken: frozenset[str]  # subset of {"capacity", "time_window", "shift"}

    @property
    def ok(self) -> bool:
        return not self.broken


def visit_of(job: Job, kind: StopKind) -> Visit:
    if kind is StopKind.PICKUP:
        assert job.pickup is not None
        return job.pickup
    return job.delivery


def _start_at(visit: Visit, arrival: int) -> tuple[int, int | None]:
    """Service start and the end of the window used (None: no window, or none left)."""
    if not visit.windows:
        return arrival, None
    for w in visit.windows:
        if arrival <= w.end_s:
            return max(arrival, w.start_s), w.end_s
    return arrival, -1


def _forward(
    problem: Problem, vehicle: Vehicle, steps: Sequence[Step], depart: int
) -> tuple[list[tuple[int, int, int]], int, list[int], bool]:
    """(arrival, start, departure) per step, arrival at the end depot, waits, windows met."""
    dur = problem.matrix.duration_s
    prev = problem.start_location(vehicle)
    t = depart
    times: list[tuple[int, int, int]] = []
    slack_room: list[int] = []
    windows_ok = True
    waited = 0
    for job, kind in steps:
        visit = visit_of(job, kind)
        arrival = t + int(dur[prev, visit.location])
        start, window_end = _start_at(visit, arrival)
        if window_end == -1:
            windows_ok = False
        waited += start - arrival
        if window_end is not None and window_end >= 0:
            slack_room.append(waited + window_end - start)
        t = start + visit.service_s
        times.append((arrival, start, t))
        prev = visit.location
    end = t + int(dur[prev, problem.end_location(vehicle)])
    slack_room.append(waited + vehicle.shift.end_s - end)
    slack_room.append(waited)
    return times, end, slack_room, windows_ok


def _loads(problem: Problem, steps: Sequence[Step]) -> list[tuple[int, ...]]:
    """Load on board at the start, then after each step."""
    dims = len(problem.dimensions)
    load = [0] * dims
    for job, _ in steps:
        if job.pickup is None:
            load = [a + b for a, b in zip(load, job.demand, strict=True)]
    out = [tuple(load)]
    for job, kind in steps:
        sign = 1 if kind is StopKind.PICKUP else -1
        load = [a + sign * b for a, b in zip(load, job.demand, strict=True)]
        out.append(tuple(load))
    return out


def simulate(problem: Problem, vehicle: Vehicle, steps: Sequence[Step]) -> Simulation:
    times, end, slack_room, windows_ok = _forward(problem, vehicle, steps, vehicle.shift.start_s)
    delay = max(0, min(slack_room)) if windows_ok else 0
    if delay:
        times, end, _, windows_ok = _forward(problem, vehicle, steps, vehicle.shift.start_s + delay)
    depart = vehicle.shift.start_s + delay
    broken: set[str] = set()
    if not windows_ok:
        broken.add("time_window")
    duration = end - depart
    if end > vehicle.shift.end_s or (
        vehicle.max_shift_s is not None and duration > vehicle.max_shift_s
    ):
        broken.add("shift")
    loads = _loads(problem, steps)
    if any(x > cap for load in loads for x, cap in zip(load, vehicle.capacity, strict=True)):
        broken.add("capacity")

    dist = problem.matrix.distance_m
    start_loc, end_loc = problem.start_location(vehicle), problem.end_location(vehicle)
    stops = [PlannedStop(StopKind.START, start_loc, depart, depart, depart, loads[0])]
    distance = 0
    prev = start_loc
    for (job, kind), (arrival, start, leave), load in zip(steps, times, loads[1:], strict=True):
        loc = visit_of(job, kind).location
        distance += int(dist[prev, loc])
        stops.append(PlannedStop(kind, loc, arrival, start, leave, load, job.id))
        prev = loc
    distance += int(dist[prev, end_loc])
    stops.append(PlannedStop(StopKind.END, end_loc, end, end, end, loads[-1]))
    return Simulation(tuple(stops), distance, duration, frozenset(broken))
