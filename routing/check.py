"""The independent feasibility check: does a plan keep every rule of its problem?

Our own code, no solver and no shared scheduling: it reads the plan as stated and
re-derives travel, windows, loads, pairs, skills, shifts, coverage and totals from the
problem alone. Every solve runs it; its verdict travels with the plan.
"""

from __future__ import annotations

from collections import Counter

from routing.costs import route_cost
from routing.models import Job, Problem, Vehicle
from routing.plan import Plan, PlannedStop, Route, StopKind, Verdict, Violation


def check(problem: Problem, plan: Plan) -> Verdict:
    found: list[Violation] = []
    seen: Counter[tuple[str, StopKind]] = Counter()
    used: Counter[str] = Counter(r.vehicle_id for r in plan.routes)
    for vid, n in used.items():
        if n > 1:
            found.append(Violation("depot", f"vehicle {vid} has {n} routes", vid))
    for route in plan.routes:
        vehicle = problem.vehicle_by_id.get(route.vehicle_id)
        if vehicle is None:
            found.append(Violation("depot", f"unknown vehicle {route.vehicle_id}"))
            continue
        found.extend(_check_route(problem, vehicle, route))
        for stop in route.job_stops:
            assert stop.job_id is not None
            seen[(stop.job_id, stop.kind)] += 1
    found.extend(_check_coverage(problem, plan, seen))
    found.extend(_check_totals(problem, plan))
    return Verdict(tuple(found))


def _check_route(problem: Problem, vehicle: Vehicle, route: Route) -> list[Violation]:
    vid = vehicle.id
    out: list[Violation] = []
    stops = route.stops
    if len(stops) < 2 or stops[0].kind != StopKind.START or stops[-1].kind != StopKind.END:
        return [Violation("depot", f"route of {vid} must start and end at a depot", vid)]
    if stops[0].location != problem.depot_by_id[vehicle.start_depot].location:
        out.append(Violation("depot", f"{vid} does not start at its depot", vid))
    if stops[-1].location != problem.depot_by_id[vehicle.end].location:
        out.append(Violation("depot", f"{vid} does not end at its depot", vid))
    middle = stops[1:-1]
    if any(s.job_id is None or s.kind in (StopKind.START, StopKind.END) for s in middle):
        out.append(Violation("depot", f"{vid} has a depot stop mid-route", vid))
        return out
    out.extend(_check_times(problem, vehicle, route))
    out.extend(_check_loads(problem, vehicle, route))
    out.extend(_check_jobs(problem, vehicle, middle))
    return out


def _check_times(problem: Problem, vehicle: Vehicle, route: Route) -> list[Violation]:
    vid = vehicle.id
    out: list[Violation] = []
    dur = problem.matrix.duration_s
    dist = problem.matrix.distance_m
    distance = 0
    for prev, stop in zip(route.stops, route.stops[1:], strict=False):
        travel = int(dur[prev.location, stop.location])
        distance += int(dist[prev.location, stop.location])
        if stop.arrival_s < prev.departure_s + travel:
            out.append(
                Violation("travel", f"{vid} reaches {_name(stop)} too soon", vid, stop.job_id)
            )
        if stop.start_s < stop.arrival_s:
            out.append(
                Violation("travel", f"{vid} starts {_name(stop)} before arriving", vid, stop.job_id)
            )
        job = problem.job_by_id.get(stop.job_id or "")
        if job is None:
            continue
        visit = job.pickup if stop.kind == StopKind.PICKUP else job.delivery
        if visit is None or visit.location != stop.location:
            out.append(Violation("depot", f"{vid}: {_name(stop)} at the wrong place", vid, job.id))
            continue
        if stop.departure_s < stop.start_s + visit.service_s:
            out.append(
                Violation("travel", f"{vid} leaves {_name(stop)} before service ends", vid, job.id)
            )
        if visit.windows and not any(w.contains(stop.start_s) for w in visit.windows):
            out.append(
                Violation(
                    "time_window",
                    f"{vid} serves {_name(stop)} at {stop.start_s}, outside its windows",
                    vid,
                    job.id,
                )
            )
    begin, end = route.stops[0].departure_s, route.stops[-1].arrival_s
    if begin < vehicle.shift.start_s or end > vehicle.shift.end_s:
        out.append(
            Violation(
                "shift",
                f"{vid} works {begin}-{end}, outside its shift "
                f"{vehicle.shift.start_s}-{vehicle.shift.end_s}",
                vid,
            )
        )
    if vehicle.max_shift_s is not None and end - begin > vehicle.max_shift_s:
        out.append(
            Violation(
                "shift", f"{vid} works {end - begin} s, over its limit {vehicle.max_shift_s} s", vid
            )
        )
    if distance != route.distance_m:
        out.append(
            Violation("totals", f"{vid} states {route.distance_m} m, drives {distance} m", vid)
        )
    if end - begin != route.duration_s:
        out.append(
            Violation("totals", f"{vid} states {route.duration_s} s, works {end - begin} s", vid)
        )
    cost = route_cost(vehicle, distance, end - begin)
    if abs(cost - route.cost) > 1e-6 * max(1.0, abs(cost)):
        out.append(Violation("totals", f"{vid} states cost {route.cost}, costs {cost}", vid))
    return out


