"""Order intake is idempotent on the mall's order id and on the Idempotency-Key header,
also under concurrent duplicates."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import psycopg
import pytest

from core.errors import Conflict, InvalidInput
from orders import service
from orders.models import Scope
from tests.orders.builders import new_order
from tests.orders.conftest import World


def count(database: str, mall_order_id: str) -> tuple[int, int]:
    """(orders, shipments) stored under this mall order id."""
    with psycopg.connect(database) as conn:
        row = conn.execute(
            """SELECT count(DISTINCT o.pk), count(s.pk) FROM orders o
               LEFT JOIN shipments s ON s.order_pk = o.pk WHERE o.mall_order_id = %s""",
            (mall_order_id,),
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_the_same_key_and_body_answer_the_first_result(world: World, database: str) -> None:
    """A retried POST with the same Idempotency-Key and body answers the original order
    (same shipment ids), marked as a replay, and stores nothing new."""
    body = world.order_body()
    headers = world.auth("integration") | {"Idempotency-Key": f"key-{world.uid}"}
    first = world.client.post("/v1/orders", json=body, headers=headers)
    again = world.client.post("/v1/orders", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(database, body["mall_order_id"]) == (1, 1)


def test_the_same_key_with_another_body_is_refused(world: World) -> None:
    """Reusing an Idempotency-Key for a different body is a 422 idempotency_key_reused,
    whether the body names the same order or another one."""
    headers = world.auth("integration") | {"Idempotency-Key": f"key-{world.uid}"}
    assert world.client.post("/v1/orders", json=world.order_body(0), headers=headers).is_success
    changed = world.order_body(0, priority=7)
    for body in (changed, world.order_body(1)):
        answer = world.client.post("/v1/orders", json=body, headers=headers)
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "idempotency_key_reused"
    assert (
        world.client.get(
            f"/v1/orders/MO-{world.uid}-1", headers=world.auth("integration")
        ).status_code
        == 404
    )


def test_the_same_order_id_twice_is_one_order(world: World, database: str) -> None:
    """The same order sent twice without a key (or with another key) is one order; the same
    id with different content is a 409 order_exists."""
    body = world.order_body()
    auth = world.auth("integration")
    first = world.client.post("/v1/orders", json=body, headers=auth)
    second = world.client.post(
        "/v1/orders", json=body, headers=auth | {"Idempotency-Key": f"other-{world.uid}"}
    )
    assert second.json() == first.json()
    clash = world.client.post("/v1/orders", json=body | {"priority": 9}, headers=auth)
    assert (clash.status_code, clash.json()["code"]) == (409, "order_exists")
    assert count(database, body["mall_order_id"]) == (1, 1)


def test_concurrent_duplicates_make_exactly_one_order(database: str, uid: str) -> None:
    """Two threads sending the same order at the same instant, each on its own connection,
    create it once: one answer says created, both name the same shipments."""
    for round_ in range(5):
        order = new_order(f"MO-{uid}-{round_}", f"B-{uid}", f"S-{uid}", depots=("wh-a", "wh-b"))
        start = threading.Barrier(2)

        def submit(order=order, start=start) -> service.Intake:  # type: ignore[no-untyped-def]
            with psycopg.connect(database) as conn:
                start.wait()
                return service.create_order(conn, order, f"k-{order.mall_order_id}")

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda _: submit(), range(2)))
        assert sorted(r.created for r in results) == [False, True]
        ids = [[s.shipment_id for s in r.order.shipments] for r in results]
        assert ids[0] == ids[1] and len(ids[0]) == 2
        assert count(database, order.mall_order_id) == (1, 2)


def test_concurrent_duplicates_over_http_make_one_order(world: World, database: str) -> None:
    """Eight simultaneous POSTs of one order through the API store one order; all answer it."""
    body = world.order_body()
    headers = world.auth("integration") | {"Idempotency-Key": f"key-{world.uid}"}
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda _: world.client.post("/v1/orders", json=body, headers=headers), range(8)
            )
        )
    assert {a.status_code for a in answers} == {201}
    assert sum("Idempotent-Replayed" not in a.headers for a in answers) == 1
    assert len({a.json()["shipments"][0]["shipment_id"] for a in answers}) == 1
    assert count(database, body["mall_order_id"]) == (1, 1)


def test_an_order_splits_into_one_shipment_per_depot(database: str, uid: str) -> None:
    """Lines shipping from two warehouses make two shipments, each carrying its own lines'
    weight and volume."""
    order = new_order(f"MO-{uid}", depots=("wh-a", "wh-b", "wh-a"))
    with psycopg.connect(database) as conn:
        detail = service.create_order(conn, order).order
    assert [(s.depot_id, s.weight_kg, s.status) for s in detail.shipments] == [
        ("wh-a", 8.0, "created"),
        ("wh-b", 4.0, "created"),
    ]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"mall_order_id": "has/slash"}, "bad_order_id"),
        ({"items": ()}, "no_items"),
        ({"priority": 12}, "bad_priority"),
    ],
)
def test_the_service_checks_what_the_api_also_checks(
    database: str, uid: str, change: dict, code: str
) -> None:
    """Callers other than the API (scripts, the simulator) get the same input checks."""
    order = replace(new_order(f"MO-{uid}"), **change)
    with psycopg.connect(database) as conn, pytest.raises(InvalidInput) as refused:
        service.create_order(conn, order)
    assert refused.value.code == code


def test_a_key_of_another_order_is_refused(database: str, uid: str) -> None:
    """An order whose id is free but whose key belongs to another order is refused (422),
    and a taken id with other content is a conflict that leaves the first order as it was."""
    with psycopg.connect(database) as conn:
        service.create_order(conn, new_order(f"MO-{uid}-a"), f"k-{uid}")
        with pytest.raises(InvalidInput) as refused:
            service.create_order(conn, new_order(f"MO-{uid}-b"), f"k-{uid}")
        assert refused.value.code == "idempotency_key_reused"
        with pytest.raises(Conflict):
            service.create_order(conn, new_order(f"MO-{uid}-a", buyer_id="B-other"))
        assert service.get_order(conn, f"MO-{uid}-a", Scope("everyone")).order.buyer_id == "B-x"
