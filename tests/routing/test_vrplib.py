"""Solomon instances read into our problem model, checked, solved, and benchmark bookkeeping.

The instance and solution files in `instances/` are copies of the Solomon files in
`../shared/bench/vrptw/solomon` (PyVRP/Instances, MIT licence).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.vrptw import Outcome, pick, resolve_set, summary
from core.errors import InvalidInput
from routing.check import check
from routing.params import SolveParams
from routing.plan import StopKind
from routing.solve import build_plan, solve
from routing.vrplib import instance_units, read_problem, read_routes

HERE = Path(__file__).parent / "instances"


@pytest.mark.parametrize(("name", "bks"), [("C101", 827.3), ("R101", 1637.7), ("RC201", 1261.8)])
def test_best_known_solution_is_feasible_and_costs_its_stated_distance(
    name: str, bks: float
) -> None:
    """The published best routes pass our check and cost the BKS under DIMACS rounding."""
    problem = read_problem(HERE / f"{name}.vrp")
    routes = read_routes(HERE / f"{name}.sol")
    seqs = {
        f"v{i + 1}": [(problem.job_by_id[j], StopKind.DELIVERY) for j in route]
        for i, route in enumerate(routes)
    }
    plan = build_plan(problem, seqs, [], "bks", 0.0)
    assert check(problem, plan).feasible
    assert instance_units(plan.distance_m) == pytest.approx(bks)


def test_instance_maps_to_vehicles_windows_and_service_times() -> None:
    """C101: 25 vehicles of 200, 100 jobs, windows and service times scaled by ten."""
    problem = read_problem(HERE / "C101.vrp")
    assert len(problem.vehicles) == 25 and problem.vehicles[0].capacity == (200,)
    assert len(problem.jobs) == 100 and problem.vehicles[0].shift.end_s == 12_360
    first = problem.job_by_id["1"].delivery
    assert first.service_s == 900 and first.windows[0].start_s == 9120
    assert problem.matrix.distance_m[0, 1] == 186  # floor(10 × 18.68)


def test_a_solomon_instance_is_solved_and_checked() -> None:
    """PyVRP, iteration-limited, serves all of C101 feasibly within 1 % of the optimum."""
    problem = read_problem(HERE / "C101.vrp")
    plan = solve(problem, SolveParams(time_limit_s=None, iteration_limit=1500, seed=3))
    assert plan.backend == "pyvrp" and plan.feasible and not plan.unassigned
    assert instance_units(plan.distance_m) <= 827.3 * 1.01


def test_ortools_solves_a_tight_window_instance_feasibly() -> None:
    """OR-Tools, solution-limited, serves all of R101 and its plan passes the check."""
    problem = read_problem(HERE / "R101.vrp")
    plan = solve(problem, SolveParams(backend="ortools", time_limit_s=None, iteration_limit=50))
    assert plan.feasible and not plan.unassigned
    assert instance_units(plan.distance_m) < 1637.7 * 1.15


def test_a_folder_of_ones_own_is_a_benchmark_set(tmp_path: Path) -> None:
    """Any folder of .vrp files with a bks.csv is a set; unknown names are refused."""
    shutil.copy(HERE / "C101.vrp", tmp_path / "C101.vrp")
    (tmp_path / "bks.csv").write_text("instance,vehicles,distance,source\nC101,10,827.3,x\n")
    files, bks = resolve_set(str(tmp_path), Path("/nonexistent"))
    assert [f.stem for f in files] == ["C101"] and bks == {"C101": 827.3}
    assert pick(files, ["c101"]) == files
    with pytest.raises(InvalidInput):
        pick(files, ["R999"])
    with pytest.raises(InvalidInput):
        resolve_set(str(tmp_path / "missing"), Path("/nonexistent"))


def test_summary_counts_only_feasible_plans_in_the_gap() -> None:
    """Mean and max gap come from feasible plans with a BKS; infeasible ones count apart."""
    outcomes = [
        Outcome("A", 10, 101.0, 100.0, 1.0, True, 0),
        Outcome("B", 10, 103.0, 100.0, 1.0, True, 0),
        Outcome("C", 9, 90.0, 100.0, 1.0, False, 2),
    ]
    s = summary(outcomes, 30.0, "auto")
    assert s["mean_gap_pct"] == 2.0 and s["max_gap_pct"] == 3.0
    assert s["feasible"] == 2 and s["instances"] == 3 and s["backend"] == "auto"
    assert s["time_limit_s"] == 30.0


def test_the_bench_command_prints_one_line_per_instance_then_json(tmp_path: Path) -> None:
    """`waybill bench vrptw --set DIR` prints an instance line and a JSON line of totals."""
    import json

    import typer
    from typer.testing import CliRunner

    from cli.bench import app as bench

    app = typer.Typer()  # mounted as in `waybill`, so the group keeps its subcommands
    app.add_typer(bench, name="bench")

    shutil.copy(HERE / "C101.vrp", tmp_path / "C101.vrp")
    (tmp_path / "bks.csv").write_text("instance,vehicles,distance,source\nC101,10,827.3,x\n")
    args = ["bench", "vrptw", "--set", str(tmp_path), "--time-limit", "0.5", "--instances", "C101"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("C101") and "bks     827.3" in lines[0]
    totals = json.loads(lines[-1])
    assert totals["instances"] == 1 and totals["backend"] == "auto"
    assert {"mean_gap_pct", "max_gap_pct", "feasible", "time_limit_s"} <= totals.keys()
