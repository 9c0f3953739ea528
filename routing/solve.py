"""`solve(problem, params) -> Plan`: the one entry point, whatever the backend.

Set aside the jobs nobody can serve, pick a backend (PyVRP whenever it can express the
problem, OR-Tools otherwise, unless the parameters force one), turn the backend's
sequences into timed routes, mend any route a solver returned broken by taking jobs off
it, give every left-out job its reason, and run the independent feasibility check.
Pure: no clock except the solver's time limit, no I/O.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from core.errors import InvalidInput
from routing import ortools_backend, pyvrp_backend
from routing.check import check
from routing.costs import cost_units, job_penalty, route_cost
from routing.models import Problem
from routing.params import Backend, SolveParams
from routing.plan import Plan, Route, StopKind, Unassigned
from routing.reasons import explain, screen
from routing.schedule import Step, simulate

# Called with (seconds so far, best cost so far or None); return False to stop early.
Progress = Callable[[float, float | None], bool]


def choose_backend(problem: Problem, wanted: Backend) -> Backend:
    """PyVRP when it can express the problem; OR-Tools for the rest or when asked for."""
    why_not = pyvrp_backend.unsupported(problem)
    if wanted is Backend.PYVRP and why_not is not None:
        raise InvalidInput(
            f"PyVRP cannot model this problem: {why_not}", code="backend_unsupported"
        )
    if wanted is Backend.AUTO:
        return Backend.PYVRP if why_not is None else Backend.ORTOOLS
    return wanted


def solve(
    problem: Problem, params: SolveParams | None = None, on_progress: Progress | None = None
) -> Plan:
    params = params or SolveParams()
    began = time.monotonic()
    backend = choose_backend(problem, params.backend)
    set_aside = screen(problem)
    solvable = [j for j in problem.jobs if j.id not in set_aside]
    sequences: dict[str, list[Step]] = {}
    if solvable:
        sub = replace(problem, jobs=tuple(solvable))
        units = cost_units(sub)
        engine = pyvrp_backend if backend is Backend.PYVRP else ortools_backend
        sequences = engine.solve(sub, params, units, on_progress)
    sequences = _mend(problem, sequences)
    served = {job.id for steps in sequences.values() for job, _ in steps}
    left = [j.id for j in solvable if j.id not in served]
    unassigned = list(set_aside.values()) + explain(problem, sequences, left)
    plan = build_plan(problem, sequences, unassigned, backend.value, time.monotonic() - began)
    return replace(plan, verdict=check(problem, plan))


def build_plan(
    problem: Problem,
    sequences: dict[str, list[Step]],
    unassigned: list[Unassigned],
    backend: str,
    solve_s: float,
) -> Plan:
    """Timed routes in fleet order, and the totals."""
    routes = []
    for vehicle in problem.vehicles:
        steps = sequences.get(vehicle.id)
        if not steps:
            continue
        sim = simulate(problem, vehicle, steps)
        cost = route_cost(vehicle, sim.distance_m, sim.duration_s)
        routes.append(Route(vehicle.id, sim.stops, sim.distance_m, sim.duration_s, cost))
    order = {j.id: i for i, j in enumerate(problem.jobs)}
    unassigned.sort(key=lambda u: order[u.job_id])
    penalty = sum(job_penalty(problem.job_by_id[u.job_id]) for u in unassigned)
    return Plan(
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        distance_m=sum(r.distance_m for r in routes),
        duration_s=sum(r.duration_s for r in routes),
        cost=sum(r.cost for r in routes),
        penalty=penalty,
        backend=backend,
        solve_s=solve_s,
    )


def _mend(problem: Problem, sequences: dict[str, list[Step]]) -> dict[str, list[Step]]:
    """Take jobs off any route that breaks a rule until it keeps them all.

    A solver stopped early can return such a route (PyVRP's best may still carry time
    warp or excess load). The job whose removal repairs most is taken off first,
    optional and low-priority jobs before others; the removed jobs are explained later.
    """
    out = {}
    for vid, steps in sequences.items():
        vehicle = problem.vehicle_by_id[vid]
        current = list(steps)
        broken = simulate(problem, vehicle, current).broken
        while current and broken:
            best = None
            for job in {job.id: job for job, _ in current}.values():
                trial = [s for s in current if s[0].id != job.id]
                left = simulate(problem, vehicle, trial).broken
                key = (len(left), not job.optional, job.priority)
                if best is None or key < best[0]:
                    best = (key, trial, left)
            assert best is not None
            _, current, broken = best
        if current:
            out[vid] = current
    return out


__all__ = ["solve", "choose_backend", "build_plan", "StopKind"]
