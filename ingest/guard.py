"""The restart guard: no message lost while the broker restarts.

Mosquitto 2.0 keeps a persistent session's plain subscriptions across a restart, but not
its shared ones (`$share/...`): until the workers reconnect and subscribe again, messages
that devices publish reach no one. So before `waybill broker stop` ends the broker it
arms a guard, a persistent session of the ingest account with plain subscriptions to the
telemetry topics, which then collects everything from the restart until the workers are
back. After every (re)connect a worker drains the guard, if one is armed: it takes what
the guard holds, writes it through the same idempotent pipeline (copies of what the
shared subscription also delivered change nothing), acknowledges it, and ends the guard's
session. While no broker restart is under way there is no guard and it costs nothing.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from core.db import connect
from core.settings import MqttSettings, Settings
from devices import service as devices
from ingest import pipeline, service

log = logging.getLogger(__name__)

GUARD_CLIENT_ID = "waybill-ingest-guard"
TOPICS = ("waybill/v1/devices/+/telemetry", "waybill/v1/devices/+/status", "owntracks/+/+")


def _client(settings: MqttSettings, client_id: str) -> mqtt.Client:
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True
    )
    if settings.username:
        client.username_pw_set(settings.username, settings.password)
    return client


def _expiry(seconds: int, packet: int = PacketTypes.CONNECT) -> Properties:
    properties = Properties(packet)
    properties.SessionExpiryInterval = seconds
    return properties


def arm(settings: MqttSettings, timeout_s: float = 10.0) -> None:
    """Leave a persistent guard session with plain subscriptions behind on the broker."""
    client = _client(settings, GUARD_CLIENT_ID)
    subscribed = threading.Event()
    client.on_connect = lambda c, *_: c.subscribe([(topic, 1) for topic in TOPICS])
    client.on_subscribe = lambda *_: subscribed.set()
    # clean_start must be off: Mosquitto 2.0 persists only sessions that did not ask for a
    # clean start, whatever their session expiry.
    client.connect(
        settings.host, settings.port, keepalive=30, clean_start=False,
        properties=_expiry(settings.session_expiry_s),
    )  # fmt: skip
    client.loop_start()
    try:
        if not subscribed.wait(timeout_s):
            raise TimeoutError("the broker did not confirm the restart guard's subscriptions")
    finally:
        client.disconnect()
        client.loop_stop()


def drain(settings: Settings, idle_s: float = 1.0, timeout_s: float = 10.0) -> int | None:
    """Store what an armed guard holds and end its session; None when no guard was armed.

    Works in rounds (the broker sends at most Receive Maximum unacknowledged messages at a
    time) until a round brings nothing; only then is the guard's session ended. On any
    failure the session is left as it is, with its messages, for the next attempt.
    """
    client = _client(settings.mqtt, GUARD_CLIENT_ID)
    connected = threading.Event()
    present: list[bool] = []
    inbox: list[mqtt.MQTTMessage] = []
    lock = threading.Lock()
    last = [time.monotonic()]

    def on_connect(c, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        present.append(bool(flags.session_present) and not reason_code.is_failure)
        connected.set()

    def on_message(c, userdata, message) -> None:  # type: ignore[no-untyped-def]
        with lock:
            inbox.append(message)
            last[0] = time.monotonic()

    client.on_connect = on_connect
    client.on_message = on_message
    client.connect(
        settings.mqtt.host, settings.mqtt.port, keepalive=30, clean_start=False,
        properties=_expiry(settings.mqtt.session_expiry_s),
    )  # fmt: skip
    client.loop_start()
    finished = False
    try:
        if not connected.wait(timeout_s):
            raise TimeoutError("no answer from the broker for the restart guard")
        if not present[0]:
            finished = True  # nothing was armed; end the empty session just created
            log.info("no restart guard armed")
            return None
        # Stop new copies first; what the session already queued is still delivered.
        client.unsubscribe(list(TOPICS))
        total = 0
        while True:
            while time.monotonic() - last[0] < idle_s:
                time.sleep(0.05)
            with lock:
                messages, inbox[:] = list(inbox), []
            if not messages:
                break
            _store(settings, messages)
            for message in messages:
                client.ack(message.mid, message.qos)
            total += len(messages)
            last[0] = time.monotonic()
        finished = True
        log.info("restart guard drained: %d messages", total)
        return total
    finally:
        # Session expiry 0 on DISCONNECT ends the guard's session on the broker.
        client.disconnect(properties=_expiry(0, PacketTypes.DISCONNECT) if finished else None)
        client.loop_stop()


def _store(settings: Settings, messages: list[mqtt.MQTTMessage]) -> None:
    now = datetime.now(UTC)
    batch = [pipeline.Message(m.topic, m.payload, now) for m in messages]
    with connect(settings.db.url) as conn:
        known = devices.lookup(conn, list(pipeline.device_ids(batch)))
        prepared = service.prepare(batch, known.get, service.Rules.from_settings(settings))
        with conn.transaction():
            service.write(conn, prepared)


def drain_in_background(settings: Settings) -> threading.Thread:
    def run() -> None:
        try:
            drain(settings)
        except Exception:  # the next reconnect tries again; the guard keeps its messages
            log.exception("draining the restart guard failed")

    thread = threading.Thread(target=run, name=f"guard-{uuid.uuid4().hex[:6]}", daemon=True)
    thread.start()
    return thread
