"""Small hand-made problems solved by both backends under iteration limits and fixed seeds."""

from __future__ import annotations

import math

import pytest

from core.errors import InvalidInput
from routing.models import Depot, TimeWindow
from routing.params import SolveParams
from routing.plan import Plan, Reason, StopKind
from routing.solve import solve
from tests.routing.problems import DAY, city, delivery, eight_deliveries, paired, van

BACKENDS = ["pyvrp", "ortools"]


def params(backend: str, seed: int = 1) -> SolveParams:
    return SolveParams(backend=backend, time_limit_s=None, iteration_limit=300, seed=seed)


def served_by(plan: Plan) -> dict[str, str]:
    return {s.job_id: r.vehicle_id for r in plan.routes for s in r.job_stops if s.job_id}


def reasons(plan: Plan) -> dict[str, Reason]:
    return {u.job_id: u.reason for u in plan.unassigned}


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_job_is_served_once_and_the_check_agrees(backend: str) -> None:
    """Eight deliveries and two vans: all served, the verdict clean, the backend named."""
    plan = solve(city(eight_deliveries(), [van("v1"), van("v2")]), params(backend))
    assert plan.feasible, plan.verdict.violations
    assert sorted(served_by(plan)) == [f"j{i}" for i in range(1, 9)]
    assert plan.backend == backend and not plan.unassigned


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_seed_and_iteration_limit_give_the_same_plan(backend: str) -> None:
    """Solving twice with one seed and iteration limit returns identical routes."""
    jobs = [*eight_deliveries()[:6], paired("p1", 6, 8), paired("p2", 7, 2)]
    problem = city(jobs, [van("v1", cap=(40, 40)), van("v2", cap=(40, 40))])
    first, second = solve(problem, params(backend)), solve(problem, params(backend))
    assert first.routes == second.routes and first.distance_m == second.distance_m


@pytest.mark.parametrize("backend", BACKENDS)
def test_pairs_ride_one_vehicle_pickup_before_delivery(backend: str) -> None:
    """Each stall pick-up and its delivery share a vehicle, pick-up first, loads in range."""
    jobs = [paired("p1", 6, 8, (30, 5)), paired("p2", 7, 2, (30, 5)), paired("p3", 1, 5, (30, 5))]
    jobs += eight_deliveries()[2:5]
    plan = solve(city(jobs, [van("v1", cap=(60, 100)), van("v2", cap=(60, 100))]), params(backend))
    assert plan.feasible, plan.verdict.violations
    for route in plan.routes:
        order = [(s.job_id, s.kind) for s in route.job_stops]
        for job_id, kind in order:
            if kind is StopKind.PICKUP:
                assert order.index((job_id, StopKind.DELIVERY)) > order.index((job_id, kind))
        assert all(s.load[0] <= 60 for s in route.stops)
    assert {"p1", "p2", "p3"} <= set(served_by(plan))


@pytest.mark.parametrize("backend", BACKENDS)
def test_skills_send_jobs_to_equipped_vehicles(backend: str) -> None:
    """Cold jobs ride only on the refrigerated van even when the plain van is nearer to hand."""
    jobs = eight_deliveries()
    jobs[0] = delivery("c1", 1, skills={"cold"})
    jobs[4] = delivery("c5", 5, skills={"cold"})
    jobs[7] = delivery("c8", 8, skills={"cold"})
    fleet = [van("plain", cap=(60, 60)), van("fridge", cap=(60, 60), skills={"cold"})]
    plan = solve(city(jobs, fleet), params(backend))
    assert plan.feasible, plan.verdict.violations
    who = served_by(plan)
    assert who["c1"] == who["c5"] == who["c8"] == "fridge" and len(who) == 8


