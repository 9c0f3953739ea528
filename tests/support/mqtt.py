"""A plain MQTT 5 client for tests: QoS 1 publishes that wait for the broker's verdict."""

from __future__ import annotations

import threading
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from core.settings import Settings


class ConnectRefused(AssertionError):
    pass


class Publisher:
    def __init__(
        self,
        settings: Settings,
        username: str | None = None,
        password: str | None = None,
        client_id: str | None = None,
        tls_ca: str | None = None,
        connack_timeout_s: float = 10.0,
    ):
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"test-pub-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv5,
        )
        if tls_ca:
            self.client.tls_set(ca_certs=tls_ca)
        self._acks: dict[int, ReasonCode] = {}
        self._acked = threading.Condition()
        self._connected = threading.Event()
        self.connect_result: ReasonCode | None = None
        self.disconnected = threading.Event()
        if username:
            self.client.username_pw_set(username, password)
        self.client.on_publish = self._on_publish
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.connect(settings.mqtt.host, settings.mqtt.port, keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(connack_timeout_s):
            self.close()
            raise ConnectRefused(f"no CONNACK in {connack_timeout_s} s")
        if self.connect_result is not None and self.connect_result.is_failure:
            self.close()
            raise ConnectRefused(f"connection refused: {self.connect_result}")

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        self.connect_result = reason_code
        self._connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        self.disconnected.set()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        with self._acked:
            self._acks[mid] = reason_code
            self._acked.notify_all()

    def try_publish(
        self, topic: str, payload: bytes, qos: int = 1, timeout_s: float = 10.0
    ) -> ReasonCode:
        """The broker's reason code for a QoS 1 publish (0x87 when not authorised)."""
        info = self.client.publish(topic, payload, qos=qos)
        with self._acked:
            if not self._acked.wait_for(lambda: info.mid in self._acks, timeout_s):
                raise AssertionError(f"no PUBACK for the publish on {topic}")
            return self._acks.pop(info.mid)

    def publish(self, topic: str, payload: bytes, qos: int = 1, timeout_s: float = 10.0) -> None:
        code = self.try_publish(topic, payload, qos, timeout_s)
        if code.is_failure:
            raise AssertionError(f"broker refused the publish on {topic}: {code}")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
