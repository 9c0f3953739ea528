"""Planning as a job over HTTP and the job table, on real PostgreSQL and Mosquitto."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta
from typing import Any

import orjson
import psycopg

from devices.models import DeviceKind
from routing import jobs
from tests.conftest import wait_for
from tests.plans.conftest import DAY, MARKET, PARAMS, Fleet, retained
from tests.support.data import provision


def served(plan: dict[str, Any]) -> set[str]:
    return {s["shipment_id"] for r in plan["routes"] for s in r["stops"] if s["shipment_id"]}


def test_plan_from_ready_shipments(fleet: Fleet) -> None:
    """A depot's ready shipments become a feasible plan with times, loads, distances, GeoJSON."""
    fleet.van(1)
    fleet.van(2)
    shipments = {fleet.order(n) for n in range(6)}
    plan_id = fleet.plan()
    assert fleet.get(plan_id)["status"] == "queued"
    fleet.solve_queued()
    plan = fleet.get(plan_id)
    assert plan["status"] == "succeeded", plan["error"]
    assert plan["feasible"] is True and plan["violations"] == []
    assert served(plan) == shipments and plan["unassigned"] == []
    assert plan["progress"]["elapsed_s"] >= 0 and plan["progress"]["best_cost"] > 0
    for route in plan["routes"]:
        kinds = [s["kind"] for s in route["stops"]]
        assert kinds[0] == "start" and kinds[-1] == "end"
        assert route["distance_m"] == sum(s["distance_m"] for s in route["stops"]) > 0
        loads = [s["load_kg"] for s in route["stops"]]
        assert loads == sorted(loads, reverse=True)  # deliveries only: the van empties
        times = [datetime.fromisoformat(s["arrival_at"]) for s in route["stops"]]
        assert times == sorted(times)
    lines = plan["geojson"]["features"]
    assert {f["properties"]["vehicle_id"] for f in lines} == {
        r["vehicle_id"] for r in plan["routes"]
    }
    assert lines[0]["geometry"]["coordinates"][0] == list(MARKET)


