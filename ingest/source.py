"""The MQTT side of a worker: a persistent MQTT 5 session, messages into a queue, acks out.

paho-mqtt's network thread only enqueues; the writer thread takes batches and acknowledges
each QoS 1 message after its batch committed (manual ack). The broker sends at most
`receive_maximum` unacknowledged messages, so a slow database pushes back on the broker
instead of filling our memory. Acks for messages received before a reconnect are not sent:
the broker redelivers those, and the idempotent write makes the second copy a no-op.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

import msgspec
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from core.settings import IngestSettings, MqttSettings
from ingest.mqtt_client import BufferedClient

log = logging.getLogger(__name__)

TOPICS = ("waybill/v1/devices/+/telemetry", "waybill/v1/devices/+/status", "owntracks/+/+")


class Incoming(msgspec.Struct, frozen=True):
    # Built on paho's network thread for every message: a Struct is the cheapest to build.
    topic: str
    payload: bytes
    mid: int
    qos: int
    generation: int
    received: float  # time.time() when the network thread got it


class MqttSource:
    def __init__(
        self,
        mqtt_settings: MqttSettings,
        ingest: IngestSettings,
        client_id: str,
        on_subscribed: Callable[[], object] | None = None,
    ):
        self.queue: queue.Queue[Incoming] = queue.Queue()
        self.connected = threading.Event()
        self._generation = 0
        self._settings = mqtt_settings
        self._share_group = ingest.share_group
        self._on_subscribed = on_subscribed
        client = BufferedClient(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if mqtt_settings.username:
            client.username_pw_set(mqtt_settings.username, mqtt_settings.password)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish_fields = self._on_fields
        client.on_subscribe = self._on_subscribe
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.max_inflight_messages_set(ingest.receive_maximum)
        self._connect_properties = Properties(PacketTypes.CONNECT)
        self._connect_properties.SessionExpiryInterval = mqtt_settings.session_expiry_s
        self._connect_properties.ReceiveMaximum = ingest.receive_maximum
        self.client = client

    def start(self) -> None:
        self.client.connect_async(
            self._settings.host,
            self._settings.port,
            keepalive=self._settings.keepalive_s,
            clean_start=False,
            properties=self._connect_properties,
        )
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            log.error("broker refused the connection: %s", reason_code)
            return
        self._generation += 1
        log.info(
            "connected to %s:%s (session present: %s)",
            self._settings.host, self._settings.port, flags.session_present,
        )  # fmt: skip
        options = SubscribeOptions(qos=1)
        client.subscribe([(f"$share/{self._share_group}/{topic}", options) for topic in TOPICS])
        self.connected.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:  # type: ignore[no-untyped-def]
        failed = [code for code in reason_codes if code.is_failure]
        if failed:
            log.error("subscription refused: %s", failed)
        else:
            log.info("subscribed to %s in group %s", ", ".join(TOPICS), self._share_group)
            if self._on_subscribed is not None:
                self._on_subscribed()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        self.connected.clear()
        log.warning("disconnected from the broker: %s", reason_code)

    def _on_message(self, client, userdata, msg) -> None:  # type: ignore[no-untyped-def]
        self.queue.put(
            Incoming(msg.topic, msg.payload, msg.mid, msg.qos, self._generation, time.time())
        )

    def _on_fields(self, topic: str, payload: bytes, mid: int) -> None:
        """The fast path's QoS 1 PUBLISH (ingest/mqtt_client.py)."""
        self.queue.put(Incoming(topic, payload, mid, 1, self._generation, time.time()))

    def take(self, max_items: int, max_wait_s: float) -> list[Incoming]:
        """Up to max_items messages; waits at most max_wait_s after the first one."""
        try:
            first = self.queue.get(timeout=max_wait_s)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + max_wait_s
        while len(batch) < max_items:
            remaining = deadline - time.monotonic()
            try:
                batch.append(
                    self.queue.get_nowait() if remaining <= 0 else self.queue.get(timeout=remaining)
                )
            except queue.Empty:
                break
        return batch

    def ack(self, batch: list[Incoming]) -> int:
        """Acknowledge the batch's QoS 1 messages of the current connection; returns how many."""
        generation = self._generation
        mids = [item.mid for item in batch if item.qos == 1 and item.generation == generation]
        self.client.ack_many(mids)
        return len(mids)
