"""A depot with vans, orders placed through the API, and a worker run in the test's thread.

Every id carries the test's unique token; plans use iteration limits and a fixed seed.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from fastapi.testclient import TestClient
from paho.mqtt.enums import CallbackAPIVersion

from api.app import create_app
from core.settings import Settings
from routing import jobs
from tests.orders.conftest import install_tokens, order_body, token

MARKET = (120.2105, 30.2905)
DAY = "2026-12-01"
LOCAL_9AM = datetime(2026, 12, 1, 1, tzinfo=UTC)  # 09:00 at +08:00
PARAMS = {"time_limit_s": None, "iteration_limit": 150, "seed": 7}


@dataclass(frozen=True)
class Fleet:
    client: TestClient
    uid: str
    url: str
    depot: str

    def auth(self, who: str = "dispatcher") -> dict[str, str]:
        return {"Authorization": f"Bearer {token(who, self.uid)}"}

    def van(self, n: int, device_id: str | None = None, **extra: Any) -> str:
        vehicle_id = f"V{n}-{self.uid}"
        body = {
            "depot_id": self.depot, "capacity_kg": 400, "capacity_l": 4000,
            "shift_start": "08:00", "shift_end": "20:00", "device_id": device_id,
        } | extra  # fmt: skip
        answer = self.client.put(f"/v1/fleet/{vehicle_id}", json=body, headers=self.auth())
        assert answer.status_code == 204, answer.text
        return vehicle_id

    def order(self, n: int, *, hours: tuple[int, int] = (0, 9)) -> str:
        """An order 1-5 km from the depot, due between 09:00+a and 09:00+b local."""
        angle = n * 2.399963
        radius = 0.01 + 0.004 * (n % 10)
        lon, lat = MARKET[0] + radius * math.cos(angle), MARKET[1] + radius * math.sin(angle)
        start, end = LOCAL_9AM + timedelta(hours=hours[0]), LOCAL_9AM + timedelta(hours=hours[1])
        body = order_body(f"MO-{self.uid}-{n}", f"B0-{self.uid}", f"S0-{self.uid}")
        body["depot_id"] = self.depot
        body["delivery"]["location"]["coordinates"] = [lon, lat]
        body["delivery"]["windows"] = [{"start": start.isoformat(), "end": end.isoformat()}]
        answer = self.client.post("/v1/orders", json=body, headers=self.auth("integration"))
        assert answer.status_code == 201, answer.text
        return answer.json()["shipments"][0]["shipment_id"]

    def plan(self, **body: Any) -> str:
        answer = self.client.post(
            "/v1/plans",
            json={"depot_id": self.depot, "date": DAY, "params": PARAMS} | body,
            headers=self.auth(),
        )
        assert answer.status_code == 202, answer.text
        assert answer.headers["Location"] == f"/v1/plans/{answer.json()['plan_id']}"
        return answer.json()["plan_id"]

    def get(self, plan_id: str) -> dict[str, Any]:
        answer = self.client.get(f"/v1/plans/{plan_id}", headers=self.auth())
        assert answer.status_code == 200, answer.text
        return answer.json()

    def solve_queued(self) -> None:
        while jobs.run_once(self.url, f"test-{self.uid}") is not None:
            pass

    def shipment(self, shipment_id: str) -> dict[str, Any]:
        answer = self.client.get(f"/v1/shipments/{shipment_id}", headers=self.auth())
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def fleet(mqtt_broker: Settings, database: str, uid: str) -> Iterator[Fleet]:
    install_tokens(database, uid)
    with TestClient(create_app(mqtt_broker), raise_server_exceptions=False) as client:
        world = Fleet(client, uid, database, f"D-{uid}")
        answer = client.put(
            f"/v1/depots/{world.depot}",
            json={"name": "Sijiqing", "location": {"type": "Point", "coordinates": MARKET}},
            headers=world.auth(),
        )
        assert answer.status_code == 204, answer.text
        world.solve_queued()  # leftovers of earlier runs must not hold up this test's jobs
        yield world


def retained(settings: Settings, device_id: str, password: str, timeout_s: float = 10.0) -> bytes:
    """Connect as the device, subscribe to its route topic, return the retained message."""
    got: list[bytes] = []
    arrived = threading.Event()
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"dev-{device_id}", protocol=mqtt.MQTTv5
    )
    client.username_pw_set(device_id, password)
    topic = f"waybill/v1/devices/{device_id}/route"
    client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)

    def on_message(c, userdata, message) -> None:  # type: ignore[no-untyped-def]
        if message.retain:
            got.append(message.payload)
            arrived.set()

    client.on_message = on_message
    client.connect(settings.mqtt.host, settings.mqtt.port, keepalive=30)
    client.loop_start()
    try:
        assert arrived.wait(timeout_s), f"no retained message on {topic}"
        return got[0]
    finally:
        client.disconnect()
        client.loop_stop()
