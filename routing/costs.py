"""Money to the whole numbers both solvers need, and back.

A vehicle's cost per km and per hour become integer costs per metre and per second on a
common scale; fixed costs and job penalties share it. The scale is reduced by the greatest
common divisor of every figure, so a distance-only objective costs exactly one unit per
metre. Dropping a required job costs more than any plan's whole route cost plus every
optional penalty, so the solvers leave a required job out only when it cannot be served.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from routing.models import Job, Problem, Vehicle

# One money unit is this many raw units: cost per km × 3600 and cost per hour × 1000 are
# then whole numbers per metre and per second to 1/3600 of a money unit per km.
_RAW_PER_MONEY = 3_600_000


@dataclass(frozen=True)
class CostUnits:
    per_m: dict[str, int]
    per_s: dict[str, int]
    fixed: dict[str, int]
    penalty: dict[str, int]  # per job id: optional jobs their penalty, required ones the bound
    money_per_unit: float

    def of_vehicle(self, v: Vehicle) -> tuple[int, int, int]:
        return self.per_m[v.id], self.per_s[v.id], self.fixed[v.id]


def _raw(money: float) -> int:
    return round(money * _RAW_PER_MONEY)


def cost_units(problem: Problem) -> CostUnits:
    per_m = {v.id: round(v.cost_per_km * 3600) for v in problem.vehicles}
    per_s = {v.id: round(v.cost_per_hour * 1000) for v in problem.vehicles}
    fixed = {v.id: _raw(v.fixed_cost) for v in problem.vehicles}
    optional = {j.id: _raw(j.penalty) for j in problem.jobs if j.optional}
    figures = [*per_m.values(), *per_s.values(), *fixed.values(), *optional.values()]
    g = math.gcd(*figures) or 1
    per_m = {k: x // g for k, x in per_m.items()}
    per_s = {k: x // g for k, x in per_s.items()}
    fixed = {k: x // g for k, x in fixed.items()}
    optional = {k: x // g for k, x in optional.items()}
    bound = _route_cost_bound(problem, per_m, per_s, fixed) + sum(optional.values()) + 1
    penalty = {
        j.id: optional[j.id] if j.optional else bound * (1 + j.priority) for j in problem.jobs
    }
    return CostUnits(per_m, per_s, fixed, penalty, g / _RAW_PER_MONEY)


def _route_cost_bound(
    problem: Problem, per_m: dict[str, int], per_s: dict[str, int], fixed: dict[str, int]
) -> int:
    """More than any set of routes can cost: every arc at its longest, every shift full."""
    longest_arc = int(problem.matrix.distance_m.max(initial=0))
    arcs = sum(len(j.visits) for j in problem.jobs) + 2 * len(problem.vehicles)
    drive = max(per_m.values()) * longest_arc * arcs
    time = sum(per_s[v.id] * (v.shift.end_s - v.shift.start_s) for v in problem.vehicles)
    return drive + time + sum(fixed.values())


def route_cost(vehicle: Vehicle, distance_m: int, duration_s: int) -> float:
    """The money a used vehicle's route costs."""
    return (
        vehicle.fixed_cost
        + vehicle.cost_per_km * distance_m / 1000
        + vehicle.cost_per_hour * duration_s / 3600
    )


def job_penalty(job: Job) -> float:
    return job.penalty if job.optional else 0.0