def _check_loads(problem: Problem, vehicle: Vehicle, route: Route) -> list[Violation]:
    vid = vehicle.id
    jobs = [problem.job_by_id.get(s.job_id or "") for s in route.stops[1:-1]]
    load = [0] * len(problem.dimensions)
    for s, job in zip(route.stops[1:-1], jobs, strict=True):
        if job is not None and job.pickup is None and s.kind == StopKind.DELIVERY:
            load = [a + b for a, b in zip(load, job.demand, strict=True)]
    out: list[Violation] = []
    for i, s in enumerate(route.stops):
        job = jobs[i - 1] if 0 < i < len(route.stops) - 1 else None
        if job is not None:
            sign = 1 if s.kind == StopKind.PICKUP else -1
            load = [a + sign * b for a, b in zip(load, job.demand, strict=True)]
        if tuple(load) != tuple(s.load):
            out.append(
                Violation(
                    "capacity",
                    f"{vid} states load {s.load} at {_name(s)}, carries {tuple(load)}",
                    vid,
                    s.job_id,
                )
            )
        for name, x, cap in zip(problem.dimensions, load, vehicle.capacity, strict=True):
            if x > cap:
                out.append(
                    Violation(
                        "capacity",
                        f"{vid} carries {x} {name} at {_name(s)}, capacity {cap}",
                        vid,
                        s.job_id,
                    )
                )
    return out


def _check_jobs(problem: Problem, vehicle: Vehicle, middle: tuple[PlannedStop, ...]) -> list:
    vid = vehicle.id
    out: list[Violation] = []
    position: dict[tuple[str, StopKind], int] = {}
    for i, s in enumerate(middle):
        assert s.job_id is not None
        position.setdefault((s.job_id, s.kind), i)
    for (job_id, kind), i in position.items():
        job: Job | None = problem.job_by_id.get(job_id)
        if job is None:
            out.append(Violation("coverage", f"{vid} serves unknown job {job_id}", vid, job_id))
            continue
        if kind == StopKind.DELIVERY and not job.skills <= vehicle.skills:
            missing = ", ".join(sorted(job.skills - vehicle.skills))
            out.append(Violation("skill", f"{vid} lacks {missing} for {job_id}", vid, job_id))
        if job.pickup is None and kind == StopKind.PICKUP:
            out.append(Violation("pair", f"{job_id} has no pick-up", vid, job_id))
        if job.pickup is not None and kind == StopKind.DELIVERY:
            p = position.get((job_id, StopKind.PICKUP))
            if p is None:
                out.append(
                    Violation(
                        "pair",
                        f"{job_id} delivered by {vid}, picked up by another vehicle or not at all",
                        vid,
                        job_id,
                    )
                )
            elif p > i:
                out.append(Violation("pair", f"{job_id} delivered before its pick-up", vid, job_id))
        paired_pickup = job.pickup is not None and kind == StopKind.PICKUP
        if paired_pickup and (job_id, StopKind.DELIVERY) not in position:
            out.append(
                Violation(
                    "pair", f"{job_id} picked up by {vid} but not delivered by it", vid, job_id
                )
            )
    return out


def _check_coverage(
    problem: Problem, plan: Plan, seen: Counter[tuple[str, StopKind]]
) -> list[Violation]:
    out: list[Violation] = []
    left_out = Counter(u.job_id for u in plan.unassigned)
    for job in problem.jobs:
        kinds = [StopKind.DELIVERY] if job.pickup is None else [StopKind.PICKUP, StopKind.DELIVERY]
        counts = [seen[(job.id, k)] for k in kinds]
        served = all(c == 1 for c in counts)
        if any(c > 1 for c in counts):
            out.append(Violation("coverage", f"{job.id} is served more than once", job_id=job.id))
        elif not served and any(counts):
            out.append(Violation("coverage", f"{job.id} is served only in part", job_id=job.id))
        if served and left_out[job.id]:
            out.append(
                Violation("coverage", f"{job.id} is both served and left out", job_id=job.id)
            )
        if not any(counts):
            if not left_out[job.id]:
                out.append(
                    Violation(
                        "coverage",
                        f"{job.id} is neither served nor listed as left out",
                        job_id=job.id,
                    )
                )
            elif not job.optional:
                out.append(
                    Violation("coverage", f"required job {job.id} is left out", job_id=job.id)
                )
    for job_id in left_out:
        if job_id not in problem.job_by_id:
            out.append(
                Violation("coverage", f"unknown job {job_id} listed as left out", job_id=job_id)
            )
    return out


def _check_totals(problem: Problem, plan: Plan) -> list[Violation]:
    out: list[Violation] = []
    jobs = problem.job_by_id
    penalty = sum(jobs[u.job_id].penalty for u in plan.unassigned if u.job_id in jobs)
    if abs(plan.penalty - penalty) > 1e-6 * max(1.0, penalty):
        out.append(Violation("totals", f"plan states penalty {plan.penalty}, owes {penalty}"))
    if plan.distance_m != sum(r.distance_m for r in plan.routes):
        out.append(Violation("totals", "plan distance is not the sum of its routes"))
    if plan.duration_s != sum(r.duration_s for r in plan.routes):
        out.append(Violation("totals", "plan duration is not the sum of its routes"))
    if abs(plan.cost - sum(r.cost for r in plan.routes)) > 1e-6 * max(1.0, abs(plan.cost)):
        out.append(Violation("totals", "plan cost is not the sum of its routes"))
    return out


def _name(stop: PlannedStop) -> str:
    return f"{stop.kind.value} of {stop.job_id}" if stop.job_id else f"the {stop.kind.value}"
