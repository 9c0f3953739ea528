"""VRPLIB instance files (Solomon, Gehring & Homberger, CVRPLIB) as our `Problem`.

The literature's convention for these sets (DIMACS 2021): every arc's length and travel
time is floor(10 × Euclidean distance) / 10. To keep that exact in whole numbers, one
instance unit becomes 10 of ours: an arc of 12.3 is 123 "metres" and 123 "seconds", and
windows and service times are scaled the same way. `instance_units` converts back.

Customers keep their VRPLIB numbering as job ids (1..n, the numbering of the `.sol`
files), the depot is "depot", the fleet is the file's `VEHICLES` (one per customer when
absent), each vehicle's shift is the depot's time window, and a vehicle costs one unit
per unit of distance, so the plan's cost is the distance-only objective.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import vrplib

from core.errors import InvalidInput
from gis.matrix import TravelMatrix
from routing.models import Depot, Job, Problem, TimeWindow, Vehicle, Visit

SCALE = 10  # our units per instance unit under DIMACS rounding


def instance_units(x: float) -> float:
    return x / SCALE


def read_problem(path: str | Path) -> Problem:
    try:
        inst = vrplib.read_instance(str(path))
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise InvalidInput(
            f"cannot read VRPLIB instance {path}: {exc}", code="bad_instance"
        ) from exc
    if "edge_weight" not in inst:
        raise InvalidInput(f"{path}: no coordinates or edge weights", code="bad_instance")
    depots = [int(d) for d in np.atleast_1d(inst.get("depot", [0]))]
    if depots != [0]:
        raise InvalidInput(
            f"{path}: only a single depot at node 1 is supported", code="bad_instance"
        )
    weights = np.asarray(inst["edge_weight"], dtype=float)
    dimacs = np.floor(np.round(SCALE * weights, 9)).astype(np.int64)
    np.fill_diagonal(dimacs, 0)
    n = weights.shape[0]

    demand = np.asarray(inst.get("demand", np.zeros(n)), dtype=np.int64)
    service = inst.get("service_time", 0)
    service = np.broadcast_to(np.asarray(service, dtype=float), (n,))
    windows = inst.get("time_window")
    if windows is None:
        horizon = int(dimacs.max()) * (n + 1) + int(SCALE * service.sum())
        windows = np.array([[0, horizon / SCALE]] * n)
    windows = np.asarray(windows, dtype=float)

    def scaled(x: float) -> int:
        return round(SCALE * x)

    jobs = tuple(
        Job(
            id=str(i),
            delivery=Visit(
                location=i,
                service_s=scaled(service[i]),
                windows=(TimeWindow(scaled(windows[i][0]), scaled(windows[i][1])),),
            ),
            demand=(int(demand[i]),),
        )
        for i in range(1, n)
    )
    shift = TimeWindow(scaled(windows[0][0]), scaled(windows[0][1]))
    count = int(inst.get("vehicles", n - 1))
    capacity = int(np.max(inst.get("capacity", demand.sum())))
    vehicles = tuple(
        Vehicle(
            id=f"v{k + 1}", start_depot="depot", capacity=(capacity,), shift=shift, cost_per_km=1.0
        )
        for k in range(count)
    )
    return Problem(
        depots=(Depot("depot", 0),),
        vehicles=vehicles,
        jobs=jobs,
        matrix=TravelMatrix(dimacs, dimacs),
        dimensions=("units",),
    )


def read_routes(path: str | Path) -> list[list[str]]:
    """The routes of a `.sol` file as lists of job ids."""
    sol = vrplib.read_solution(str(path))
    return [[str(c) for c in route] for route in sol["routes"]]
