"""A buyer cannot reach another buyer's shipment by any route: every operation of the
OpenAPI document is tried with every id the other buyer owns, in every path parameter
and every query parameter, and nothing of theirs comes back or changes."""

from __future__ import annotations

import re

from tests.orders.conftest import World

# Routes whose whole point is that they need no ownership: signing in and out (logging
# out would end the very session that does the trying), health, and the public link
# (whoever holds its token may read it; the token is not an id of the owner's).
NOT_OWNED = {
    "/v1/auth/token",
    "/v1/auth/refresh",
    "/v1/auth/logout",
    "/healthz",
    "/readyz",
    "/v1/public/track/{token}",
}


def victims_ids(world: World) -> tuple[set[str], list[str], list[str]]:
    """Buyer1's orders, shipments and cartons: (every id, the ids to look for, shipments)."""
    orders = [world.place(n, buyer=1, shop=n % 2) for n in (1, 2)]
    shipment_ids = [s["shipment_id"] for o in orders for s in o["shipments"]]
    packed = world.client.post(
        f"/v1/shipments/{shipment_ids[0]}/packages",
        json={"weight_kg": 3.5, "epcs": []},
        headers=world.auth("dispatcher"),
    )
    assert packed.status_code == 201, packed.text
    sscc = packed.json()["sscc"]
    ids = {o["mall_order_id"] for o in orders} | set(shipment_ids) | {sscc, world.buyers[1]}
    return ids, [*shipment_ids, *(o["mall_order_id"] for o in orders), sscc], shipment_ids


def snapshot(world: World, shipment_ids: list[str]) -> list[dict]:
    return [
        world.client.get(f"/v1/shipments/{i}", headers=world.auth("dispatcher")).json()
        for i in shipment_ids
    ]


def test_a_buyer_reaches_nothing_of_another_buyer_by_any_route(world: World) -> None:
    ids, telltales, shipment_ids = victims_ids(world)
    before = snapshot(world, shipment_ids)
    spec = world.client.get("/openapi.json").json()
    tried, leaks = 0, []
    statuses: dict[int, int] = {}
    for path, operations in spec["paths"].items():
        if path in NOT_OWNED:
            continue
        for method, operation in operations.items():
            query_names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            for value in sorted(ids):
                url = re.sub(r"\{[^}]+\}", value, path)
                tries = [{}] + [{name: value} for name in query_names]
                for params in tries:
                    body = {} if method in ("post", "put", "patch") else None
                    with world.client.stream(
                        method.upper(), url, params=params, json=body,
                        headers=world.auth("buyer0"),
                    ) as answer:  # fmt: skip
                        status = answer.status_code
                        streaming = "event-stream" in answer.headers.get("content-type", "")
                        text = "" if streaming else answer.read().decode(errors="replace")
                    tried += 1
                    statuses[status] = statuses.get(status, 0) + 1
                    # An error may repeat the id it was asked about; nothing else of theirs.
                    echo = value if status >= 400 else None
                    shown = [t for t in telltales if t in text and t != echo]
                    if "{" in path and status < 400 or shown:
                        leaks.append(f"{method.upper()} {url} {params}: {status} shows {shown}")
    assert tried > 500 and statuses.get(404, 0) > 20, sorted(statuses.items())
    assert leaks == []
    own = world.client.get("/v1/me", headers=world.auth("buyer0"))
    assert own.status_code == 200, "the trying token must have stayed valid throughout"
    assert snapshot(world, shipment_ids) == before
