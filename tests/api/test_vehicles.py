"""Latest positions and tracks through the HTTP API, on the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient

from ingest import store
from ingest.records import Position
from tests.support.data import register

NOW = datetime.now(UTC).replace(microsecond=0)


def _store(url: str, device_pk: int, fixes: list[Position]) -> None:
    with psycopg.connect(url) as conn, conn.transaction():
        store.write_batch(conn, store.Batch(positions=[(device_pk, NOW, f) for f in fixes]))


@pytest.fixture
def van(database: str, uid: str) -> str:
    device = register(database, f"api-{uid}")
    newest = Position(NOW - timedelta(minutes=1), 30.26, 120.20, 10.0, 90.0, 5.0, 8.0)
    older = [Position(NOW - timedelta(minutes=m), 30.2 + m / 100, 120.1, 5.0) for m in (2, 3, 4)]
    _store(database, device.pk, [newest])
    _store(database, device.pk, older)  # a late flush of older fixes, committed afterwards
    return device.device_id


def test_latest_position_is_by_device_time(client: TestClient, admin: dict, van: str) -> None:
    """The latest position is the newest device time, even when older fixes arrived later."""
    answer = client.get(f"/v1/vehicles/{van}/position", headers=admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["lat"], body["lon"], body["speed_mps"]) == (30.26, 120.2, 10.0)
    assert datetime.fromisoformat(body["as_of"]) == NOW - timedelta(minutes=1)
    assert body["stale"] is False and body["late"] is False


def test_track_is_geojson_in_time_order(client: TestClient, admin: dict, van: str) -> None:
    """The track is one GeoJSON LineString whose coordinates follow device time."""
    answer = client.get(
        f"/v1/devices/{van}/track",
        params={"from": (NOW - timedelta(minutes=10)).isoformat(), "to": NOW.isoformat()},
        headers=admin,
    )
    assert answer.status_code == 200, answer.text
    (feature,) = answer.json()["features"]
    assert feature["geometry"]["type"] == "LineString"
    assert [c[1] for c in feature["geometry"]["coordinates"]] == [30.24, 30.23, 30.22, 30.26]
    times = [datetime.fromisoformat(t) for t in feature["properties"]["times"]]
    assert times == sorted(times) and feature["properties"]["count"] == 4


def test_track_range_limits_the_answer(client: TestClient, admin: dict, van: str) -> None:
    """Only fixes inside [from, to) are returned; an empty range gives no feature."""
    window = {
        "from": (NOW - timedelta(minutes=3, seconds=30)).isoformat(),
        "to": (NOW - timedelta(minutes=1, seconds=30)).isoformat(),
    }
    (feature,) = client.get(f"/v1/devices/{van}/track", params=window, headers=admin).json()[
        "features"
    ]
    assert feature["properties"]["count"] == 2
    empty = {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}
    assert client.get(f"/v1/devices/{van}/track", params=empty, headers=admin).json() == {
        "type": "FeatureCollection",
        "features": [],
    }


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-11-02T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "bad_time_range"),
        ({"from": "2026-01-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "range_too_long"),
        ({"from": "not a time"}, "invalid_request"),
    ],
)
def test_bad_track_parameters_are_422(
    client: TestClient, admin: dict, van: str, params: dict, code: str
) -> None:
    """Bad time ranges answer 422 problem JSON with a named code, never 500."""
    answer = client.get(f"/v1/devices/{van}/track", params=params, headers=admin)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == code


@pytest.mark.parametrize("path", ["/v1/vehicles/{id}/position", "/v1/devices/{id}/track"])
def test_unknown_device_is_404(client: TestClient, admin: dict, uid: str, path: str) -> None:
    """An id that names no device answers 404 with a problem document."""
    answer = client.get(path.format(id=f"nobody-{uid}"), headers=admin)
    assert answer.status_code == 404
    assert answer.json()["code"] == "device_not_found"


def test_device_without_fixes_is_404(
    client: TestClient, admin: dict, database: str, uid: str
) -> None:
    """A registered device that never reported has no position: 404 no_position."""
    device = register(database, f"quiet-{uid}")
    answer = client.get(f"/v1/vehicles/{device.device_id}/position", headers=admin)
    assert (answer.status_code, answer.json()["code"]) == (404, "no_position")


@pytest.mark.parametrize("path", ["/v1/vehicles/{id}/position", "/v1/devices/{id}/track"])
@pytest.mark.parametrize(
    ("headers", "code"),
    [({}, "no_token"), ({"Authorization": "Bearer wrong"}, "bad_token")],
)
def test_positions_need_a_valid_token(
    client: TestClient, van: str, path: str, headers: dict, code: str
) -> None:
    """Without a valid bearer token no position or track is shown."""
    answer = client.get(path.format(id=van), headers=headers)
    assert answer.status_code == 401
    assert answer.json()["code"] == code
    assert "lat" not in answer.text


def test_health_and_readiness(client: TestClient, mqtt_broker: object) -> None:
    """healthz answers while the process runs; readyz checks the database and the broker."""
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": True, "broker": True}


def test_readiness_fails_when_the_broker_is_unreachable(settings, database: str) -> None:  # type: ignore[no-untyped-def]
    """readyz answers 503 and names the broker when nothing listens on its port."""
    from api.app import create_app

    elsewhere = settings.model_copy(update={"mqtt": settings.mqtt.model_copy(update={"port": 1})})
    with TestClient(create_app(elsewhere)) as other:
        answer = other.get("/readyz")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["checks"] == {"database": True, "broker": False}
    assert (answer.json()["code"], answer.json()["detail"]) == ("not_ready", "unreachable: broker")


def test_openapi_document_is_served(client: TestClient) -> None:
    """The OpenAPI document lists the position and track endpoints; /docs renders."""
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/vehicles/{device_id}/position" in paths
    assert "/v1/devices/{device_id}/track" in paths
    assert client.get("/docs").status_code == 200
