"""The independent feasibility check catches each kind of broken rule on hand-broken plans."""

from __future__ import annotations

from dataclasses import replace

from routing.check import check
from routing.models import Problem, TimeWindow, Visit
from routing.plan import Plan, PlannedStop, Reason, Route, StopKind, Unassigned
from routing.solve import build_plan
from tests.routing.problems import city, delivery, paired, van

D, P = StopKind.DELIVERY, StopKind.PICKUP


def market() -> Problem:
    jobs = [
        delivery("a", 1, (10, 10), TimeWindow(0, 5000)),
        delivery("b", 2),
        delivery("cold", 3, skills={"cold"}),
        paired("p", 6, 4, (20, 5)),
        delivery("maybe", 8, optional=True, penalty=1.0),
    ]
    return city(jobs, [van("v1", cap=(50, 50)), van("fridge", skills={"cold"})])


def plan_of(problem: Problem, routes: dict[str, list[tuple[str, StopKind]]], left=()) -> Plan:
    seqs = {v: [(problem.job_by_id[j], k) for j, k in steps] for v, steps in routes.items()}
    unassigned = [Unassigned(j, Reason.PENALTY) for j in left]
    return build_plan(problem, seqs, unassigned, "hand", 0.0)


GOOD = {"v1": [("a", D), ("p", P), ("p", D), ("b", D)], "fridge": [("cold", D)]}


def kinds(problem: Problem, plan: Plan) -> set[str]:
    return check(problem, plan).kinds()


def test_a_correct_plan_passes() -> None:
    """A hand-made plan that keeps every rule gets a clean verdict."""
    problem = market()
    assert check(problem, plan_of(problem, GOOD, left=["maybe"])).feasible


def test_load_over_capacity_is_caught() -> None:
    """The same routes on a smaller van break capacity."""
    problem = market()
    plan = plan_of(problem, GOOD, left=["maybe"])
    smaller = replace(problem, vehicles=(van("v1", cap=(25, 50)), problem.vehicles[1]))
    assert kinds(smaller, plan) == {"capacity"}


def test_a_misstated_load_is_caught() -> None:
    """A stop whose stated load is not what is on board is reported under capacity."""
    problem = market()
    plan = plan_of(problem, GOOD, left=["maybe"])
    route = plan.routes[0]
    stops = list(route.stops)
    stops[1] = replace(stops[1], load=(0, 0))
    bad = replace(plan, routes=(replace(route, stops=tuple(stops)), plan.routes[1]))
    assert kinds(problem, bad) == {"capacity"}


def test_service_outside_the_window_is_caught() -> None:
    """Serving a job after its window closes breaks time_window."""
    problem = market()
    plan = plan_of(problem, GOOD, left=["maybe"])
    tighter = replace(problem.job_by_id["a"], delivery=Visit(1, 60, (TimeWindow(0, 10),)))
    moved = replace(problem, jobs=(tighter, *problem.jobs[1:]))
    assert kinds(moved, plan) == {"time_window"}


def test_delivery_before_pickup_is_caught() -> None:
    """Delivering a stall's goods before collecting them breaks the pair."""
    problem = market()
    routes = {**GOOD, "v1": [("a", D), ("p", D), ("p", P), ("b", D)]}
    assert kinds(problem, plan_of(problem, routes, left=["maybe"])) == {"pair"}


def test_pair_split_across_vehicles_is_caught() -> None:
    """Pick-up on one vehicle and delivery on another breaks the pair."""
    problem = market()
    routes = {"v1": [("a", D), ("p", P), ("b", D)], "fridge": [("cold", D), ("p", D)]}
    assert kinds(problem, plan_of(problem, routes, left=["maybe"])) == {"pair"}


def test_missing_skill_is_caught() -> None:
    """A cold job on the van without refrigeration breaks skill."""
    problem = market()
    routes = {"v1": [("a", D), ("p", P), ("p", D), ("b", D), ("cold", D)]}
    assert kinds(problem, plan_of(problem, routes, left=["maybe"])) == {"skill"}


def test_working_past_the_shift_is_caught() -> None:
    """A route that ends after the shift, or lasts longer than the limit, breaks shift."""
    problem = market()
    plan = plan_of(problem, GOOD, left=["maybe"])
    early = van("v1", cap=(50, 50), shift=TimeWindow(0, 600))
    short = van("v1", cap=(50, 50), max_shift_s=300)
    for v1 in (early, short):
        assert kinds(replace(problem, vehicles=(v1, problem.vehicles[1])), plan) == {"shift"}


def test_unserved_and_doubly_served_jobs_are_caught() -> None:
    """A required job left out, one served twice, or one neither served nor listed: coverage."""
    problem = market()
    left_out = plan_of(problem, {"fridge": [("cold", D)]}, left=["a", "b", "p", "maybe"])
    twice = plan_of(problem, {**GOOD, "fridge": [("cold", D), ("b", D)]}, left=["maybe"])
    forgotten = plan_of(problem, GOOD)
    for plan in (left_out, twice, forgotten):
        assert kinds(problem, plan) == {"coverage"}


def test_arriving_faster_than_travel_allows_is_caught() -> None:
    """An arrival earlier than the previous departure plus travel time breaks travel."""
    problem = market()
    plan = plan_of(problem, GOOD, left=["maybe"])
    route = plan.routes[1]
    stops = list(route.stops)
    stops[1] = replace(stops[1], arrival_s=stops[0].departure_s)
    bad = replace(plan, routes=(plan.routes[0], replace(route, stops=tuple(stops))))
    assert kinds(problem, bad) == {"travel"}


def test_misstated_totals_are_caught() -> None:
    """A route distance, plan cost or penalty that does not add up breaks totals."""
    problem = market()
    plan = plan_of(problem, GOOD, left=["maybe"])
    route = replace(plan.routes[0], distance_m=plan.routes[0].distance_m - 1)
    assert "totals" in kinds(problem, replace(plan, routes=(route, plan.routes[1])))
    assert kinds(problem, replace(plan, cost=plan.cost + 1)) == {"totals"}
    assert kinds(problem, replace(plan, penalty=0.0)) == {"totals"}  # "maybe" owes 1.0


def test_wrong_depot_and_unknown_vehicle_are_caught() -> None:
    """A route that starts away from its depot, or a vehicle not in the fleet: depot."""
    problem = market()
    plan = plan_of(problem, GOOD, left=["maybe"])
    route = plan.routes[1]
    moved = replace(route, stops=(replace(route.stops[0], location=5), *route.stops[1:]))
    assert "depot" in kinds(problem, replace(plan, routes=(plan.routes[0], moved)))
    ghost = Route("ghost", route.stops, route.distance_m, route.duration_s, route.cost)
    assert "depot" in kinds(problem, replace(plan, routes=(*plan.routes, ghost)))


def test_a_depot_stop_mid_route_is_caught() -> None:
    """A depot visit in the middle of a route is not something the plan may contain."""
    problem = market()
    plan = plan_of(problem, GOOD, left=["maybe"])
    route = plan.routes[1]
    stop = PlannedStop(StopKind.START, 0, 0, 0, 0, (0, 0))
    bad = replace(route, stops=(route.stops[0], stop, *route.stops[1:]))
    assert "depot" in kinds(problem, replace(plan, routes=(plan.routes[0], bad)))
