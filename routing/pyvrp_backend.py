"""The PyVRP backend: the problem as PyVRP data, solved by its iterated local search.

PyVRP expresses time windows, several depots, a heterogeneous fleet (vehicle types),
several load dimensions, optional jobs (prizes), shifts and shift-length limits, and
pick-up and delivery pairs (shipments). Two things are reformulated: several windows on a
plain delivery become a mutually exclusive group of one client per window, and skills
become one routing profile per skill set in which reaching a visit the vehicle lacks the
skills for takes longer than any shift, so such a route can never be feasible.

`unsupported` names what it cannot express (several windows on a paired job); the
dispatcher in `routing.solve` sends those problems to OR-Tools.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pyvrp
from pyvrp import stop as pyvrp_stop

from routing.costs import CostUnits
from routing.models import Job, Problem, Vehicle, Visit
from routing.params import SolveParams
from routing.plan import StopKind
from routing.schedule import Step

Progress = Callable[[float, float | None], bool]
_NO_LATE = int(np.iinfo(np.int64).max)


def unsupported(problem: Problem) -> str | None:
    """Why PyVRP cannot take this problem as it stands, or None when it can."""
    for job in problem.jobs:
        if job.pickup is not None and (
            len(job.pickup.windows) > 1 or len(job.delivery.windows) > 1
        ):
            return f"paired job {job.id} has several time windows"
    return None


def _tw(visit: Visit) -> tuple[int, int]:
    if not visit.windows:
        return 0, _NO_LATE
    return visit.windows[0].start_s, visit.windows[-1].end_s


def _fleet_key(v: Vehicle) -> tuple:
    return (
        v.start_depot,
        v.end,
        v.capacity,
        v.shift,
        v.max_shift_s,
        v.fixed_cost,
        v.cost_per_km,
        v.cost_per_hour,
        v.skills,
    )


class _Data:
    """PyVRP locations: the depots, then one location per visit, so skills can be priced
    per visit even when two jobs share an address."""

    def __init__(self, problem: Problem, units: CostUnits) -> None:
        self.problem = problem
        dims = len(problem.dimensions)
        zero = [0] * dims
        self.locs = [d.location for d in problem.depots]
        depot_index = {d.id: i for i, d in enumerate(problem.depots)}
        horizon = max(v.shift.end_s for v in problem.vehicles)
        depots = [
            pyvrp.Depot(location=i, tw_early=0, tw_late=horizon, name=d.id)
            for i, d in enumerate(problem.depots)
        ]
        clients: list[pyvrp.Client] = []
        groups: list[pyvrp.ClientGroup] = []
        shipments: list[pyvrp.Shipment] = []
        self.client_step: list[Step] = []
        self.shipment_job: list[Job] = []
        self.visit_loc: dict[tuple[str, StopKind], int] = {}

        def new_loc(job: Job, kind: StopKind, visit: Visit) -> int:
            self.locs.append(visit.location)
            self.visit_loc[(job.id, kind)] = len(self.locs) - 1
            return len(self.locs) - 1

        for job in problem.jobs:
            prize = units.penalty[job.id] if job.optional else 0
            if job.pickup is not None:
                p_loc = new_loc(job, StopKind.PICKUP, job.pickup)
                d_loc = new_loc(job, StopKind.DELIVERY, job.delivery)
                (pe, pl), (de, dl) = _tw(job.pickup), _tw(job.delivery)
                shipments.append(
                    pyvrp.Shipment(
                        p_loc,
                        d_loc,
                        pe,
                        pl,
                        job.pickup.service_s,
                        de,
                        dl,
                        job.delivery.service_s,
                        amount=list(job.demand),
                        prize=prize,
                        required=not job.optional,
                        name=job.id,
                    )
                )
                self.shipment_job.append(job)
                continue
            loc = new_loc(job, StopKind.DELIVERY, job.delivery)
            visit = job.delivery
            if len(visit.windows) <= 1:
                early, late = _tw(visit)
                clients.append(
                    pyvrp.Client(
                        loc,
                        delivery=list(job.demand),
                        pickup=zero,
                        service_duration=visit.service_s,
                        tw_early=early,
                        tw_late=late,
                        prize=prize,
                        required=not job.optional,
                        name=job.id,
                    )
                )
                self.client_step.append((job, StopKind.DELIVERY))
                continue
            group = len(groups)
            members = []
            for w in visit.windows:
                members.append(len(clients))
                clients.append(
                    pyvrp.Client(
                        loc,
                        delivery=list(job.demand),
                        pickup=zero,
                        service_duration=visit.service_s,
                        tw_early=w.start_s,
                        tw_late=w.end_s,
                        prize=prize,
                        required=False,
                        group=group,
                        name=job.id,
                    )
                )
                self.client_step.append((job, StopKind.DELIVERY))
            groups.append(pyvrp.ClientGroup(members, required=not job.optional, name=job.id))

        idx = np.asarray(self.locs, dtype=np.intp)
        dist = np.ascontiguousarray(problem.matrix.distance_m[np.ix_(idx, idx)])
        dur = np.ascontiguousarray(problem.matrix.duration_s[np.ix_(idx, idx)])
        profiles, profile_of = self._profiles(dur, horizon)

        self.types: list[list[Vehicle]] = []
        vtypes = []
        by_key: dict[tuple, int] = {}
        for v in problem.vehicles:
            key = _fleet_key(v)
            if key in by_key:
                self.types[by_key[key]].append(v)
                continue
            by_key[key] = len(self.types)
            self.types.append([v])
        for fleet in self.types:
            v = fleet[0]
            per_m, per_s, fixed = units.of_vehicle(v)
            vtypes.append(
                pyvrp.VehicleType(
                    num_available=len(fleet),
                    capacity=list(v.capacity),
                    start_depot=depot_index[v.start_depot],
                    end_depot=depot_index[v.end],
                    fixed_cost=fixed,
                    tw_early=v.shift.start_s,
                    tw_late=v.shift.end_s,
                    unit_distance_cost=per_m,
                    unit_duration_cost=per_s,
                    profile=profile_of[v.skills],
                    shift_duration=_NO_LATE if v.max_shift_s is None else v.max_shift_s,
                    name=v.id,
                )
            )
        locations = [pyvrp.Location(0, 0) for _ in self.locs]
        self.data = pyvrp.ProblemData(
            locations,
            clients,
            depots,
            vtypes,
            [dist] * len(profiles),  # type: ignore[list-item]
            profiles,  # type: ignore[arg-type]
            groups,
            shipments,
        )

    def _profiles(self, dur: np.ndarray, horizon: int) -> tuple[list[np.ndarray], dict]:
        """One duration matrix per skill set; a visit needing skills the set lacks is out
        of reach (longer to get to than the whole horizon)."""
        problem = self.problem
        skill_sets = sorted({v.skills for v in problem.vehicles}, key=sorted)
        if not problem.has_skills:
            return [dur], dict.fromkeys(skill_sets, 0)
        matrices: list[np.ndarray] = []
        profile_of: dict[frozenset[str], int] = {}
        for skills in skill_sets:
            m = dur.copy()
            for (job_id, _), loc in self.visit_loc.items():
                if not problem.job_by_id[job_id].skills <= skills:
                    m[:, loc] = horizon + 1
                    m[loc, loc] = 0
            profile_of[skills] = len(matrices)
            matrices.append(m)
        return matrices, profile_of


class _Stop:
    """The time and iteration limits, plus an optional progress report that may cancel."""

    def __init__(self, params: SolveParams, on_progress: Progress | None, unit: float) -> None:
        parts: list = []
        if params.time_limit_s is not None:
            parts.append(pyvrp_stop.MaxRuntime(params.time_limit_s))
        if params.iteration_limit is not None:
            parts.append(pyvrp_stop.MaxIterations(params.iteration_limit))
        self._limit = parts[0] if len(parts) == 1 else pyvrp_stop.MultipleCriteria(parts)
        self._progress = on_progress
        self._unit = unit
        self._began = time.monotonic()
        self._last = -1.0

    def __call__(self, best_cost: int) -> bool:
        if self._limit(best_cost):
            return True
        if self._progress is None:
            return False
        now = time.monotonic() - self._began
        if now - self._last < 0.5:
            return False
        self._last = now
        cost = None if best_cost >= 2**62 else best_cost * self._unit
        return not self._progress(now, cost)


def solve(
    problem: Problem,
    params: SolveParams,
    units: CostUnits,
    on_progress: Progress | None = None,
) -> dict[str, list[Step]]:
    built = _Data(problem, units)
    stop = _Stop(params, on_progress, units.money_per_unit)
    result = pyvrp.solve(built.data, stop=stop, seed=params.seed, collect_stats=False)
    best = result.best
    routes: dict[str, list[Step]] = {}
    free = [list(members) for members in built.types]
    for route in best.routes():
        vehicle = free[route.vehicle_type()].pop(0)
        steps: list[Step] = []
        for act in route:
            if act.is_depot():
                continue
            if act.is_shipment():
                job = built.shipment_job[act.idx]
                steps.append((job, StopKind.PICKUP if act.is_pickup() else StopKind.DELIVERY))
            else:
                steps.append(built.client_step[act.idx])
        if steps:
            routes[vehicle.id] = steps
    return routes
