"""A plain MQTT 5 publisher for tests: QoS 1, waits until the broker acknowledged."""

from __future__ import annotations

import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.settings import Settings


class Publisher:
    def __init__(
        self, settings: Settings, username: str | None = None, password: str | None = None
    ):
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"test-pub-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv5,
        )
        if username:
            self.client.username_pw_set(username, password)
        self.client.connect(settings.mqtt.host, settings.mqtt.port, keepalive=30)
        self.client.loop_start()

    def publish(self, topic: str, payload: bytes, qos: int = 1, timeout_s: float = 10.0) -> None:
        info = self.client.publish(topic, payload, qos=qos)
        info.wait_for_publish(timeout_s)
        if not info.is_published():
            raise AssertionError(f"broker did not acknowledge the publish on {topic}")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