MULTI = [(0, 0), (500, 0), (0, 500), (20_000, 0), (20_500, 0), (20_000, 500), (10_000, 0)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_vehicles_start_and_end_at_their_own_depots(backend: str) -> None:
    """Two depots far apart: each van serves its own side and returns to its own depot."""
    jobs = [delivery(f"w{i}", i) for i in (1, 2)] + [delivery(f"e{i}", i) for i in (4, 5)]
    fleet = [van("west", depot="W"), van("east", depot="E")]
    plan = solve(city(jobs, fleet, [Depot("W", 0), Depot("E", 3)], MULTI), params(backend))
    assert plan.feasible, plan.verdict.violations
    who = served_by(plan)
    assert who == {"w1": "west", "w2": "west", "e4": "east", "e5": "east"}
    for route in plan.routes:
        home = 0 if route.vehicle_id == "west" else 3
        assert route.stops[0].location == route.stops[-1].location == home


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_way_routes_end_at_another_depot(backend: str) -> None:
    """A vehicle may start at one depot and end at another, serving what lies between."""
    fleet = [van("shuttle", depot="W", end_depot="E")]
    problem = city([delivery("mid", 6)], fleet, [Depot("W", 0), Depot("E", 3)], MULTI)
    route = solve(problem, params(backend)).routes[0]
    assert (route.stops[0].location, route.stops[-1].location) == (0, 3)
    assert route.distance_m == 20_000


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_depot_no_vehicle_uses_is_not_a_stop(backend: str) -> None:
    """Two depots, every van at the west one: the east depot is never driven to.

    A re-plan's spec keeps every warehouse, and a day's fleet may all be at one of them."""
    jobs = [delivery(f"w{i}", i) for i in (1, 2)]
    problem = city(jobs, [van("west", depot="W")], [Depot("W", 0), Depot("E", 3)], MULTI)
    plan = solve(problem, params(backend))
    assert plan.feasible, plan.verdict.violations
    assert served_by(plan) == {"w1": "west", "w2": "west"}
    assert plan.distance_m == 500 + round(math.dist((500, 0), (0, 500))) + 500


@pytest.mark.parametrize("backend", BACKENDS)
def test_heterogeneous_fleet_puts_the_big_job_on_the_big_truck(backend: str) -> None:
    """A job too big for the van rides the truck; the cheap van takes what it can."""
    jobs = eight_deliveries(demand=(5, 5))
    jobs[1] = delivery("pallet", 2, (150, 10))
    fleet = [van("van", cap=(40, 100)), van("truck", cap=(300, 300), cost_per_km=3.0)]
    plan = solve(city(jobs, fleet), params(backend))
    assert plan.feasible, plan.verdict.violations
    assert served_by(plan)["pallet"] == "truck"
    truck = plan.route_of("truck")
    assert truck is not None and truck.cost == pytest.approx(3.0 * truck.distance_m / 1000)


@pytest.mark.parametrize("backend", BACKENDS)
def test_optional_job_is_left_out_only_when_its_penalty_is_low(backend: str) -> None:
    """A far optional job is dropped at a small penalty (reason penalty) and kept at a big one."""
    jobs = eight_deliveries()
    cheap = [*jobs[:7], delivery("far", 8, optional=True, penalty=0.5)]
    dear = [*jobs[:7], delivery("far", 8, optional=True, penalty=500.0)]
    dropped = solve(city(cheap, [van("v1")]), params(backend))
    kept = solve(city(dear, [van("v1")]), params(backend))
    assert reasons(dropped) == {"far": Reason.PENALTY} and dropped.penalty == 0.5
    assert dropped.feasible and kept.feasible and "far" in served_by(kept)


@pytest.mark.parametrize("backend", BACKENDS)
def test_left_out_jobs_carry_the_reason_that_blocks_them(backend: str) -> None:
    """Skill, capacity, time window and shift each named for the job they block."""
    jobs = eight_deliveries()
    jobs[0] = delivery("needs_crane", 1, skills={"crane"})
    jobs[1] = delivery("too_big", 2, (500, 1))
    jobs[2] = delivery("too_early", 3, (1, 1), TimeWindow(0, 50))  # 1 km away: 100 s
    jobs[3] = delivery("after_hours", 4, (1, 1), TimeWindow(40_000, 41_000))
    plan = solve(city(jobs, [van("v1"), van("v2")]), params(backend))
    assert reasons(plan) == {
        "needs_crane": Reason.SKILL,
        "too_big": Reason.CAPACITY,
        "too_early": Reason.TIME_WINDOW,
        "after_hours": Reason.SHIFT,
    }
    assert plan.verdict.kinds() == {"coverage"}  # required jobs left out, nothing else broken


@pytest.mark.parametrize("backend", BACKENDS)
def test_jobs_beyond_the_fleet_capacity_are_left_out_for_capacity(backend: str) -> None:
    """Eight jobs of 10 on two vans of 30: six served, two left out because no room is left."""
    plan = solve(
        city(eight_deliveries(), [van("v1", cap=(30, 30)), van("v2", cap=(30, 30))]),
        params(backend),
    )
    assert len(served_by(plan)) == 6
    assert set(reasons(plan).values()) == {Reason.CAPACITY}


@pytest.mark.parametrize("backend", BACKENDS)
def test_shift_length_limit_is_kept(backend: str) -> None:
    """With a 20-minute shift limit no route lasts longer, so both vans go out."""
    fleet = [van("v1", max_shift_s=1200), van("v2", max_shift_s=1200)]
    plan = solve(city(eight_deliveries()[:7], fleet), params(backend))
    assert plan.feasible, plan.verdict.violations
    assert len(plan.routes) == 2 and all(r.duration_s <= 1200 for r in plan.routes)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_job_with_two_windows_is_served_in_one_of_them(backend: str) -> None:
    """Morning and afternoon windows: service starts inside one; the depot start waits for it."""
    morning, afternoon = TimeWindow(3600, 3700), TimeWindow(14_400, 15_000)
    jobs = [delivery("two", 1, (1, 1), morning, afternoon), delivery("pm", 2, (1, 1), afternoon)]
    plan = solve(city(jobs, [van("v1")]), params(backend))
    assert plan.feasible, plan.verdict.violations
    stop = next(s for s in plan.routes[0].job_stops if s.job_id == "two")
    assert morning.contains(stop.start_s) or afternoon.contains(stop.start_s)
    assert plan.routes[0].stops[0].departure_s > 0


def test_paired_problem_goes_to_pyvrp_unless_it_needs_what_only_ortools_models() -> None:
    """auto picks PyVRP for pairs with single windows and OR-Tools for multi-window pairs."""
    simple = city([paired("p", 1, 2)], [van("v1")])
    awkward = city(
        [paired("p", 1, 2, drop_windows=(TimeWindow(0, 900), TimeWindow(2000, 3000)))], [van("v1")]
    )
    auto = SolveParams(time_limit_s=None, iteration_limit=100)
    assert solve(simple, auto).backend == "pyvrp"
    plan = solve(awkward, auto)
    assert plan.backend == "ortools" and plan.feasible
    with pytest.raises(InvalidInput) as info:
        solve(awkward, params("pyvrp"))
    assert info.value.code == "backend_unsupported"


@pytest.mark.parametrize("backend", BACKENDS)
def test_progress_reports_cost_and_can_stop_the_search(backend: str) -> None:
    """The progress callback sees a cost and returning False ends the search with a plan."""
    seen: list[float | None] = []

    def progress(elapsed_s: float, cost: float | None) -> bool:
        seen.append(cost)
        return False

    slow = SolveParams(backend=backend, time_limit_s=None, iteration_limit=10**9)
    plan = solve(city(eight_deliveries(), [van("v1"), van("v2")]), slow, on_progress=progress)
    assert plan.feasible and seen and seen[0] is not None and seen[0] > 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_costs_add_up_per_km_per_hour_and_fixed(backend: str) -> None:
    """A route costs its fixed cost, plus per km and per hour of its duration."""
    fleet = [van("v1", fixed_cost=20.0, cost_per_km=0.5, cost_per_hour=12.0, shift=DAY)]
    plan = solve(city(eight_deliveries()[:4], fleet), params(backend))
    route = plan.routes[0]
    expected = 20.0 + 0.5 * route.distance_m / 1000 + 12.0 * route.duration_s / 3600
    assert route.cost == pytest.approx(expected) and plan.cost == pytest.approx(expected)
    stops = route.stops
    assert route.duration_s == stops[-1].arrival_s - stops[0].departure_s
