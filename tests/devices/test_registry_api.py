"""The device registry through the HTTP API, with the real database and broker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from tests.conftest import TEST_ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {TEST_ADMIN_TOKEN}"}
READER_ANTENNAS = [
    {"antenna": 1, "read_point": "urn:epc:id:sgln:0614141.00001.1", "role": "dock_inside"},
    {"antenna": 2, "read_point": "urn:epc:id:sgln:0614141.00001.2", "role": "dock_outside",
     "biz_location": "urn:epc:id:sgln:0614141.00001.0"},
]  # fmt: skip


@pytest.fixture
def api(mqtt_broker: Settings, database: str) -> Iterator[TestClient]:
    with TestClient(create_app(mqtt_broker), raise_server_exceptions=False) as client:
        yield client


def test_provisioning_shows_the_password_once(api: TestClient, uid: str) -> None:
    """Provisioning answers 201 with credentials; no later answer contains the password."""
    answer = api.post(
        "/v1/devices",
        json={"device_id": f"rd-{uid}", "kind": "rfid_reader", "format": "native",
              "name": "Dock 1", "antennas": READER_ANTENNAS},
        headers=ADMIN,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    body = answer.json()
    password = body["credentials"]["password"]
    assert len(password) >= 24 and body["credentials"]["username"] == f"rd-{uid}"
    assert body["credentials"]["publish"][0] == f"waybill/v1/devices/rd-{uid}/telemetry"
    assert [a["role"] for a in body["device"]["antennas"]] == ["dock_inside", "dock_outside"]
    shown = api.get(f"/v1/devices/rd-{uid}", headers=ADMIN)
    listed = api.get("/v1/devices", params={"kind": "rfid_reader", "limit": 500}, headers=ADMIN)
    assert shown.status_code == listed.status_code == 200
    assert password not in shown.text and password not in listed.text
    assert shown.json()["credentials_issued_at"] is not None


def test_update_rotate_revoke_retire(api: TestClient, uid: str) -> None:
    """A device can be changed, its credentials rotated and revoked, and it can be retired."""
    device = f"gps-{uid}"
    created = api.post(
        "/v1/devices", json={"device_id": device, "kind": "gps_unit", "format": "native"},
        headers=ADMIN,
    )  # fmt: skip
    assert created.status_code == 201
    changed = api.patch(
        f"/v1/devices/{device}", json={"name": "Van 9", "vehicle_id": "VAN-9"}, headers=ADMIN
    )
    assert (changed.json()["name"], changed.json()["vehicle_id"]) == ("Van 9", "VAN-9")
    unbound = api.patch(f"/v1/devices/{device}", json={"vehicle_id": ""}, headers=ADMIN)
    assert unbound.json()["vehicle_id"] is None
    rotated = api.post(f"/v1/devices/{device}/credentials", headers=ADMIN)
    assert rotated.status_code == 201
    assert rotated.json()["credentials"]["password"] != created.json()["credentials"]["password"]
    assert api.delete(f"/v1/devices/{device}/credentials", headers=ADMIN).status_code == 204
    assert api.get(f"/v1/devices/{device}", headers=ADMIN).json()["credentials_revoked_at"]
    retired = api.delete(f"/v1/devices/{device}", headers=ADMIN)
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None
    again = api.post(f"/v1/devices/{device}/credentials", headers=ADMIN)
    assert (again.status_code, again.json()["code"]) == (409, "device_retired")
    default_list = api.get("/v1/devices", params={"limit": 500}, headers=ADMIN).json()["items"]
    assert device not in [d["device_id"] for d in default_list]


def test_list_pages_by_id(api: TestClient, uid: str) -> None:
    """Keyset pages cover every device once, in id order."""
    ids = [f"pg-{uid}-{n}" for n in range(5)]
    for device_id in ids:
        assert api.post(
            "/v1/devices", json={"device_id": device_id, "kind": "phone", "format": "owntracks"},
            headers=ADMIN,
        ).status_code == 201  # fmt: skip
    seen: list[str] = []
    after = f"pg-{uid}"
    while after:
        page = api.get("/v1/devices", params={"after": after, "limit": 2}, headers=ADMIN).json()
        seen += [d["device_id"] for d in page["items"] if d["device_id"].startswith(f"pg-{uid}")]
        after = page["next_after"] if all(
            d["device_id"].startswith(f"pg-{uid}") for d in page["items"]
        ) else None  # fmt: skip
    assert seen == ids


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"device_id": "bad/id", "kind": "gps_unit", "format": "native"}, 422, "bad_device_id"),
        ({"device_id": "x#1", "kind": "gps_unit", "format": "native"}, 422, "bad_device_id"),
        ({"device_id": "ok-{uid}", "kind": "gps_unit", "format": "zebra"}, 422, "bad_format"),
        ({"device_id": "ok-{uid}", "kind": "drone", "format": "native"}, 422, "invalid_request"),
        ({"device_id": "ok-{uid}", "kind": "gps_unit", "format": "native",
          "antennas": READER_ANTENNAS}, 422, "antennas_not_allowed"),
        ({"device_id": "ok-{uid}", "kind": "rfid_reader", "format": "native",
          "antennas": [READER_ANTENNAS[0], READER_ANTENNAS[0]]}, 422, "duplicate_antenna"),
        ({"device_id": "ok-{uid}", "kind": "rfid_reader", "format": "native",
          "antennas": [{"antenna": 1, "read_point": "dock", "role": "other"}]}, 422,
         "bad_read_point"),
    ],
)  # fmt: skip
def test_bad_devices_are_refused(
    api: TestClient, uid: str, body: dict, status: int, code: str
) -> None:
    """Invalid ids, formats, kinds and antenna lists answer 422 with a named code."""
    body = body | {"device_id": body["device_id"].format(uid=uid)}
    answer = api.post("/v1/devices", json=body, headers=ADMIN)
    assert (answer.status_code, answer.json()["code"]) == (status, code)


def test_duplicate_id_is_409(api: TestClient, uid: str) -> None:
    """A second device with a taken id is refused with 409 and the first is untouched."""
    body = {"device_id": f"dup-{uid}", "kind": "gps_unit", "format": "native"}
    assert api.post("/v1/devices", json=body, headers=ADMIN).status_code == 201
    again = api.post("/v1/devices", json=body | {"format": "osmand"}, headers=ADMIN)
    assert (again.status_code, again.json()["code"]) == (409, "device_exists")
    assert api.get(f"/v1/devices/dup-{uid}", headers=ADMIN).json()["format"] == "native"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/v1/devices"), ("get", "/v1/devices/x"), ("post", "/v1/devices"),
     ("patch", "/v1/devices/x"), ("delete", "/v1/devices/x"),
     ("post", "/v1/devices/x/credentials"), ("delete", "/v1/devices/x/credentials")],
)  # fmt: skip
def test_registry_needs_an_admin(api: TestClient, method: str, path: str) -> None:
    """Every registry endpoint refuses callers without a valid token."""
    for headers in ({}, {"Authorization": "Bearer nope"}):
        assert api.request(method, path, headers=headers, json={}).status_code == 401
