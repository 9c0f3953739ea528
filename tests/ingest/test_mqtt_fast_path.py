"""The worker's MQTT client takes the common PUBLISH past paho's decoding, and leaves every
other packet to paho: the same topic, payload and packet id either way."""

from __future__ import annotations

import struct

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from ingest.mqtt_client import BufferedClient

TOPIC = "waybill/v1/devices/van-7/telemetry"
PAYLOAD = b'{"ts": "2026-11-25T08:00:00Z", "lat": 30.26, "lon": 120.2}'


def publish(flags: int, properties: bytes = b"\x00", topic: bytes = TOPIC.encode()) -> dict:
    qos = (flags >> 1) & 3
    mid = struct.pack("!H", 513) if qos else b""
    body = struct.pack("!H", len(topic)) + topic + mid + properties + PAYLOAD
    return {"command": 0x30 | flags, "packet": body}


@pytest.fixture
def client() -> tuple[BufferedClient, list, list]:
    c = BufferedClient(
        CallbackAPIVersion.VERSION2, client_id="t", protocol=mqtt.MQTTv5, manual_ack=True
    )
    fast: list = []
    stock: list = []
    c.on_publish_fields = lambda topic, payload, mid: fast.append((topic, payload, mid))
    c.on_message = lambda _c, _u, m: stock.append((m._topic, m.payload, m.mid, m.properties))
    return c, fast, stock


@pytest.mark.parametrize("flags", [0b0010, 0b1010, 0b0011])  # QoS 1; dup; retain
def test_a_plain_qos1_publish_takes_the_fast_path(client, flags: int) -> None:  # type: ignore[no-untyped-def]
    c, fast, stock = client
    c._in_packet = publish(flags)
    assert c._handle_publish() == mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
    assert fast == [(TOPIC, PAYLOAD, 513)] and stock == []


def test_properties_and_other_qos_go_through_paho(client) -> None:  # type: ignore[no-untyped-def]
    c, fast, stock = client
    c._in_packet = publish(0b0010, properties=b"\x02\x01\x01")  # payload format: UTF-8
    c._handle_publish()
    c._in_packet = publish(0b0000)  # QoS 0
    c._handle_publish()
    c._in_packet = publish(0b0010, topic=b"bad/\xff/topic")
    c._handle_publish()
    assert fast == []
    topic = TOPIC.encode()
    assert [(t, p, m) for t, p, m, _ in stock] == [
        (topic, PAYLOAD, 513), (topic, PAYLOAD, 0), (b"bad/\xff/topic", PAYLOAD, 513)
    ]  # fmt: skip
    assert stock[0][3].PayloadFormatIndicator == 1
