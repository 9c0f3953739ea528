"""Per-device broker credentials enforced by the real Mosquitto (dynamic security)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import psycopg
import pytest

from core.settings import Settings
from devices import broker
from devices import service as devices
from tests.conftest import wait_for
from tests.support.data import position_count, provision
from tests.support.mqtt import ConnectRefused, Publisher

NOT_AUTHORISED = 0x87


def _fix(lat: float) -> bytes:
    return orjson.dumps({"ts": datetime.now(UTC).isoformat(), "lat": lat, "lon": 120.2})


def test_anonymous_and_wrong_passwords_are_refused(mqtt_broker: Settings, uid: str) -> None:
    """Anonymous access is off, and a device's id with a wrong password cannot connect."""
    provision(mqtt_broker, f"acl-{uid}")
    with pytest.raises(ConnectRefused):
        Publisher(mqtt_broker)
    with pytest.raises(ConnectRefused):
        Publisher(mqtt_broker, f"acl-{uid}", "not-the-password")


def test_a_device_cannot_publish_as_another(
    mqtt_broker: Settings, database: str, uid: str, start_worker
) -> None:  # type: ignore[no-untyped-def]
    """Device A's publish on device B's topics is refused; B's own publish is stored."""
    a, b = f"a-{uid}", f"b-{uid}"
    pass_a, pass_b = provision(mqtt_broker, a), provision(mqtt_broker, b)
    start_worker()
    with Publisher(mqtt_broker, a, pass_a) as as_a, Publisher(mqtt_broker, b, pass_b) as as_b:
        for topic in (
            f"waybill/v1/devices/{b}/telemetry",
            f"owntracks/{b}/phone",
            f"waybill/v1/devices/{b}/route",
            f"waybill/v1/devices/{a}/route",
        ):
            assert as_a.try_publish(topic, _fix(30.1)).value == NOT_AUTHORISED, topic
        as_b.publish(f"waybill/v1/devices/{b}/telemetry", _fix(30.2))  # the marker
        wait_for(lambda: position_count(database, b) == 1, what="b's own fix")
    assert position_count(database, b) == 1
    assert position_count(database, a) == 0


def test_a_device_reads_only_its_own_downlink(mqtt_broker: Settings, uid: str) -> None:
    """Subscribing to another device's route or to telemetry is refused."""
    device = f"dl-{uid}"
    password = provision(mqtt_broker, device)
    with Publisher(mqtt_broker, device, password) as client:
        granted = []

        def on_subscribe(c, userdata, mid, reason_codes, properties) -> None:  # type: ignore[no-untyped-def]
            granted.extend(code.is_failure for code in reason_codes)

        client.client.on_subscribe = on_subscribe
        client.client.subscribe(
            [(f"waybill/v1/devices/{device}/route", 1), ("waybill/v1/devices/other/route", 1),
             ("waybill/v1/devices/+/telemetry", 1)]
        )  # fmt: skip
        wait_for(lambda: len(granted) == 3, what="SUBACK")
    assert granted == [False, True, True]


def test_revoked_device_is_dropped_and_refused(
    mqtt_broker: Settings, database: str, uid: str
) -> None:
    """Revoking disconnects a connected device and refuses its next connection."""
    device = f"rv-{uid}"
    password = provision(mqtt_broker, device)
    client = Publisher(mqtt_broker, device, password)
    with psycopg.connect(database) as conn:
        devices.revoke(conn, broker.control_account(mqtt_broker), device)
    wait_for(client.disconnected.is_set, what="the broker to drop the revoked device")
    client.close()
    with pytest.raises(ConnectRefused):
        Publisher(mqtt_broker, device, password)


def test_rotation_retires_the_old_password(mqtt_broker: Settings, database: str, uid: str) -> None:
    """After rotation the old password is refused and the new one works."""
    device = f"ro-{uid}"
    old = provision(mqtt_broker, device)
    with psycopg.connect(database) as conn:
        new = devices.rotate(conn, broker.control_account(mqtt_broker), device).password
    with pytest.raises(ConnectRefused):
        Publisher(mqtt_broker, device, old)
    with Publisher(mqtt_broker, device, new) as client:
        client.publish(f"waybill/v1/devices/{device}/telemetry", _fix(30.3))
