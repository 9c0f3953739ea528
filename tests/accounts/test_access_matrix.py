"""Every route of the OpenAPI document against the access matrix below: who may call it.

A route missing from the matrix fails the suite, so a new endpoint cannot ship without a
rule; a rule for a route that no longer exists fails too. Each role calls each route with
made-up ids: a role outside the rule gets 403 `forbidden_role`, a role inside it never
gets 401/403 (its answer is whatever the ids deserve: 404, 422 ...); without a token every
route but the public ones is 401.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from tests.support.accounts import bearer

PUBLIC = frozenset({"none", "admin", "dispatcher", "seller", "buyer", "integration"})
SIGNED_IN = PUBLIC - {"none"}
PEOPLE = SIGNED_IN - {"integration"}
ADMIN = frozenset({"admin"})
STAFF = frozenset({"admin", "dispatcher"})
MALL = frozenset({"admin", "integration"})
MALL_AND_STAFF = STAFF | MALL
DEVICE = frozenset()  # HTTP ingest: a device's own Basic credentials, never a bearer token

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/auth/token"): PUBLIC,
    ("POST", "/v1/auth/refresh"): PUBLIC,
    ("POST", "/v1/auth/logout"): SIGNED_IN,
    ("GET", "/v1/me"): SIGNED_IN,
    ("POST", "/v1/me/password"): PEOPLE,
    ("POST", "/v1/users"): ADMIN,
    ("GET", "/v1/users"): ADMIN,
    ("GET", "/v1/users/{username}"): ADMIN,
    ("PATCH", "/v1/users/{username}"): ADMIN,
    ("POST", "/v1/users/{username}/password"): ADMIN,
    ("POST", "/v1/users/{username}/revoke-sessions"): ADMIN,
    ("GET", "/v1/api-keys"): ADMIN,
    ("POST", "/v1/api-keys"): ADMIN,
    ("POST", "/v1/api-keys/{key_id}/rotate"): ADMIN,
    ("DELETE", "/v1/api-keys/{key_id}"): ADMIN,
    ("GET", "/v1/audit"): ADMIN,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/v1/vehicles/{device_id}/position"): STAFF,
    ("GET", "/v1/devices/{device_id}/track"): STAFF,
    ("POST", "/v1/devices"): ADMIN,
    ("GET", "/v1/devices"): ADMIN,
    ("GET", "/v1/devices/{device_id}"): ADMIN,
    ("PATCH", "/v1/devices/{device_id}"): ADMIN,
    ("DELETE", "/v1/devices/{device_id}"): ADMIN,
    ("POST", "/v1/devices/{device_id}/credentials"): ADMIN,
    ("DELETE", "/v1/devices/{device_id}/credentials"): ADMIN,
    ("GET", "/v1/dead-letters"): ADMIN,
    ("GET", "/v1/dead-letters/counts"): ADMIN,
    ("GET", "/v1/dead-letters/{letter_id}"): ADMIN,
    ("POST", "/v1/dead-letters/replay"): ADMIN,
    ("GET", "/v1/ingest/osmand"): DEVICE,
    ("POST", "/v1/ingest/osmand"): DEVICE,
    ("GET", "/v1/shipments"): SIGNED_IN,
    ("GET", "/v1/shipments/{shipment_id}"): SIGNED_IN,
    ("POST", "/v1/shipments/{shipment_id}/proof-of-delivery"): STAFF,
    ("POST", "/v1/shipments/{shipment_id}/events"): STAFF,
    ("POST", "/v1/shipments/{shipment_id}/packages"): STAFF,
    ("POST", "/v1/orders"): MALL,
    ("GET", "/v1/orders/{mall_order_id}"): SIGNED_IN,
    ("POST", "/v1/orders/{mall_order_id}/cancel"): MALL_AND_STAFF,
    ("PATCH", "/v1/orders/{mall_order_id}/delivery"): MALL_AND_STAFF,
    ("POST", "/epcis/capture"): MALL,
    ("GET", "/epcis/capture"): MALL,
    ("GET", "/epcis/capture/{capture_id}"): MALL,
    ("POST", "/epcis/events"): MALL,
    ("GET", "/epcis/events"): MALL,
    ("GET", "/epcis/events/{event_id}"): MALL,
    ("GET", "/v1/orders/{mall_order_id}/tracking"): SIGNED_IN,
    ("GET", "/v1/shipments/{shipment_id}/tracking"): SIGNED_IN,
    ("PUT", "/v1/shipments/{shipment_id}/vehicle"): STAFF,
    ("POST", "/v1/shipments/{shipment_id}/public-link"): MALL_AND_STAFF,
    ("GET", "/v1/public/track/{token}"): PUBLIC,
    ("POST", "/v1/geofences"): STAFF,
    ("GET", "/v1/geofences"): STAFF,
    ("GET", "/v1/geofences/{fence_id}"): STAFF,
    ("PUT", "/v1/geofences/{fence_id}"): STAFF,
    ("DELETE", "/v1/geofences/{fence_id}"): STAFF,
    ("GET", "/v1/devices/{device_id}/trips"): STAFF,
    ("GET", "/v1/devices/{device_id}/track.gpx"): STAFF,
    ("GET", "/v1/devices/{device_id}/track.geojson"): STAFF,
    ("GET", "/v1/shipments/{shipment_id}/events/stream"): SIGNED_IN,
    ("GET", "/v1/vehicles/{device_id}/stream"): STAFF,
    ("PUT", "/v1/depots/{depot_id}"): STAFF,
    ("PUT", "/v1/fleet/{vehicle_id}"): STAFF,
    ("POST", "/v1/plans"): STAFF,
    ("GET", "/v1/plans/{plan_id}"): STAFF,
    ("POST", "/v1/plans/{plan_id}/cancel"): STAFF,
    ("POST", "/v1/plans/{plan_id}/approve"): STAFF,
    ("POST", "/v1/plans/{plan_id}/replan"): STAFF,
    ("GET", "/v1/console/fleet"): STAFF,
    ("GET", "/v1/console/fleet/stream"): STAFF,
    ("GET", "/v1/console/depots"): STAFF,
    ("GET", "/v1/console/plans"): STAFF,
    ("GET", "/v1/console/ready"): STAFF,
    ("GET", "/v1/console/routes"): STAFF,
    ("GET", "/v1/console/devices"): STAFF,
    ("GET", "/v1/console/shipments"): SIGNED_IN,
}

BINDINGS = {"seller": {"shop_id": "S-matrix"}, "buyer": {"buyer_id": "B-matrix"}}


@pytest.fixture(scope="module")
def client(settings: Settings, database: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def operations(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops]


def test_the_matrix_covers_exactly_the_routes_there_are(client: TestClient) -> None:
    routes = set(operations(client))
    assert sorted(routes - MATRIX.keys()) == [], "routes without an access rule"
    assert sorted(MATRIX.keys() - routes) == [], "rules for routes that do not exist"


def call(client: TestClient, method: str, path: str, token: str | None) -> tuple[int, str]:
    """Status and problem code of one call with made-up ids; streams are only opened."""
    url = re.sub(r"\{[^}]+\}", "no-such-id", path)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {} if method in ("POST", "PUT", "PATCH") else None
    with client.stream(method, url, headers=headers, json=body) as answer:
        if not answer.headers.get("content-type", "").startswith("application/problem"):
            return answer.status_code, ""
        answer.read()
        return answer.status_code, answer.json().get("code", "")


@pytest.mark.parametrize("role", sorted(PUBLIC))
def test_each_role_reaches_exactly_the_routes_of_its_rules(
    client: TestClient, database: str, role: str
) -> None:
    wrong: list[str] = []
    for method, path in operations(client):
        allowed = MATRIX.get((method, path))
        if allowed is None:
            continue  # reported by the coverage test
        # A fresh token per call: logout ends the session it is called with.
        token = None if role == "none" else bearer(database, role, **BINDINGS.get(role, {}))
        status, code = call(client, method, path, token)
        if role in allowed:
            ok = status not in (401, 403)
        elif role == "none" or allowed is DEVICE:
            ok = status == 401
        else:
            ok = (status, code) == (403, "forbidden_role")
        if not ok:
            wrong.append(f"{method} {path}: {status} {code}")
    assert wrong == []
