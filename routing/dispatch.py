"""Pushing approved routes to the vans: one retained MQTT message per device.

Topic `waybill/v1/devices/{device_id}/route` (DESIGN.md's downlink), QoS 1, retained, so a
driver's device that connects later still gets its current route. Published as the
broker's dispatch account (`waybill-dispatch`, see `devices/broker.py`), which may send
on route topics and nothing else. Owns the payload shape; knows no database.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.errors import BrokerUnavailable
from core.settings import Settings
from devices import broker

STOP_FIELDS = ("seq", "kind", "job_id", "shipment_id", "lat", "lon", "arrival_at", "departure_at")


def topic(device_id: str) -> str:
    return f"waybill/v1/devices/{device_id}/route"


def payloads(
    plan_id: str, stops: Iterable[dict[str, Any]], devices: dict[str, str | None]
) -> dict[str, bytes]:
    """device id -> the route message of its vehicle."""
    by_vehicle: dict[str, list[dict[str, Any]]] = {}
    for stop in stops:
        by_vehicle.setdefault(stop["vehicle_id"], []).append(stop)
    issued = datetime.now(UTC).isoformat()
    out = {}
    for vehicle_id, route in by_vehicle.items():
        device = devices.get(vehicle_id)
        if not device:
            continue
        message = {
            "plan_id": plan_id,
            "route_id": f"{plan_id}-{vehicle_id}",
            "vehicle_id": vehicle_id,
            "issued_at": issued,
            "stops": [{k: s[k] for k in STOP_FIELDS} for s in route],
        }
        out[device] = orjson.dumps(message)
    return out


def publish(settings: Settings, messages: dict[str, bytes], timeout_s: float = 10.0) -> list[str]:
    """Publish each message retained; the device ids the broker acknowledged."""
    if not messages:
        return []
    password = broker.account_password(settings, broker.DISPATCH_ACCOUNT)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"waybill-dispatch-{uuid.uuid4().hex[:8]}",
        protocol=mqtt.MQTTv5,
    )
    client.username_pw_set(broker.DISPATCH_ACCOUNT, password)
    connected = threading.Event()
    acked: dict[int, bool] = {}
    done = threading.Condition()

    def on_connect(client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if not reason_code.is_failure:
            connected.set()

    def on_publish(client, userdata, mid, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        with done:
            acked[mid] = not reason_code.is_failure
            done.notify_all()

    client.on_connect = on_connect
    client.on_publish = on_publish
    try:
        client.connect(settings.mqtt.host, settings.mqtt.port, keepalive=30)
    except OSError as exc:
        raise BrokerUnavailable(f"broker unreachable: {exc}") from exc
    client.loop_start()
    try:
        if not connected.wait(timeout_s):
            raise BrokerUnavailable("the broker refused or did not answer the dispatch account")
        mids = {
            client.publish(topic(device), payload, qos=1, retain=True).mid: device
            for device, payload in messages.items()
        }
        with done:
            done.wait_for(lambda: mids.keys() <= acked.keys(), timeout_s)
        return [device for mid, device in mids.items() if acked.get(mid)]
    finally:
        client.disconnect()
        client.loop_stop()
