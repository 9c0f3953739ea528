"""VRPTW literature benchmark: Solomon, Gehring & Homberger 200, or any VRPLIB folder.

Each instance goes through the product's own path (`routing.vrplib.read_problem` then
`routing.solve`), one at a time, under a wall-clock limit per instance. The gap is to the
best-known distance under the distance-only objective with DIMACS rounding
(`bks_distance_only.csv` for the built-in sets, `bks.csv` with the same columns for a
folder of one's own). Prints one line per instance, then one JSON line of totals.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import InvalidInput
from routing.params import Backend, SolveParams
from routing.solve import solve
from routing.vrplib import instance_units, read_problem

BUILT_IN = ("solomon", "gh200")
DATA_ENV = "VRPTW_DATA_DIR"
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "vrptw"


@dataclass(frozen=True)
class Outcome:
    instance: str
    vehicles: int
    distance: float
    bks: float | None
    seconds: float
    feasible: bool
    left_out: int

    @property
    def gap_pct(self) -> float | None:
        if self.bks is None or not self.feasible:
            return None
        return 100.0 * (self.distance - self.bks) / self.bks


def data_dir(override: str | None = None) -> Path:
    return Path(override or os.environ.get(DATA_ENV) or DEFAULT_DATA)


def resolve_set(which: str, data: Path) -> tuple[list[Path], dict[str, float]]:
    """Instance files and best-known distances of a built-in set or a folder."""
    if which in BUILT_IN:
        folder, bks_file = data / which, data / "bks_distance_only.csv"
    else:
        folder = Path(which)
        bks_file = folder / "bks.csv"
    if not folder.is_dir():
        raise InvalidInput(f"no instance folder at {folder}", code="no_instances")
    files = sorted(folder.glob("*.vrp"))
    if not files:
        raise InvalidInput(f"no .vrp files in {folder}", code="no_instances")
    bks: dict[str, float] = {}
    if bks_file.is_file():
        with bks_file.open(newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("distance"):
                    bks[row["instance"].upper()] = float(row["distance"])
    return files, bks


def pick(files: list[Path], names: Sequence[str]) -> list[Path]:
    if not names:
        return files
    by_name = {f.stem.upper(): f for f in files}
    missing = [n for n in names if n.upper() not in by_name]
    if missing:
        raise InvalidInput(f"unknown instances: {', '.join(missing)}", code="no_instances")
    return [by_name[n.upper()] for n in names]


def run_one(path: Path, bks: dict[str, float], params: SolveParams) -> Outcome:
    problem = read_problem(path)
    began = time.monotonic()
    plan = solve(problem, params)
    seconds = time.monotonic() - began
    return Outcome(
        instance=path.stem,
        vehicles=len(plan.routes),
        distance=round(instance_units(plan.distance_m), 1),
        bks=bks.get(path.stem.upper()),
        seconds=seconds,
        feasible=plan.feasible and not plan.unassigned,
        left_out=len(plan.unassigned),
    )


def summary(outcomes: list[Outcome], time_limit_s: float, backend: str) -> dict[str, object]:
    gaps = [o.gap_pct for o in outcomes if o.gap_pct is not None]
    return {
        "benchmark": "vrptw",
        "instances": len(outcomes),
        "feasible": sum(o.feasible for o in outcomes),
        "with_bks": len(gaps),
        "mean_gap_pct": round(sum(gaps) / len(gaps), 3) if gaps else None,
        "max_gap_pct": round(max(gaps), 3) if gaps else None,
        "time_limit_s": time_limit_s,
        "backend": backend,
        "total_s": round(sum(o.seconds for o in outcomes), 1),
    }


def line(o: Outcome) -> str:
    gap = "-" if o.gap_pct is None else f"{o.gap_pct:6.2f}%"
    bks = "-" if o.bks is None else f"{o.bks:.1f}"
    state = "ok" if o.feasible else f"INFEASIBLE ({o.left_out} left out)"
    return (
        f"{o.instance:<10} vehicles {o.vehicles:>3}  distance {o.distance:>9.1f}  "
        f"bks {bks:>9}  gap {gap:>8}  time {o.seconds:6.1f}s  {state}"
    )


def run(
    which: str,
    time_limit_s: float,
    names: Sequence[str] = (),
    backend: str = "auto",
    seed: int = 0,
    data: str | None = None,
    echo: Callable[[str], None] = print,
) -> dict[str, object]:
    params = SolveParams(backend=Backend(backend), time_limit_s=time_limit_s, seed=seed)
    files, bks = resolve_set(which, data_dir(data))
    outcomes = []
    for path in pick(files, names):
        outcome = run_one(path, bks, params)
        echo(line(outcome))
        outcomes.append(outcome)
    result = summary(outcomes, time_limit_s, backend)
    echo(json.dumps(result))
    return result
