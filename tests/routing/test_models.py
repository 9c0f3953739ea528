"""Problem and parameter validation: invalid input is refused with a named code."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from routing.models import Depot, Job, TimeWindow, Vehicle, Visit
from routing.params import SolveParams
from tests.routing.problems import DAY, city, delivery, eight_deliveries, plane, van


def _code(fn) -> str:
    with pytest.raises(InvalidInput) as info:
        fn()
    return info.value.code


def test_negative_demand_is_refused() -> None:
    """A job with a negative demand in any dimension is refused as negative_demand."""
    assert _code(lambda: delivery("j", 1, (-1, 0))) == "negative_demand"


def test_window_ending_before_it_starts_is_refused() -> None:
    """A time window that ends before it starts is refused as window_order."""
    assert _code(lambda: TimeWindow(600, 300)) == "window_order"


def test_overlapping_windows_are_refused() -> None:
    """Several windows on one visit must be sorted and disjoint, else window_overlap."""
    code = _code(lambda: Visit(1, 0, (TimeWindow(0, 500), TimeWindow(400, 900))))
    assert code == "window_overlap"


def test_unknown_depot_is_refused() -> None:
    """A vehicle based at a depot the problem does not have is refused as unknown_depot."""
    assert _code(lambda: city(eight_deliveries(), [van("v1", depot="X")])) == "unknown_depot"


def test_unknown_end_depot_is_refused() -> None:
    """A vehicle ending at an unknown depot is refused as unknown_depot too."""
    v = Vehicle("v1", "D", (100, 100), DAY, end_depot="nowhere")
    assert _code(lambda: city(eight_deliveries(), [v])) == "unknown_depot"


def test_location_outside_the_matrix_is_refused() -> None:
    """A visit at a location the travel matrix does not cover is refused as unknown_location."""
    assert _code(lambda: city([delivery("j", 42)], [van("v1")])) == "unknown_location"


def test_duplicate_ids_are_refused() -> None:
    """Two jobs with one id are refused as duplicate_id."""
    jobs = [delivery("j", 1), delivery("j", 2)]
    assert _code(lambda: city(jobs, [van("v1")])) == "duplicate_id"


def test_demand_must_match_the_dimensions() -> None:
    """A demand with the wrong number of load dimensions is refused as demand_dimensions."""
    assert _code(lambda: city([delivery("j", 1, (5,))], [van("v1")])) == "demand_dimensions"


def test_capacity_must_match_the_dimensions() -> None:
    """A capacity with the wrong number of dimensions is refused as capacity_dimensions."""
    assert _code(lambda: city([delivery("j", 1)], [van("v1", cap=(5,))])) == "capacity_dimensions"


def test_negative_service_time_capacity_and_cost_are_refused() -> None:
    """Negative service time, capacity and cost each have their own code."""
    assert _code(lambda: Visit(1, -5)) == "negative_service"
    assert _code(lambda: van("v", cap=(-1, 0))) == "negative_capacity"
    assert _code(lambda: van("v", cost_per_km=-1.0)) == "negative_cost"


def test_penalty_needs_an_optional_job() -> None:
    """A penalty on a required job is a mistake and is refused as penalty_not_optional."""
    assert _code(lambda: delivery("j", 1, penalty=5.0)) == "penalty_not_optional"


def test_empty_fleet_is_refused() -> None:
    """A problem without vehicles is refused as no_vehicles."""
    assert _code(lambda: city([delivery("j", 1)], [])) == "no_vehicles"


def test_bad_matrices_are_refused() -> None:
    """Non-square, negative or fractional matrices are refused with matrix codes."""
    from gis.matrix import TravelMatrix

    assert _code(lambda: TravelMatrix([[0, 1]], [[0, 1]])) == "matrix_shape"
    assert _code(lambda: TravelMatrix([[0, -1], [1, 0]], [[0, 1], [1, 0]])) == "matrix_negative"
    assert _code(lambda: TravelMatrix([[0, 1.5], [1, 0]], [[0, 1], [1, 0]])) == "matrix_not_integer"


def test_a_valid_problem_is_immutable() -> None:
    """A built problem cannot be changed in place, nor can its matrix."""
    p = city(eight_deliveries(), [van("v1")])
    with pytest.raises(AttributeError):
        p.jobs = ()  # type: ignore[misc]
    with pytest.raises(ValueError):
        p.matrix.distance_m[0, 1] = 7
    assert isinstance(p.jobs, tuple) and p.depots == (Depot("D", 0),)
    assert plane([(0, 0), (3, 4)]).distance_m[0, 1] == 5
    assert Job("x", Visit(1), (1, 1), skills={"cold"}).skills == frozenset({"cold"})


def test_solve_parameters_are_validated() -> None:
    """Unknown backends, missing limits and non-positive limits are refused."""
    assert _code(lambda: SolveParams(backend="gurobi")) == "unknown_backend"  # type: ignore[arg-type]
    assert _code(lambda: SolveParams(time_limit_s=None)) == "no_limit"
    assert _code(lambda: SolveParams(time_limit_s=0)) == "bad_time_limit"
    assert _code(lambda: SolveParams(iteration_limit=0)) == "bad_iteration_limit"
    assert SolveParams(backend="pyvrp").backend == "pyvrp"  # type: ignore[arg-type]
