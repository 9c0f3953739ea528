"""The per-message stages, listed once and in order:

    check_size -> route_topic -> resolve_device -> decode -> validate

Pure: the device lookup and the clock come in as arguments. Every message ends as
accepted records, an Ignored note, or a dead letter with a named reason; an exception
from a decoder that is not `Rejected` is a bug, kept as `internal_error` and logged.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import msgspec

from devices.models import Device
from ingest.formats import FORMATS, status
from ingest.records import DeviceEvent, Ignored, Position, Reason, Record, Rejected, TagRead
from ingest.validate import Limits, validate

log = logging.getLogger(__name__)

# The status topic (last will, online) has its own small format, whatever the device speaks.
STATUS = "status"
TELEMETRY_PREFIX = "waybill/v1/devices/"
OWNTRACKS_PREFIX = "owntracks/"
OSMAND_PREFIX = "osmand/"  # not an MQTT topic: what the HTTP ingest endpoint passes


class Message(msgspec.Struct, frozen=True):
    topic: str
    payload: bytes
    received_at: datetime


@dataclass(frozen=True, slots=True)
class DeadLetter:
    topic: str
    device_id: str | None
    reason: Reason
    detail: str
    payload: bytes
    received_at: datetime

    @property
    def fingerprint(self) -> bytes:
        """The same bytes on the same topic are the same dead letter, however often sent."""
        return hashlib.sha256(self.topic.encode() + b"\0" + self.payload).digest()


class Outcome(msgspec.Struct):
    # A Struct like the records: one per message, built in about half the time of a dataclass.
    device: Device | None = None
    positions: list[Position] = []
    tag_reads: list[TagRead] = []
    device_events: list[DeviceEvent] = []
    ignored: list[str] = []
    dead_letter: DeadLetter | None = None


class Route(msgspec.Struct, frozen=True):
    device_id: str
    format: str | None  # None: the device's registered format


@functools.lru_cache(maxsize=16384)  # a fleet's topics repeat; a Route never changes
def route_topic(topic: str) -> Route:
    if topic.startswith(TELEMETRY_PREFIX):
        parts = topic[len(TELEMETRY_PREFIX) :].split("/")
        if len(parts) == 2 and parts[0] and parts[1] == "telemetry":
            return Route(parts[0], None)
        if len(parts) == 2 and parts[0] and parts[1] == "status":
            return Route(parts[0], STATUS)
    elif topic.startswith(OWNTRACKS_PREFIX):
        parts = topic[len(OWNTRACKS_PREFIX) :].split("/")
        if len(parts) == 2 and all(parts):
            return Route(parts[0], "owntracks")
    elif topic.startswith(OSMAND_PREFIX) and "/" not in topic[len(OSMAND_PREFIX) :]:
        return Route(topic[len(OSMAND_PREFIX) :], "osmand")
    raise Rejected(Reason.UNKNOWN_TOPIC, topic[:200])


def device_ids(messages: list[Message]) -> set[str]:
    """The device ids the batch names, so the caller can look them up in one query."""
    ids = set()
    for message in messages:
        with contextlib.suppress(Rejected):
            ids.add(route_topic(message.topic).device_id)
    return ids


def decode_records(
    format_name: str, payload: bytes, topic: str, received_at: datetime
) -> list[Record]:
    """Run one decoder; whatever it does, the answer is records or a Rejected."""
    decoder = status.decode if format_name == STATUS else FORMATS.get(format_name)
    if decoder is None:
        return [Rejected(Reason.UNKNOWN_FORMAT, format_name)]
    try:
        return decoder(payload, topic, received_at)
    except Rejected as exc:
        return [exc]
    except Exception as exc:  # a decoder bug must not kill a worker or lose the message
        log.error("decoder %s failed on %s:\n%s", format_name, topic, traceback.format_exc())
        return [Rejected(Reason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"[:500])]


def process(
    message: Message,
    lookup: Callable[[str], Device | None],
    limits: Limits,
    max_payload_bytes: int,
) -> Outcome:
    outcome = Outcome()
    device_id: str | None = None

    def dead(reason: Reason, detail: str) -> Outcome:
        outcome.dead_letter = DeadLetter(
            message.topic, device_id, reason, detail, message.payload, message.received_at
        )
        return outcome

    if len(message.payload) > max_payload_bytes:
        return dead(Reason.PAYLOAD_TOO_LARGE, f"{len(message.payload)} bytes > {max_payload_bytes}")
    try:
        route = route_topic(message.topic)
    except Rejected as exc:
        return dead(exc.reason, exc.detail)
    device_id = route.device_id
    device = lookup(device_id)
    if device is None:
        return dead(Reason.UNKNOWN_DEVICE, f"no device {device_id!r} is registered")
    if not device.active:
        return dead(Reason.DEVICE_RETIRED, f"device {device_id!r} is retired")
    outcome.device = device

    records = decode_records(
        route.format or device.format, message.payload, message.topic, message.received_at
    )
    rejections: list[Rejected] = []
    for record in validate(records, message.received_at, limits):
        if isinstance(record, Position):
            outcome.positions.append(record)
        elif isinstance(record, TagRead):
            outcome.tag_reads.append(record)
        elif isinstance(record, DeviceEvent):
            outcome.device_events.append(record)
        elif isinstance(record, Ignored):
            outcome.ignored.append(record.reason)
        else:
            rejections.append(record)
    if rejections:
        first = rejections[0]
        detail = "; ".join(r.detail or str(r.reason) for r in rejections[:20])
        if len(rejections) > 1:
            detail = f"{len(rejections)} of {len(records)} records rejected: {detail}"
        dead(first.reason, detail[:2000])
    return outcome
