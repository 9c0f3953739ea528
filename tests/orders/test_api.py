"""The HTTP edge of orders and shipments: 422 problem JSON for bad input (never a 500),
409 with a clear code when it is too late, and the staff routes that move a shipment."""

from __future__ import annotations

import copy
import json
from typing import Any

import psycopg
import pytest

from orders import service
from tests.orders.builders import HAPPY_PATH, evidence
from tests.orders.conftest import World


def broken(world: World, path: str, value: Any) -> dict:
    """The test's order body with the field at dotted `path` set to `value` (or removed)."""
    body = copy.deepcopy(world.order_body())
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is KeyError:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return body


BAD_ORDERS = [
    ("mall_order_id", KeyError),
    ("mall_order_id", "has spaces/and slash"),
    ("buyer_id", ""),
    ("priority", 10),
    ("items", []),
    ("items.0.quantity", 0),
    ("items.0.weight_kg", -1),
    ("items.0.sku", KeyError),  # the second line has a GTIN, the first now has nothing
    ("items.1.gtin", "09506000134353"),  # wrong check digit
    ("items.1.gtin", "12345"),
    ("delivery.location", {"type": "Point", "coordinates": [120.2]}),
    ("delivery.location", {"type": "Point", "coordinates": [30.3, 120.2]}),
    ("delivery.location", {"type": "Polygon", "coordinates": [120.2, 30.3]}),
    ("delivery.windows", []),
    ("delivery.windows.0.start", "2026-12-01T09:00:00"),  # no offset
    ("delivery.windows.0.end", "2026-12-01T08:00:00+00:00"),  # ends before it starts
    ("delivery.address", ""),
    ("unexpected", "field"),
]


@pytest.mark.parametrize(("path", "value"), BAD_ORDERS)
def test_bad_orders_are_422_problems(world: World, path: str, value: Any) -> None:
    """Each malformed order is refused with 422 problem JSON naming a code, and not stored."""
    body = broken(world, path, value)
    answer = world.client.post("/v1/orders", json=body, headers=world.auth("integration"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"]
    look = world.client.get(f"/v1/orders/MO-{world.uid}-0", headers=world.auth("admin"))
    assert look.status_code == 404


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[]",
        b'{"mall_order_id": NaN}',
        b"\xff\xfe",
    ],
)
def test_bodies_that_are_not_orders_are_422(world: World, raw: bytes) -> None:
    """Bodies that are not JSON objects, or not UTF-8, are 422 problems, not 500s."""
    answer = world.client.post(
        "/v1/orders",
        content=raw,
        headers=world.auth("integration") | {"Content-Type": "application/json"},
    )
    assert (answer.status_code, answer.headers["content-type"]) == (
        422,
        "application/problem+json",
    )


