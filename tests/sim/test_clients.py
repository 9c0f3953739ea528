"""The simulator's API client signs in, refreshes before its access token expires, signs in
again when a refresh is refused; the dispatcher closes what an interrupted run left."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from sim import world
from sim.api_client import Api, ApiError
from sim.dispatcher import Dispatcher


class FakeAuth:
    """An auth endpoint whose tokens live `ttl` seconds; refresh works `refresh_ok` times."""

    def __init__(self, ttl: int, refresh_ok: int) -> None:
        self.ttl, self.refresh_ok = ttl, refresh_ok
        self.calls: list[str] = []
        self.n = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append(path)
        if path in ("/v1/auth/token", "/v1/auth/refresh"):
            if path == "/v1/auth/refresh":
                if self.refresh_ok <= 0:
                    return httpx.Response(401, json={"code": "bad_refresh"})
                self.refresh_ok -= 1
            else:
                assert b"username=d&password=pw" in request.content
            self.n += 1
            body = {"access_token": f"a{self.n}", "token_type": "bearer",
                    "expires_in": self.ttl, "refresh_token": f"r{self.n}"}  # fmt: skip
            return httpx.Response(200, json=body)
        if request.headers["Authorization"] != f"Bearer a{self.n}":
            return httpx.Response(401, json={"code": "bad_token"})
        return httpx.Response(200, json={"ok": True})


def test_signs_in_refreshes_before_expiry_and_signs_in_again_when_refused() -> None:
    auth = FakeAuth(ttl=30, refresh_ok=1)  # 30 s left is inside the refresh margin
    api = Api("http://api", username="d", password="pw", transport=httpx.MockTransport(auth))
    assert api.get("/v1/x") == {"ok": True}
    assert api.get("/v1/x") == {"ok": True}  # refreshed first
    assert api.get("/v1/x") == {"ok": True}  # refresh refused: signed in again
    assert auth.calls == ["/v1/auth/token", "/v1/x", "/v1/auth/refresh", "/v1/x",
                          "/v1/auth/refresh", "/v1/auth/token", "/v1/x"]  # fmt: skip


def test_a_long_lived_token_is_used_until_near_its_end() -> None:
    auth = FakeAuth(ttl=900, refresh_ok=5)
    api = Api("http://api", username="d", password="pw", transport=httpx.MockTransport(auth))
    for _ in range(3):
        api.get("/v1/x")
    assert auth.calls.count("/v1/auth/token") == 1 and "/v1/auth/refresh" not in auth.calls


def test_errors_carry_status_and_code() -> None:
    api = Api("http://api", token="t", transport=httpx.MockTransport(
        lambda r: httpx.Response(409, json={"code": "invalid_transition"})))  # fmt: skip
    try:
        api.post("/v1/y", {})
    except ApiError as exc:
        assert (exc.status, exc.code) == (409, "invalid_transition")
    else:
        raise AssertionError("a 409 must raise")


def test_tidy_up_cancels_orders_never_loaded_and_fails_stranded_shipments() -> None:
    """Only shipments of this market's warehouses that are on a route are touched."""
    w = world.build(vans=2, warehouses=1, prefix="z-")
    depot = w.warehouses[0].depot_id

    def row(n: int, depot_id: str, route: str | None) -> dict[str, Any]:
        return {"shipment_id": f"s{n}", "mall_order_id": f"o{n}", "depot_id": depot_id,
                "route_id": route}  # fmt: skip

    listed = {
        "packed": [row(1, depot, "r"), row(2, depot, None), row(3, "other", "r")],
        "in_transit": [row(4, depot, "r")],
    }
    posted: list[tuple[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            items = listed.get(request.url.params["status"], [])
            return httpx.Response(200, json={"items": items, "next_cursor": None})
        posted.append((request.url.path, orjson.loads(request.content)))
        return httpx.Response(200, json={})

    api = Api("http://api", token="t", transport=httpx.MockTransport(handler))
    Dispatcher(api, w, plan_params={}, serial_base=1).tidy_up()
    assert [p for p, _ in posted] == ["/v1/orders/o1/cancel", "/v1/shipments/s4/events"]
    assert posted[1][1]["status"] == "delivery_failed"
