"""Commands to Mosquitto's dynamic-security plugin over `$CONTROL/dynamic-security/v1`.

One short MQTT 5 connection per call, as the broker's control account: provisioning is
rare, and a fresh connection has no state to go wrong. Errors come back per command.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from core.errors import BrokerUnavailable

CONTROL_TOPIC = "$CONTROL/dynamic-security/v1"
RESPONSE_TOPIC = CONTROL_TOPIC + "/response"


class BrokerCommandError(RuntimeError):
    """The broker answered a command with an error: a bug on our side, not bad input."""

    def __init__(self, command: str, error: str) -> None:
        super().__init__(f"broker refused {command}: {error}")
        self.command = command
        self.error = error


@dataclass(frozen=True, slots=True)
class ControlAccount:
    host: str
    port: int
    username: str
    password: str


def execute(
    account: ControlAccount,
    commands: list[dict[str, Any]],
    *,
    tolerate: tuple[str, ...] = (),
    timeout_s: float = 10.0,
) -> list[dict[str, Any]]:
    """Run the commands in order; raise on the first error not in `tolerate`."""
    if not commands:
        return []
    tagged = [cmd | {"correlationData": uuid.uuid4().hex} for cmd in commands]
    pending = {cmd["correlationData"] for cmd in tagged}
    responses: dict[str, dict[str, Any]] = {}
    subscribed = threading.Event()
    done = threading.Event()
    failure: list[str] = []

    def on_connect(client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            failure.append(f"connect refused: {reason_code}")
            done.set()
            return
        client.subscribe(RESPONSE_TOPIC, qos=1)

    def on_subscribe(client, userdata, mid, reason_codes, properties) -> None:  # type: ignore[no-untyped-def]
        if any(code.is_failure for code in reason_codes):
            failure.append("may not read control responses")
            done.set()
        subscribed.set()

    def on_message(client, userdata, message) -> None:  # type: ignore[no-untyped-def]
        for response in orjson.loads(message.payload).get("responses", []):
            key = response.get("correlationData")
            if key in pending:
                responses[key] = response
        if pending <= responses.keys():
            done.set()

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"waybill-control-{uuid.uuid4().hex[:8]}",
        protocol=mqtt.MQTTv5,
    )
    client.username_pw_set(account.username, account.password)
    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    try:
        client.connect(account.host, account.port, keepalive=30)
    except OSError as exc:
        raise BrokerUnavailable(f"broker unreachable: {exc}", code="broker_unavailable") from exc
    client.loop_start()
    try:
        if not subscribed.wait(timeout_s) or failure:
            raise BrokerUnavailable(
                f"broker control: {failure[0] if failure else 'no answer in time'}"
            )
        client.publish(CONTROL_TOPIC, orjson.dumps({"commands": tagged}), qos=1)
        if not done.wait(timeout_s) or failure:
            raise BrokerUnavailable(
                f"broker control: {failure[0] if failure else 'no answer in time'}"
            )
    finally:
        client.disconnect()
        client.loop_stop()
    ordered = [responses[cmd["correlationData"]] for cmd in tagged]
    for response in ordered:
        error = response.get("error")
        if error and not any(t in error for t in tolerate):
            raise BrokerCommandError(response.get("command", "?"), error)
    return ordered


def acl(acltype: str, topic: str, allow: bool = True) -> dict[str, Any]:
    return {"acltype": acltype, "topic": topic, "allow": allow}


def device_role(device_id: str) -> str:
    return f"device:{device_id}"


def device_acls(device_id: str) -> list[dict[str, Any]]:
    """What one device may do: publish under its own topics, read only its own downlink."""
    own = f"waybill/v1/devices/{device_id}"
    return [
        acl("publishClientSend", f"{own}/telemetry"),
        acl("publishClientSend", f"{own}/status"),
        acl("publishClientSend", f"owntracks/{device_id}/+"),
        acl("subscribeLiteral", f"{own}/route"),
        acl("publishClientReceive", f"{own}/route"),
    ]


def provision_commands(device_id: str, password: str) -> list[dict[str, Any]]:
    role = device_role(device_id)
    return [
        {"command": "createRole", "rolename": role, "acls": device_acls(device_id)},
        {
            "command": "createClient",
            "username": device_id,
            "password": password,
            "roles": [{"rolename": role}],
        },
    ]