def test_nan_coordinates_are_refused(world: World) -> None:
    """A NaN longitude written as the bare JSON token is a 422, not a stored point."""
    body = json.dumps(world.order_body()).replace("[120.2456, 30.3312]", "[NaN, 30.3]")
    assert "NaN" in body
    answer = world.client.post(
        "/v1/orders",
        content=body.encode(),
        headers=world.auth("integration") | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 422


def test_other_bad_requests_are_422(world: World) -> None:
    """A bad cursor, a naive time filter, an unknown status, an over-long Idempotency-Key,
    an empty address change and a manual event with an unknown status are 422 problems."""
    order = world.place()
    sid = order["shipments"][0]["shipment_id"]
    staff = world.auth("dispatcher")
    answers = [
        world.client.get("/v1/shipments?cursor=bm90IGEgY3Vyc29y", headers=staff),
        world.client.get("/v1/shipments?created_from=2026-12-01T00:00:00", headers=staff),
        world.client.get("/v1/shipments?status=lost", headers=staff),
        world.client.post(
            "/v1/orders",
            json=world.order_body(1),
            headers=world.auth("integration") | {"Idempotency-Key": "k" * 300},
        ),
        world.client.patch(f"/v1/orders/{order['mall_order_id']}/delivery", json={}, headers=staff),
        world.client.post(
            f"/v1/shipments/{sid}/events", json={"status": "lost", "reason": "?"}, headers=staff
        ),
        world.client.post(f"/v1/shipments/{sid}/packages", json={"epcs": ["zz"]}, headers=staff),
    ]
    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"


def load(database: str, shipment_id: str, uid: str) -> None:
    with psycopg.connect(database) as conn:
        for minute, (status, kind) in enumerate(HAPPY_PATH[:2], start=1):
            service.record_evidence(
                conn, shipment_id, evidence(status, kind, f"{uid}-{minute}", minute)
            )


def test_too_late_to_cancel_or_readdress_is_409(world: World, database: str) -> None:
    """After loading, cancel and address change answer 409 already_loaded; before, they
    work, and a cancelled order cannot be re-addressed (409 order_cancelled)."""
    auth = world.auth("integration")
    loaded, early = world.place(0), world.place(1)
    load(database, loaded["shipments"][0]["shipment_id"], world.uid)
    cancel = world.client.post(f"/v1/orders/{loaded['mall_order_id']}/cancel", headers=auth)
    move = world.client.patch(
        f"/v1/orders/{loaded['mall_order_id']}/delivery", json={"address": "x"}, headers=auth
    )
    for answer in (cancel, move):
        assert (answer.status_code, answer.json()["code"]) == (409, "already_loaded")

    new_place = {"type": "Point", "coordinates": [120.25, 30.33]}
    moved = world.client.patch(
        f"/v1/orders/{early['mall_order_id']}/delivery",
        json={"address": "Gate 2", "location": new_place, "recipient_name": "Mr. Li"},
        headers=auth,
    )
    assert moved.status_code == 200
    assert moved.json()["delivery"]["location"] == new_place
    assert moved.json()["delivery"]["recipient_name"] == "Mr. Li"
    cancelled = world.client.post(
        f"/v1/orders/{early['mall_order_id']}/cancel", json={"reason": "out of stock"}, headers=auth
    )
    assert cancelled.json()["status"] == "cancelled"
    after = world.client.patch(
        f"/v1/orders/{early['mall_order_id']}/delivery", json={"address": "y"}, headers=auth
    )
    assert (after.status_code, after.json()["code"]) == (409, "order_cancelled")


def test_staff_pack_mark_and_confirm_over_http(world: World, database: str) -> None:
    """Staff add a carton (201, SSCC), mark an exception, resume, and confirm delivery; the
    buyer then reads the whole timeline with its evidence; a refused step is 409."""
    staff = world.auth("dispatcher")
    sid = world.place()["shipments"][0]["shipment_id"]
    carton = world.client.post(
        f"/v1/shipments/{sid}/packages", json={"weight_kg": 8.5}, headers=staff
    )
    assert carton.status_code == 201 and carton.json()["element_string"].startswith("(00)")
    load(database, sid, world.uid)
    marks = [
        {"status": "exception", "reason": "carton crushed", "occurred_at": "2026-12-01T09:10:00Z"},
        {"status": "in_transit", "reason": "repacked, left", "occurred_at": "2026-12-01T09:20:00Z"},
    ]
    for body in marks:
        answer = world.client.post(f"/v1/shipments/{sid}/events", json=body, headers=staff)
        assert answer.status_code == 200, answer.text
    refused = world.client.post(
        f"/v1/shipments/{sid}/events", json={"status": "packed", "reason": "?"}, headers=staff
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")
    proof = {
        "pod_id": f"pod-{world.uid}",
        "confirmed_at": "2026-12-01T18:00:00+08:00",
        "location": {"type": "Point", "coordinates": [120.2456, 30.3312]},
        "signature_ref": "sig/123.png",
    }
    for _ in range(2):
        done = world.client.post(
            f"/v1/shipments/{sid}/proof-of-delivery", json=proof, headers=staff
        )
        assert done.status_code == 200 and done.json()["status"] == "delivered"
    seen = world.client.get(f"/v1/shipments/{sid}", headers=world.auth("buyer0")).json()
    assert [e["status"] for e in seen["timeline"]] == [
        "packed", "loaded", "exception", "in_transit", "delivered",
    ]  # fmt: skip
    assert seen["timeline"][-1]["evidence"]["signature_ref"] == "sig/123.png"
    assert seen["shipped_at"] is not None and len(seen["packages"]) == 1
