"""Scoping: buyers see only their own orders and shipments, sellers only their shop's,
by every route; someone else's id answers exactly like an unknown one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.orders.conftest import World

PARTIES = ["buyer0", "buyer1", "seller0", "seller1"]


def seed(world: World) -> dict[str, dict]:
    """Three orders: buyer0 at shop0, buyer1 at shop1, buyer0 at shop1 (two depots)."""
    two_depots = world.order_body(2, buyer=0, shop=1)
    two_depots["items"][1]["depot_id"] = "wh-east"
    placed = {
        "b0s0": world.place(0, buyer=0, shop=0),
        "b1s1": world.place(1, buyer=1, shop=1),
    }
    answer = world.client.post("/v1/orders", json=two_depots, headers=world.auth("integration"))
    placed["b0s1"] = answer.json()
    return placed


def owns(who: str, order: dict, world: World) -> bool:
    party, n = who[:-1], int(who[-1])
    if party == "buyer":
        return order["buyer_id"] == world.buyers[n]
    return order["shop_id"] == world.shops[n]


def read_routes(order: dict) -> list[str]:
    ids = [s["shipment_id"] for s in order["shipments"]]
    return [f"/v1/orders/{order['mall_order_id']}"] + [f"/v1/shipments/{i}" for i in ids]


def shape(answer) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    body = answer.json()
    return answer.status_code, answer.headers["content-type"], body.get("code", "")


def test_nobody_reads_what_is_not_theirs(world: World) -> None:
    """For every party and every order and shipment id it does not own, each read route
    answers 404 with the same problem as an id that does not exist; owned ids answer 200."""
    placed = seed(world)
    for who in PARTIES:
        for order in placed.values():
            for route in read_routes(order):
                answer = world.client.get(route, headers=world.auth(who))
                if owns(who, order, world):
                    assert answer.status_code == 200, (who, route)
                    continue
                unknown_route = route.rsplit("/", 1)[0] + "/" + "zz" + route.rsplit("/", 1)[1]
                unknown = world.client.get(unknown_route, headers=world.auth(who))
                assert shape(answer) == shape(unknown), (who, route)
                assert answer.status_code == 404
                assert answer.json()["detail"].replace(route.rsplit("/", 1)[1], "ID") == (
                    unknown.json()["detail"].replace(unknown_route.rsplit("/", 1)[1], "ID")
                )


def test_write_routes_tell_a_buyer_nothing_about_ids(world: World) -> None:
    """Buyers and sellers may not cancel, re-address, confirm, mark or pack: 403 for their
    own ids, others' ids and unknown ids alike, and nothing changes."""
    placed = seed(world)
    foreign = placed["b1s1"]
    own = placed["b0s0"]
    for who in ("buyer0", "seller0"):
        for order in (own, foreign, {"mall_order_id": "nope", "shipments": [{"shipment_id": "x"}]}):
            sid = order["shipments"][0]["shipment_id"]
            calls = [
                ("post", f"/v1/orders/{order['mall_order_id']}/cancel", {}),
                ("patch", f"/v1/orders/{order['mall_order_id']}/delivery", {"address": "x"}),
                ("post", f"/v1/shipments/{sid}/events", {"status": "exception", "reason": "x"}),
                ("post", f"/v1/shipments/{sid}/packages", {}),
                (
                    "post",
                    f"/v1/shipments/{sid}/proof-of-delivery",
                    {"confirmed_at": "2026-12-01T10:00:00Z", "location": {
                        "type": "Point", "coordinates": [120.2, 30.3]}},
                ),
                ("post", "/v1/orders", world.order_body(9)),
            ]  # fmt: skip
            for method, route, body in calls:
                answer = world.client.request(method, route, json=body, headers=world.auth(who))
                assert shape(answer) == (403, "application/problem+json", "forbidden_role"), route
    staff = world.client.get(
        f"/v1/orders/{own['mall_order_id']}", headers=world.auth("dispatcher")
    ).json()
    assert staff["status"] == "open" and staff["shipments"][0]["status"] == "created"


def listed(world: World, who: str, **params: str) -> list[str]:
    """Every shipment id the list shows `who`, following the cursor to the end."""
    ids: list[str] = []
    cursor = None
    while True:
        query = params | ({"cursor": cursor} if cursor else {}) | {"limit": "2"}
        page = world.client.get("/v1/shipments", params=query, headers=world.auth(who)).json()
        ids += [item["shipment_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def test_lists_show_only_own_rows(world: World) -> None:
    """A buyer's list holds exactly their shipments, a seller's exactly their shop's; staff
    see everyone's. (A seller without a shop cannot exist: tests/accounts.)"""
    placed = seed(world)
    since = {"created_from": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()}
    for who in PARTIES:
        expected = {
            s["shipment_id"]
            for order in placed.values()
            if owns(who, order, world)
            for s in order["shipments"]
        }
        ids = listed(world, who)
        assert sorted(ids) == sorted(expected), who
        assert len(ids) == len(set(ids))
    every = {s["shipment_id"] for o in placed.values() for s in o["shipments"]}
    assert every <= set(listed(world, "dispatcher", **since))


def test_lists_page_newest_first_and_filter(world: World) -> None:
    """Keyset pages of a buyer's list are newest first without repeats or gaps, and the
    status and created-range filters narrow them."""
    orders = [world.place(n, buyer=0) for n in range(5)]
    newest_first = [o["shipments"][0]["shipment_id"] for o in reversed(orders)]
    assert listed(world, "buyer0") == newest_first
    world.client.post(
        f"/v1/orders/{orders[1]['mall_order_id']}/cancel", headers=world.auth("integration")
    )
    assert listed(world, "buyer0", status="cancelled") == [newest_first[3]]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert listed(world, "buyer0", created_from=future) == []
    assert listed(world, "buyer0", created_to=future) == newest_first