def test_two_workers_run_a_job_once(fleet: Fleet) -> None:
    """Two workers racing for one queued plan: exactly one claims and solves it."""
    fleet.van(1)
    for n in range(4):
        fleet.order(n)
    plan_id = fleet.plan()
    barrier = threading.Barrier(2)
    claimed: list[int | None] = []

    def worker(name: str) -> None:
        with psycopg.connect(fleet.url) as conn:
            barrier.wait()
            pk = jobs.claim(conn, name)
            claimed.append(pk)
        if pk is not None:
            jobs.run(fleet.url, pk, name)

    threads = [threading.Thread(target=worker, args=(f"w{i}-{fleet.uid}",)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(claimed, key=lambda pk: pk is None)[1] is None  # the other found nothing
    with psycopg.connect(fleet.url) as conn:
        attempts, state = conn.execute(
            """SELECT j.attempts, j.state FROM plan_jobs j JOIN plans p ON p.pk = j.plan_pk
               WHERE p.plan_id = %s""",
            (plan_id,),
        ).fetchone()
    assert (attempts, state) == (1, "done")
    assert fleet.get(plan_id)["status"] == "succeeded"


def spread_problem(uid: str, n_jobs: int) -> dict[str, Any]:
    rng = random.Random(3)
    jobs_ = [
        {
            "id": f"j{i}",
            "demand": [5, 10],
            "delivery": {
                "lon": MARKET[0] + rng.uniform(-0.08, 0.08),
                "lat": MARKET[1] + rng.uniform(-0.08, 0.08),
                "service_s": 120,
                "windows": [[28800, 28800 + rng.choice([3, 5, 8]) * 3600]],
            },
        }
        for i in range(n_jobs)
    ]
    return {
        "epoch": f"{DAY}T00:00:00+08:00",
        "depot_id": f"D-{uid}",
        "depots": [{"id": f"D-{uid}", "lon": MARKET[0], "lat": MARKET[1]}],
        "vehicles": [
            {
                "id": f"v{k}",
                "start_depot": f"D-{uid}",
                "capacity": [200, 400],
                "shift": [28800, 72000],
            }
            for k in range(6)
        ],  # fmt: skip
        "jobs": jobs_,
    }


def test_progress_is_visible_and_a_running_plan_cancels(fleet: Fleet) -> None:
    """A long solve shows time used and best cost while it runs, and stops when cancelled."""
    answer = fleet.client.post(
        "/v1/plans",
        json={
            "problem": spread_problem(fleet.uid, 80),
            "params": {"time_limit_s": None, "iteration_limit": 10_000_000, "seed": 1},
        },
        headers=fleet.auth(),
    )
    assert answer.status_code == 202, answer.text
    plan_id = answer.json()["plan_id"]
    outcome: list[str | None] = []
    thread = threading.Thread(target=lambda: outcome.append(jobs.run_once(fleet.url, "long")))
    thread.start()
    try:
        running = wait_for(
            lambda: (p := fleet.get(plan_id))["progress"]["best_cost"] is not None and p,
            timeout_s=30,
            what="progress with a best cost",
        )
        assert running["status"] == "running" and running["progress"]["elapsed_s"] > 0
        cancel = fleet.client.post(f"/v1/plans/{plan_id}/cancel", headers=fleet.auth())
        assert cancel.status_code == 202 and cancel.json()["status"] == "running"
    finally:
        thread.join(60)
    assert outcome == ["cancelled"]
    plan = fleet.get(plan_id)
    assert plan["status"] == "cancelled" and plan["progress"]["cancel_requested"]
    assert plan["feasible"] is True  # the best plan so far is kept, and checked
    again = fleet.client.post(f"/v1/plans/{plan_id}/approve", headers=fleet.auth())
    assert again.status_code == 409 and again.json()["code"] == "plan_not_ready"


def test_a_queued_plan_cancels_at_once(fleet: Fleet) -> None:
    """Cancelling a plan no worker has taken yet ends it; no worker solves it afterwards."""
    fleet.van(1)
    fleet.order(1)
    plan_id = fleet.plan()
    answer = fleet.client.post(f"/v1/plans/{plan_id}/cancel", headers=fleet.auth())
    assert answer.status_code == 202 and answer.json()["status"] == "cancelled"
    fleet.solve_queued()
    plan = fleet.get(plan_id)
    assert plan["status"] == "cancelled" and plan["routes"] == [] and plan["started_at"] is None


def test_approve_sets_planned_etas_and_pushes_the_route(fleet: Fleet, mqtt_broker) -> None:
    """Approval gives each shipment its route and planned arrival, and the van's device its
    route as a retained message it receives when it connects later."""
    device = f"gps-{fleet.uid}"
    password = provision(mqtt_broker, device, DeviceKind.GPS_UNIT)
    vehicle = fleet.van(1, device_id=device)
    shipments = [fleet.order(n) for n in range(3)]
    plan_id = fleet.plan()
    fleet.solve_queued()
    plan = fleet.get(plan_id)
    assert plan["feasible"] and served(plan) == set(shipments)
    answer = fleet.client.post(f"/v1/plans/{plan_id}/approve", headers=fleet.auth())
    assert answer.status_code == 200, answer.text
    assert answer.json()["dispatched"] == [device] and answer.json()["not_dispatched"] == []
    assert fleet.get(plan_id)["status"] == "approved"
    route = plan["routes"][0]
    for stop in route["stops"]:
        if stop["shipment_id"]:
            shipment = fleet.shipment(stop["shipment_id"])
            assert shipment["route_id"] == f"{plan_id}-{vehicle}"
            assert datetime.fromisoformat(shipment["planned_arrival_at"]) == (
                datetime.fromisoformat(stop["arrival_at"])
            )
            assert datetime.fromisoformat(shipment["planned_departure_at"]) == (
                datetime.fromisoformat(route["stops"][0]["departure_at"])
            )
    message = orjson.loads(retained(mqtt_broker, device, password))
    assert message["plan_id"] == plan_id and message["vehicle_id"] == vehicle
    assert [s["shipment_id"] for s in message["stops"]] == [
        s["shipment_id"] for s in route["stops"]
    ]
    # Once approved, the shipments are planned: a new plan of the day finds nothing to do.
    again = fleet.plan()
    fleet.solve_queued()
    assert fleet.get(again)["jobs"] == 0


def test_replan_keeps_visited_stops_fixed(fleet: Fleet) -> None:
    """A re-plan after two deliveries and a new urgent order keeps the done stops as they
    were, serves the rest and the new order, and moves the changed ETAs to the shipments."""
    vans = [fleet.van(1), fleet.van(2)]
    for n in range(6):
        fleet.order(n)
    plan_id = fleet.plan()
    fleet.solve_queued()
    assert (
        fleet.client.post(f"/v1/plans/{plan_id}/approve", headers=fleet.auth()).status_code == 200
    )
    plan = fleet.get(plan_id)
    route = max(plan["routes"], key=lambda r: len(r["stops"]))
    done = [s for s in route["stops"] if s["shipment_id"]][:2]
    with psycopg.connect(fleet.url) as conn:
        conn.execute(
            "UPDATE shipments SET status = 'delivered' WHERE shipment_id = %s",
            (done[0]["shipment_id"],),
        )
        conn.execute(
            "UPDATE shipments SET status = 'arriving' WHERE shipment_id = %s",
            (done[1]["shipment_id"],),
        )
    urgent = fleet.order(99, hours=(4, 9))
    at = datetime.fromisoformat(done[1]["arrival_at"]) + timedelta(minutes=1)
    broken = (
        next(r["vehicle_id"] for r in plan["routes"] if r is not route)
        if len(plan["routes"]) > 1
        else None
    )
    answer = fleet.client.post(
        f"/v1/plans/{plan_id}/replan",
        json={"at": at.isoformat(), "params": PARAMS,
              "broken_vehicles": [broken] if broken else []},
        headers=fleet.auth(),
    )  # fmt: skip
    assert answer.status_code == 202, answer.text
    new_id = answer.json()["plan_id"]
    fleet.solve_queued()
    new = fleet.get(new_id)
    assert new["status"] == "succeeded" and new["feasible"], new["violations"]
    assert new["parent_plan_id"] == plan_id
    kept = next(r for r in new["routes"] if r["vehicle_id"] == route["vehicle_id"])
    fixed = [s for s in kept["stops"] if s["fixed"]]
    assert [s["shipment_id"] for s in fixed[1:]] == [s["shipment_id"] for s in done]
    assert [s["arrival_at"] for s in fixed[1:]] == [s["arrival_at"] for s in done]
    assert all(not s["fixed"] for s in kept["stops"][len(fixed) :])
    assert served(new) == served(plan) | {urgent}
    assert new["unassigned"] == []
    assert broken is None or all(
        s["fixed"] for r in new["routes"] if r["vehicle_id"] == broken for s in r["stops"]
    )
    assert vans  # both vans were offered to the planner
    assert fleet.client.post(f"/v1/plans/{new_id}/approve", headers=fleet.auth()).status_code == 200
    urgent_stop = next(
        s
        for r in new["routes"]
        for s in r["stops"]
        if s["shipment_id"] == urgent and s["kind"] == "delivery"
    )
    assert datetime.fromisoformat(fleet.shipment(urgent)["planned_arrival_at"]) == (
        datetime.fromisoformat(urgent_stop["arrival_at"])
    )


def test_buyers_and_sellers_cannot_plan(fleet: Fleet) -> None:
    """Buyer and seller tokens get 403 on every plan route; unknown plans are 404 problems."""
    fleet.van(1)
    fleet.order(1)
    plan_id = fleet.plan()
    for who in ("buyer0", "seller0", "integration"):
        headers = fleet.auth(who)
        assert fleet.client.get(f"/v1/plans/{plan_id}", headers=headers).status_code == 403
        assert fleet.client.post("/v1/plans", json={}, headers=headers).status_code == 403
        for verb in ("cancel", "approve", "replan"):
            answer = fleet.client.post(f"/v1/plans/{plan_id}/{verb}", json={}, headers=headers)
            assert answer.status_code == 403
    missing = fleet.client.get("/v1/plans/pln_nothing", headers=fleet.auth())
    assert missing.status_code == 404 and missing.json()["code"] == "plan_not_found"


def test_bad_plan_requests_are_problems(fleet: Fleet) -> None:
    """Unknown depots, empty fleets, broken specs and bad limits are 4xx problem JSON."""
    cases = [
        ({"depot_id": "nowhere", "date": DAY}, "unknown_depot"),
        ({"depot_id": fleet.depot, "date": DAY}, "no_vehicles"),
        ({}, "no_problem"),
        ({"problem": {"epoch": "2026-12-01T00:00:00+08:00"}}, "bad_spec"),
        ({"problem": spread_problem(fleet.uid, 2) | {"depots": []}}, "unknown_depot"),
        ({"problem": spread_problem(fleet.uid, 2), "params": {"time_limit_s": None}}, "no_limit"),
    ]
    for body, code in cases:
        answer = fleet.client.post("/v1/plans", json=body, headers=fleet.auth())
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["code"] == code
    unsolved = fleet.client.post(
        "/v1/plans", json={"problem": spread_problem(fleet.uid, 2)}, headers=fleet.auth()
    ).json()["plan_id"]
    answer = fleet.client.post(f"/v1/plans/{unsolved}/replan", json={}, headers=fleet.auth())
    assert answer.status_code == 409 and answer.json()["code"] == "plan_not_approved"
    fleet.client.post(f"/v1/plans/{unsolved}/cancel", headers=fleet.auth())
