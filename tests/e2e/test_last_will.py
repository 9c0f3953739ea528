"""A device's last will: the broker publishes `offline` when the device vanishes, the
ingest worker stores it and the vehicle's link status follows; `online` brings it back."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

from core.settings import Settings
from tests.conftest import wait_for
from tests.support.data import position_count, provision
from tracking import projector

LINK = """SELECT v.link_status FROM vehicle_state v JOIN devices d ON d.pk = v.device_pk
          WHERE d.device_id = %s"""
EVENTS = """SELECT e.detail->>'status' FROM device_events e JOIN devices d ON d.pk = e.device_pk
            WHERE d.device_id = %s AND e.kind = 'link' ORDER BY e.event_time"""


def connect(settings: Settings, device: str, password: str) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=device, protocol=mqtt.MQTTv5)
    client.username_pw_set(device, password)
    client.will_set(f"waybill/v1/devices/{device}/status", b"offline", qos=1, retain=True)
    client.connect(settings.mqtt.host, settings.mqtt.port, keepalive=30)
    client.loop_start()
    return client


def link(url: str, device: str) -> str | None:
    with psycopg.connect(url) as conn:
        row = conn.execute(LINK, (device,)).fetchone()
    return row[0] if row else None


def test_a_vanished_device_goes_offline_by_its_last_will(
    mqtt_broker: Settings, database: str, uid: str, start_worker
) -> None:  # type: ignore[no-untyped-def]
    device = f"will-{uid}"
    password = provision(mqtt_broker, device)
    start_worker()
    client = connect(mqtt_broker, device, password)
    fix = {"ts": datetime.now(UTC).isoformat(), "lat": 30.26, "lon": 120.2}
    client.publish(f"waybill/v1/devices/{device}/status", b"online", qos=1).wait_for_publish(5)
    client.publish(f"waybill/v1/devices/{device}/telemetry", orjson.dumps(fix), qos=1)
    wait_for(lambda: position_count(database, device) == 1, what="the fix stored")
    with psycopg.connect(database) as conn:
        projector.run_once(conn, projector.Params())
    wait_for(lambda: link(database, device) == "online", what="link online")

    client.socket().close()  # the van drives into a tunnel: no DISCONNECT, the will fires
    client.loop_stop()
    wait_for(lambda: link(database, device) == "offline", what="link offline by the will")

    again = connect(mqtt_broker, device, password)
    again.publish(f"waybill/v1/devices/{device}/status", b"online", qos=1).wait_for_publish(5)
    wait_for(lambda: link(database, device) == "online", what="back online")
    again.disconnect()  # a clean goodbye does not fire the will
    again.loop_stop()
    with psycopg.connect(database) as conn:
        assert [r[0] for r in conn.execute(EVENTS, (device,))] == ["online", "offline", "online"]
