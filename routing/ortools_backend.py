"""The OR-Tools backend: the whole problem model as an OR-Tools routing model.

Capacities in every dimension, time windows (several per visit), pick-up and delivery
pairs on one vehicle in order, depots per vehicle, a heterogeneous fleet with its own
costs, skills as allowed vehicles, optional jobs as penalised disjunctions, shifts and
shift-length limits. Matrices are handed to the C++ side whole, so no Python callback
runs inside the search. The search is parallel cheapest insertion then guided local
search. Returns each vehicle's ordered steps; plan building, reasons and the check are
shared with the other backend.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util.optional_boolean_pb2 import BOOL_FALSE

from routing.costs import CostUnits
from routing.models import Job, Problem
from routing.params import SolveParams
from routing.plan import StopKind
from routing.schedule import Step

Progress = Callable[[float, float | None], bool]

FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
GLS_LAMBDA = 0.2
FAILURES_PER_ITERATION = 1000

# Large-neighbourhood operators that rebuild paths with insertion heuristics. Each move is
# expensive; on the Solomon set guided local search found better plans in the same time
# without them (docs/routing.md has the figures).
_COSTLY_LNS = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_expensive_chain",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
)
# Operators that only trade served visits for unserved ones: wasted work when every job is
# required (make-active stays, to place a required job the first solution left out).
_DROPPING = (
    "use_make_inactive",
    "use_make_chain_inactive",
    "use_swap_active",
    "use_extended_swap_active",
    "use_shortest_path_swap_active",
    "use_swap_active_chain",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
)


def search_parameters(
    params: SolveParams,
    *,
    has_optional: bool = True,
) -> pywrapcp.DefaultRoutingSearchParameters:
    """The tuned search: parallel cheapest insertion, then guided local search."""
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = FIRST_SOLUTION
    sp.local_search_metaheuristic = METAHEURISTIC
    sp.guided_local_search_lambda_coefficient = GLS_LAMBDA
    # Penalise an arc once per vehicle class rather than per vehicle: identical vans share
    # what the search learned about a bad arc.
    sp.guided_local_search_penalize_with_vehicle_classes = True
    # Start the penalties afresh at each new best plan. Without it the search stops
    # improving early: two 30 s runs under different CPU load ended on the same plans on
    # all eight Solomon instances tried (docs/routing.md has the figures).
    sp.guided_local_search_reset_penalties_on_new_best_solution = True
    ops = sp.local_search_operators
    for name in _COSTLY_LNS + (() if has_optional else _DROPPING):
        setattr(ops, name, BOOL_FALSE)
    if params.time_limit_s is not None:
        sp.time_limit.FromMilliseconds(int(params.time_limit_s * 1000))
    if params.iteration_limit is not None:
        sp.solution_limit = params.iteration_limit
    return sp


class _Nodes:
    """The depots some vehicle starts or ends at, then one node per visit; remembers which
    job step each node is.

    A depot no vehicle uses gets no node: OR-Tools would take it for a customer every
    solution must visit.
    """

    def __init__(self, problem: Problem, jobs: list[Job]) -> None:
        used = {v.start_depot for v in problem.vehicles} | {v.end for v in problem.vehicles}
        depots = [d for d in problem.depots if d.id in used]
        self.locations = [d.location for d in depots]
        self.service = [0] * len(depots)
        self.depot_node = {d.id: i for i, d in enumerate(depots)}
        self.step: dict[int, Step] = {}
        self.node_of: dict[tuple[str, StopKind], int] = {}
        for job in jobs:
            kinds = (
                [StopKind.DELIVERY] if job.pickup is None else [StopKind.PICKUP, StopKind.DELIVERY]
            )
            for kind in kinds:
                visit = job.delivery if kind is StopKind.DELIVERY else job.pickup
                assert visit is not None
                node = len(self.locations)
                self.locations.append(visit.location)
                self.service.append(visit.service_s)
                self.step[node] = (job, kind)
                self.node_of[(job.id, kind)] = node


class _Model:
    """One OR-Tools routing model of the problem, ready to be searched."""

    def __init__(self, problem: Problem, units: CostUnits, iteration_limit: int | None) -> None:
        jobs = list(problem.jobs)
        self.nodes = nodes = _Nodes(problem, jobs)
        self.vehicles = vehicles = list(problem.vehicles)
        self.has_optional = any(j.optional for j in jobs)
        starts = [nodes.depot_node[v.start_depot] for v in vehicles]
        ends = [nodes.depot_node[v.end] for v in vehicles]
        self.manager = manager = pywrapcp.RoutingIndexManager(
            len(nodes.locations), len(vehicles), starts, ends
        )
        self.routing = routing = pywrapcp.RoutingModel(manager)
        locs = nodes.locations
        dist = problem.matrix.distance_m[locs][:, locs]
        travel = problem.matrix.duration_s[locs][:, locs]

        # Arc costs: one registered matrix per distinct cost per metre.
        by_rate: dict[int, int] = {}
        for vi, v in enumerate(vehicles):
            per_m, _, fixed = units.of_vehicle(v)
            if per_m not in by_rate:
                by_rate[per_m] = routing.RegisterTransitMatrix((dist * per_m).tolist())
            routing.SetArcCostEvaluatorOfVehicle(by_rate[per_m], vi)
            routing.SetFixedCostOfVehicle(fixed, vi)

        _add_time(problem, routing, manager, nodes, vehicles, travel, units)
        _add_loads(problem, routing, manager, nodes, vehicles)
        self._add_jobs(jobs, units)
        if iteration_limit is not None:
            # Guided local search can circle without ever accepting another solution on a
            # tiny problem; a cap on rejected moves keeps an iteration-limited solve finite
            # and as repeatable as the solution limit itself.
            self._cap = routing.solver().FailuresLimit(iteration_limit * FAILURES_PER_ITERATION)
            routing.AddSearchMonitor(self._cap)

    def _add_jobs(self, jobs: list[Job], units: CostUnits) -> None:
        routing, manager, nodes = self.routing, self.manager, self.nodes
        solver = routing.solver()
        time_dim = routing.GetDimensionOrDie("time")
        for job in jobs:
            kinds = (
                [StopKind.DELIVERY] if job.pickup is None else [StopKind.PICKUP, StopKind.DELIVERY]
            )
            indices = [manager.NodeToIndex(nodes.node_of[(job.id, k)]) for k in kinds]
            routing.AddDisjunction([indices[0]], units.penalty[job.id])
            if job.skills:
                # The Python wrapper of SetAllowedVehiclesForIndex takes no list; prune the
                # vehicle variable instead (it keeps -1, "unperformed", available).
                barred = [vi for vi, v in enumerate(self.vehicles) if not job.skills <= v.skills]
                for index in indices:
                    routing.VehicleVar(index).RemoveValues(barred)
            if len(indices) == 2:
                pick, drop = indices
                routing.AddDisjunction([drop], 0)
                routing.AddPickupAndDelivery(pick, drop)
                solver.Add(routing.ActiveVar(pick) == routing.ActiveVar(drop))
                solver.Add(routing.VehicleVar(pick) == routing.VehicleVar(drop))
                solver.Add(time_dim.CumulVar(pick) <= time_dim.CumulVar(drop))

    def watch(self, on_progress: Progress, began: float, unit: float) -> None:
        """Report the best cost so far at each solution; guided local search also accepts
        worse ones, which are not reported as progress."""
        routing = self.routing
        best = [float("inf")]

        def report() -> None:
            best[0] = min(best[0], routing.CostVar().Value() * unit)
            if not on_progress(time.monotonic() - began, best[0]):
                routing.solver().FinishCurrentSearch()

        routing.AddAtSolutionCallback(report)

    def run(
        self, sp: pywrapcp.DefaultRoutingSearchParameters
    ) -> tuple[int, list[list[int]]] | None:
        """Objective and node sequence per vehicle of the best solution found, if any."""
        routing = self.routing
        solution = routing.SolveWithParameters(sp)
        if solution is None:
            return None
        routes = []
        for vi in range(len(self.vehicles)):
            index = solution.Value(routing.NextVar(routing.Start(vi)))
            route = []
            while not routing.IsEnd(index):
                route.append(self.manager.IndexToNode(index))
                index = solution.Value(routing.NextVar(index))
            routes.append(route)
        return solution.ObjectiveValue(), routes


def solve(
    problem: Problem,
    params: SolveParams,
    units: CostUnits,
    on_progress: Progress | None = None,
) -> dict[str, list[Step]]:
    model = _Model(problem, units, params.iteration_limit)
    if on_progress is not None:
        model.watch(on_progress, time.monotonic(), units.money_per_unit)
    found = model.run(search_parameters(params, has_optional=model.has_optional))
    routes: dict[str, list[Step]] = {}
    if found is None:
        return routes
    for v, nodes in zip(model.vehicles, found[1], strict=True):
        if nodes:
            routes[v.id] = [model.nodes.step[n] for n in nodes]
    return routes


def _add_time(problem, routing, manager, nodes, vehicles, travel, units) -> None:
    service = nodes.service
    transit = (travel + [[s] for s in service]).tolist()
    callback = routing.RegisterTransitMatrix(transit)
    horizon = max(v.shift.end_s for v in vehicles)
    routing.AddDimension(callback, horizon, horizon, False, "time")
    dim = routing.GetDimensionOrDie("time")
    for node, (job, kind) in nodes.step.items():
        visit = job.delivery if kind is StopKind.DELIVERY else job.pickup
        assert visit is not None
        if not visit.windows:
            continue
        cumul = dim.CumulVar(manager.NodeToIndex(node))
        cumul.SetRange(visit.windows[0].start_s, visit.windows[-1].end_s)
        for a, b in zip(visit.windows, visit.windows[1:], strict=False):
            cumul.RemoveInterval(a.end_s + 1, b.start_s - 1)
    for vi, v in enumerate(vehicles):
        dim.CumulVar(routing.Start(vi)).SetRange(v.shift.start_s, v.shift.end_s)
        dim.CumulVar(routing.End(vi)).SetRange(v.shift.start_s, v.shift.end_s)
        if v.max_shift_s is not None:
            dim.SetSpanUpperBoundForVehicle(v.max_shift_s, vi)
        per_s = units.per_s[v.id]
        if per_s:
            dim.SetSpanCostCoefficientForVehicle(per_s, vi)
        routing.AddVariableMaximizedByFinalizer(dim.CumulVar(routing.Start(vi)))
        routing.AddVariableMinimizedByFinalizer(dim.CumulVar(routing.End(vi)))


def _add_loads(problem, routing, manager, nodes, vehicles) -> None:
    paired = problem.has_pairs
    n = len(nodes.locations)
    for d, name in enumerate(problem.dimensions):
        delta = [0] * n
        for node, (job, kind) in nodes.step.items():
            amount = job.demand[d]
            if not paired:
                delta[node] = amount  # load delivered so far; the classic, fastest form
            else:
                delta[node] = amount if kind is StopKind.PICKUP else -amount
        if not any(delta):
            continue
        callback = routing.RegisterUnaryTransitVector(delta)
        caps = [v.capacity[d] for v in vehicles]
        # With pairs the cumul is the load on board; it starts at the route's deliveries.
        routing.AddDimensionWithVehicleCapacity(callback, 0, caps, not paired, f"load:{name}")
