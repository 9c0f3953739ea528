"""A GPS fix from a device over real MQTT, through a real worker, into the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from tests.conftest import TEST_ADMIN_TOKEN, wait_for
from tests.support.data import dead_letter_reasons, position_count, provision
from tests.support.mqtt import Publisher

ADMIN = {"Authorization": f"Bearer {TEST_ADMIN_TOKEN}"}


def _fix(when: datetime, lat: float, **extra: object) -> bytes:
    return orjson.dumps(
        {"ts": when.isoformat().replace("+00:00", "Z"), "lat": lat, "lon": 120.2} | extra
    )


def test_published_fix_reaches_the_api_once(
    mqtt_broker: Settings, database: str, uid: str, start_worker
) -> None:  # type: ignore[no-untyped-def]
    """QoS 1 publish -> worker -> committed row -> API answer; a duplicate leaves one row."""
    device_id = f"e2e-{uid}"
    password = provision(mqtt_broker, device_id)
    start_worker()
    topic = f"waybill/v1/devices/{device_id}/telemetry"
    now = datetime.now(UTC).replace(microsecond=0)
    with (
        Publisher(mqtt_broker, device_id, password) as pub,
        TestClient(create_app(mqtt_broker)) as api,
    ):
        pub.publish(topic, _fix(now - timedelta(seconds=5), 30.27, speed_kmh=54))
        answer = wait_for(
            lambda: (
                (r := api.get(f"/v1/vehicles/{device_id}/position", headers=ADMIN)).status_code
                == 200
                and r
            ),
            what="the fix to reach the API",
        )
        assert answer.json()["lat"] == 30.27
        assert answer.json()["speed_mps"] == 15.0

        # The same message again, then a marker: once the marker is in, the duplicate was seen.
        pub.publish(topic, _fix(now - timedelta(seconds=5), 30.27, speed_kmh=54))
        pub.publish(topic, _fix(now - timedelta(seconds=1), 30.28))
        wait_for(lambda: position_count(database, device_id) >= 2, what="the marker fix")
        assert position_count(database, device_id) == 2

        # A late fix older than the latest: stored, but the latest position does not move back.
        pub.publish(topic, _fix(now - timedelta(minutes=30), 30.10))
        wait_for(lambda: position_count(database, device_id) == 3, what="the late fix")
        latest = api.get(f"/v1/vehicles/{device_id}/position", headers=ADMIN).json()
        assert latest["lat"] == 30.28
        track = api.get(
            f"/v1/devices/{device_id}/track",
            params={"from": (now - timedelta(hours=1)).isoformat()},
            headers=ADMIN,
        ).json()
        lats = [c[1] for c in track["features"][0]["geometry"]["coordinates"]]
        assert lats == [30.10, 30.27, 30.28]


def test_bad_messages_land_in_dead_letters(
    mqtt_broker: Settings, database: str, uid: str, start_worker
) -> None:  # type: ignore[no-untyped-def]
    """Malformed, out-of-range, future and oversized messages each get a named reason."""
    device_id = f"bad-{uid}"
    password = provision(mqtt_broker, device_id)
    start_worker(WAYBILL_INGEST__MAX_PAYLOAD_BYTES="2048")
    now = datetime.now(UTC)
    topic = f"waybill/v1/devices/{device_id}/telemetry"
    cases = [
        (topic, b"{oops", "not_json"),
        (topic, b'{"ts": "\xc3\x28", "lat": 1, "lon": 2}', "not_utf8"),
        (topic, _fix(now, "north"), "wrong_type"),
        (topic, _fix(now, 95.0), "lat_out_of_range"),
        (topic, _fix(now + timedelta(days=2), 30.0), "timestamp_in_future"),
        (topic, b"x" * 4096, "payload_too_large"),
    ]
    with Publisher(mqtt_broker, device_id, password) as pub:
        for case_topic, payload, _ in cases:
            pub.publish(case_topic, payload)
        pub.publish(topic, _fix(now, 30.2))  # and one good fix among them
        wait_for(lambda: position_count(database, device_id) == 1, what="the good fix")
        expected = sorted(reason for _, _, reason in cases)
        wait_for(
            lambda: (
                sorted(dead_letter_reasons(database, f"waybill/v1/devices/%{uid}/telemetry"))
                == expected
            ),
            what=f"dead letters {expected}",
        )
