"""The plan job queue (`plan_jobs`) and the worker that solves what it claims.

Any number of workers claim the oldest open job with FOR UPDATE SKIP LOCKED, so a job
runs once; the claim is a lease that the worker extends with each progress report, and a
job whose lease ran out (its worker died) is claimed again. While solving, the worker
writes the time used and the best cost so far and reads the plan's cancel flag at each
report of the solver (about twice a second); a cancelled solve stores its best plan so
far with the status `cancelled`. Results and the job's end commit in one transaction.
"""

from __future__ import annotations

import logging
import time
import traceback
from datetime import UTC, datetime

import psycopg

from core.db import connect
from routing import plan_result, plan_store
from routing.params import SolveParams
from routing.solve import solve
from routing.spec import to_problem

log = logging.getLogger(__name__)
LEASE_S = 60


def claim(conn: psycopg.Connection, worker: str, lease_s: int = LEASE_S) -> int | None:
    """Take the oldest open job, or None; commits the claim."""
    with conn.transaction():
        row = conn.execute(
            """UPDATE plan_jobs SET state = 'running', worker = %s, attempts = attempts + 1,
                      lease_until = now() + make_interval(secs => %s)
               WHERE plan_pk = (
                   SELECT plan_pk FROM plan_jobs
                   WHERE state = 'queued' OR (state = 'running' AND lease_until < now())
                   ORDER BY created_at, plan_pk
                   LIMIT 1 FOR UPDATE SKIP LOCKED)
               RETURNING plan_pk""",
            (worker, lease_s),
        ).fetchone()
        if row is None:
            return None
        conn.execute(
            """UPDATE plans SET status = 'running', started_at = coalesce(started_at, now())
               WHERE pk = %s AND status IN ('queued', 'running')""",
            (row[0],),
        )
        return row[0]


def _finish(conn: psycopg.Connection, pk: int, **fields: object) -> None:
    plan_store.update_plan(conn, pk, finished_at=datetime.now(UTC), **fields)
    conn.execute(
        "UPDATE plan_jobs SET state = 'done', lease_until = NULL WHERE plan_pk = %s", (pk,)
    )


def run(url: str, pk: int, worker: str = "worker", lease_s: int = LEASE_S) -> str:
    """Solve the claimed plan `pk` and store the result; the plan's final status."""
    with connect(url) as conn:
        row = plan_store.get_plan(conn, pk=pk)
        conn.rollback()
        assert row is not None
        if row["cancel_requested"] or row["status"] not in ("queued", "running"):
            with conn.transaction():
                _finish(conn, pk, status="cancelled")
            return "cancelled"
        try:
            built = to_problem(row["spec"])
            params = SolveParams(**row["params"])
        except Exception as exc:  # a stored spec that no longer builds is a failed plan
            with conn.transaction():
                _finish(conn, pk, status="failed", error=str(exc))
            return "failed"
        cancelled = False
        with connect(url, autocommit=True) as side:

            def report(elapsed_s: float, best_cost: float | None) -> bool:
                nonlocal cancelled
                cancelled = plan_store.record_progress(side, pk, elapsed_s, best_cost) or cancelled
                side.execute(
                    """UPDATE plan_jobs SET lease_until = now() + make_interval(secs => %s)
                       WHERE plan_pk = %s AND worker = %s""",
                    (lease_s, pk, worker),
                )
                return not cancelled

            report(0.0, None)
            began = time.monotonic()
            try:
                plan = solve(built.problem, params, on_progress=report)
            except Exception as exc:
                log.error("plan %s failed:\n%s", row["plan_id"], traceback.format_exc())
                with conn.transaction():
                    _finish(conn, pk, status="failed", error=f"{type(exc).__name__}: {exc}")
                return "failed"
            report(time.monotonic() - began, plan.objective)
        fixed = row["spec"].get("fixed", {})
        routes, stops, summary = plan_result.rows(row["plan_id"], built, plan, fixed)
        status = "cancelled" if cancelled else "succeeded"
        with conn.transaction():
            plan_store.save_routes(conn, pk, routes, stops)
            _finish(conn, pk, status=status, summary=summary, backend=plan.backend)
        log.info(
            "plan %s %s: %d routes, %d left out, cost %.1f, feasible %s, %.1f s",
            row["plan_id"], status, len(routes), len(plan.unassigned), plan.objective,
            plan.feasible, plan.solve_s,
        )  # fmt: skip
        return status


def run_once(url: str, worker: str = "worker") -> str | None:
    """Claim and solve one job; None when the queue is empty."""
    with connect(url) as conn:
        pk = claim(conn, worker)
    return None if pk is None else run(url, pk, worker)


def work(url: str, worker: str, poll_s: float = 1.0, once: bool = False) -> None:
    """Solve jobs until interrupted (or, with `once`, until the queue is empty)."""
    while True:
        outcome = run_once(url, worker)
        if outcome is None:
            if once:
                return
            time.sleep(poll_s)
