"""Dead letters through the API: listed, shown with raw bytes, replayed after a fix."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson
import psycopg
from fastapi.testclient import TestClient

from core.settings import Settings
from ingest import pipeline, service
from tests.support.data import position_count, register


def _receive(settings: Settings, topic: str, payload: bytes) -> None:
    """What a worker does with one message, while the registry does not know the device."""
    message = pipeline.Message(topic, payload, datetime.now(UTC))
    prepared = service.prepare([message], {}.get, service.Rules.from_settings(settings))
    with psycopg.connect(settings.db.url) as conn, conn.transaction():
        service.write(conn, prepared)


def test_unknown_device_replayed_after_it_is_registered(
    client: TestClient, admin: dict, settings: Settings, uid: str
) -> None:
    """Messages of a device registered late are kept, then stored by a replay; once only."""
    device_id = f"late-{uid}"
    topic = f"waybill/v1/devices/{device_id}/telemetry"
    fix = {"ts": datetime.now(UTC).isoformat(), "lat": 30.25, "lon": 120.19}
    _receive(settings, topic, orjson.dumps(fix))
    _receive(settings, topic, b"\xff\xfe not even text")

    page = client.get("/v1/dead-letters", params={"device_id": device_id}, headers=admin).json()
    assert [item["reason"] for item in page["items"]] == ["unknown_device", "unknown_device"]
    binary_id = page["items"][0]["id"]  # newest first
    shown = client.get(f"/v1/dead-letters/{binary_id}", headers=admin).json()
    assert base64.b64decode(shown["payload_base64"]) == b"\xff\xfe not even text"
    assert shown["payload_text"] is None and shown["topic"] == topic
    counts = client.get("/v1/dead-letters/counts", params={"device_id": device_id}, headers=admin)
    assert counts.json() == {"unknown_device": 2}

    register(settings.db.url, device_id)
    replay = client.post("/v1/dead-letters/replay", json={"device_id": device_id}, headers=admin)
    assert replay.status_code == 200, replay.text
    outcomes = sorted(r["outcome"] for r in replay.json()["results"])
    assert outcomes == ["rejected:not_utf8", "stored"]
    assert position_count(settings.db.url, device_id) == 1

    again = client.post("/v1/dead-letters/replay", json={"device_id": device_id}, headers=admin)
    assert [r["outcome"] for r in again.json()["results"]] == ["rejected:not_utf8"]
    assert position_count(settings.db.url, device_id) == 1
    pending = client.get(
        "/v1/dead-letters", params={"device_id": device_id, "pending_only": True}, headers=admin
    ).json()["items"]
    assert [(p["reason"], p["replay_outcome"]) for p in pending] == [
        ("unknown_device", "rejected:not_utf8")
    ]


def test_dead_letter_errors(client: TestClient, admin: dict) -> None:
    """An unknown id is 404; a bad replay limit and a bad id are 422; no token is 401."""
    assert client.get("/v1/dead-letters/987654321", headers=admin).status_code == 404
    assert client.get("/v1/dead-letters/abc", headers=admin).status_code == 422
    bad = client.post("/v1/dead-letters/replay", json={"limit": 0}, headers=admin)
    assert bad.status_code == 422
    for method, path in [("get", "/v1/dead-letters"), ("get", "/v1/dead-letters/1"),
                         ("get", "/v1/dead-letters/counts"),
                         ("post", "/v1/dead-letters/replay")]:  # fmt: skip
        assert client.request(method, path, json={}).status_code == 401
