"""OsmAnd-protocol HTTP ingest with per-device credentials, into the same pipeline."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import orjson
from fastapi.testclient import TestClient

from core.settings import Settings
from devices.models import DeviceKind
from tests.conftest import SHARED
from tests.support.data import dead_letter_reasons, position_count, provision


def test_traccar_client_query_and_json_are_stored(
    client: TestClient, mqtt_broker: Settings, uid: str
) -> None:
    """A query-string fix and a Traccar Client JSON body both become positions; replays don't."""
    device_id = f"osm-{uid}"
    password = provision(mqtt_broker, device_id, DeviceKind.PHONE, "osmand")
    auth = httpx.BasicAuth(device_id, password)
    now = int(datetime.now(UTC).timestamp())
    query = f"id={device_id}&lat=30.27&lon=120.21&timestamp={now - 60}&speed=10&bearing=90"
    assert client.get(f"/v1/ingest/osmand?{query}", auth=auth).status_code == 200
    assert client.get(f"/v1/ingest/osmand?{query}", auth=auth).status_code == 200  # a resend
    assert position_count(mqtt_broker.db.url, device_id) == 1

    sample = orjson.loads((SHARED / "conformance/payloads/osmand-json-3-moving.json").read_bytes())
    sample["location"]["timestamp"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    # The sample names its own device id; ours is authenticated, so it must refuse it.
    answer = client.post("/v1/ingest/osmand", content=orjson.dumps(sample), auth=auth)
    assert (answer.status_code, answer.json()["code"]) == (400, "topic_mismatch")
    sample["device_id"] = device_id
    answer = client.post("/v1/ingest/osmand", content=orjson.dumps(sample), auth=auth)
    assert answer.status_code == 200, answer.text
    assert position_count(mqtt_broker.db.url, device_id) == 2
    assert dead_letter_reasons(mqtt_broker.db.url, f"osmand/{device_id}") == ["topic_mismatch"]


def test_wrong_or_missing_credentials_are_401(
    client: TestClient, mqtt_broker: Settings, uid: str
) -> None:
    """No credentials, a wrong password, or an unknown device get 401 and store nothing."""
    device_id = f"osm401-{uid}"
    provision(mqtt_broker, device_id, DeviceKind.PHONE, "osmand")
    query = f"id={device_id}&lat=30.27&lon=120.21"
    assert client.get(f"/v1/ingest/osmand?{query}").status_code == 401
    wrong = httpx.BasicAuth(device_id, "wrong")
    assert client.get(f"/v1/ingest/osmand?{query}", auth=wrong).status_code == 401
    ghost = httpx.BasicAuth(f"ghost-{uid}", "x")
    assert client.get(f"/v1/ingest/osmand?{query}", auth=ghost).status_code == 401
    assert position_count(mqtt_broker.db.url, device_id) == 0


def test_rejected_payload_is_400_and_kept(
    client: TestClient, mqtt_broker: Settings, uid: str
) -> None:
    """Coordinates out of range answer 400 with the reason and land in dead letters."""
    device_id = f"osm400-{uid}"
    password = provision(mqtt_broker, device_id, DeviceKind.PHONE, "osmand")
    auth = httpx.BasicAuth(device_id, password)
    answer = client.get(f"/v1/ingest/osmand?id={device_id}&lat=95&lon=120.21", auth=auth)
    assert (answer.status_code, answer.json()["code"]) == (400, "lat_out_of_range")
    assert dead_letter_reasons(mqtt_broker.db.url, f"osmand/{device_id}") == ["lat_out_of_range"]
