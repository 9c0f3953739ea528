"""Why a job is left out, established by trying it rather than by guessing.

Before solving, `screen` sets aside jobs no vehicle could serve even on a route of its
own (missing skill, too big, windows out of reach, shift too short). After solving,
`explain` tries every place a left-out job could go in the finished routes and names the
rule that blocks it, or says that it fits (an optional job not worth its cost).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

from routing.models import Job, Problem, TimeWindow, Vehicle
from routing.plan import Reason, StopKind, Unassigned
from routing.schedule import Step, simulate

# Checked in this order when several rules block the same number of places.
_ORDER = (Reason.CAPACITY, Reason.TIME_WINDOW, Reason.SHIFT)
_OPEN = TimeWindow(0, 10**12)


def _steps(job: Job) -> list[Step]:
    if job.pickup is None:
        return [(job, StopKind.DELIVERY)]
    return [(job, StopKind.PICKUP), (job, StopKind.DELIVERY)]


def _fits_load(job: Job, v: Vehicle) -> bool:
    return all(d <= c for d, c in zip(job.demand, v.capacity, strict=True))


def _alone(problem: Problem, job: Job) -> tuple[list[Vehicle], set[str], Unassigned | None]:
    """Vehicles with the skills and room for the job, those of them that could serve it on
    a route of its own, or why none can."""
    skilled = [v for v in problem.vehicles if job.skills <= v.skills]
    if not skilled:
        needs = ", ".join(sorted(job.skills))
        return [], set(), Unassigned(job.id, Reason.SKILL, f"no vehicle has {needs}")
    roomy = [v for v in skilled if _fits_load(job, v)]
    if not roomy:
        why = Unassigned(job.id, Reason.CAPACITY, "larger than any vehicle with its skills")
        return [], set(), why
    able = {v.id for v in roomy if simulate(problem, v, _steps(job)).ok}
    if able:
        return roomy, able, None
    for v in roomy:
        relaxed = replace(v, shift=_OPEN, max_shift_s=None)
        if simulate(problem, relaxed, _steps(job)).ok:
            why = Unassigned(job.id, Reason.SHIFT, f"cannot be served within {v.id}'s shift")
            return [], set(), why
    why = Unassigned(job.id, Reason.TIME_WINDOW, "its windows cannot be met from any depot")
    return [], set(), why


def screen(problem: Problem) -> dict[str, Unassigned]:
    """Jobs no vehicle can serve even alone, by job id, each with its reason."""
    out: dict[str, Unassigned] = {}
    for job in problem.jobs:
        _, _, why = _alone(problem, job)
        if why is not None:
            out[job.id] = why
    return out


def _insertions(steps: Sequence[Step], job: Job) -> list[list[Step]]:
    n = len(steps)
    if job.pickup is None:
        return [[*steps[:i], (job, StopKind.DELIVERY), *steps[i:]] for i in range(n + 1)]
    out = []
    for i in range(n + 1):
        for k in range(i, n + 1):
            out.append(
                [
                    *steps[:i],
                    (job, StopKind.PICKUP),
                    *steps[i:k],
                    (job, StopKind.DELIVERY),
                    *steps[k:],
                ]
            )
    return out


def explain(
    problem: Problem, routes: Mapping[str, Sequence[Step]], left_out: Sequence[str]
) -> list[Unassigned]:
    """A reason for each left-out job, given the other jobs' routes by vehicle id."""
    out = []
    for job_id in left_out:
        job = problem.job_by_id[job_id]
        roomy, able, why = _alone(problem, job)
        if why is not None:
            out.append(why)
            continue
        out.append(_explain_in_plan(problem, routes, job, roomy, able))
    return out


def _explain_in_plan(
    problem: Problem,
    routes: Mapping[str, Sequence[Step]],
    job: Job,
    roomy: list[Vehicle],
    able: set[str],
) -> Unassigned:
    blocked: Counter[Reason] = Counter()
    tried = 0
    for v in roomy:
        steps = routes.get(v.id, ())
        if not steps and v.id in able:
            return _fits(job, f"fits on idle vehicle {v.id}")
        for candidate in _insertions(steps, job):
            tried += 1
            broken = simulate(problem, v, candidate).broken
            if not broken:
                return _fits(job, f"fits on {v.id}'s route")
            for reason in _ORDER:
                if reason.value in broken:
                    blocked[reason] += 1
    top = max(_ORDER, key=lambda r: (blocked[r], -_ORDER.index(r)))
    return Unassigned(job.id, top, f"{top.value} blocks {blocked[top]} of {tried} places tried")


def _fits(job: Job, where: str) -> Unassigned:
    if job.optional:
        return Unassigned(job.id, Reason.PENALTY, f"{where}; its penalty is below its cost")
    return Unassigned(job.id, Reason.SEARCH, f"{where}, but the search did not place it")
