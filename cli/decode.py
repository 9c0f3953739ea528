"""`waybill decode`: one payload through the worker's decode and validation, no database."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from core.settings import load
from ingest.formats import FORMATS, timeparse
from ingest.pipeline import decode_records
from ingest.records import DeviceEvent, Ignored, Position, Reason, Record, Rejected, TagRead
from ingest.validate import Limits, validate

# `osmand/` names no device, so the OsmAnd decoder skips its payload-id check; pass
# --topic osmand/<id> to see the check the HTTP endpoint gets.
DEFAULT_TOPICS = {"owntracks": "owntracks/cli/device", "osmand": "osmand/"}


def as_json(record: Record) -> dict[str, object]:
    if isinstance(record, Position):
        return {
            "kind": "position",
            "device_time": timeparse.iso_z(record.device_time),
            "lat": record.lat,
            "lon": record.lon,
            "speed_mps": record.speed_mps,
            "heading_deg": record.heading_deg,
            "accuracy_m": record.accuracy_m,
            "altitude_m": record.altitude_m,
        }
    if isinstance(record, TagRead):
        return {
            "kind": "tag_read",
            "read_time": timeparse.iso_z(record.read_time),
            "epc_hex": record.epc_hex,
            "antenna": record.antenna,
            "rssi_dbm": record.rssi_dbm,
            "count": record.count,
        }
    if isinstance(record, DeviceEvent):
        return {
            "kind": "device_event",
            "time": timeparse.iso_z(record.time),
            "event": record.kind,
            "detail": record.detail,
        }
    if isinstance(record, Ignored):
        return {"kind": "ignored", "reason": record.reason}
    return {"kind": "rejected", "reason": record.reason.value, "detail": record.detail}


def decode(
    file: str = typer.Argument(..., help="Payload file, or - for standard input"),
    format: str = typer.Option(..., "--format", help=f"One of: {', '.join(FORMATS)}"),
    topic: str | None = typer.Option(
        None, help="The MQTT topic it arrived on (osmand: osmand/<device id>, as over HTTP)"
    ),
    now: str | None = typer.Option(None, help="Clock for the future-timestamp check (ISO-8601)"),
) -> None:
    """Decode and validate one payload; print one JSON line per record. Exit 2 if rejected."""
    settings = load()
    payload = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    try:
        clock = timeparse.from_iso(now) if now else datetime.now(UTC)
    except Rejected as exc:
        raise typer.BadParameter(exc.detail, param_hint="--now") from exc
    limits = Limits(
        max_future=timedelta(seconds=settings.ingest.max_future_s),
        max_age=timedelta(days=settings.telemetry.retention_days),
    )
    topic = topic or DEFAULT_TOPICS.get(format, "waybill/v1/devices/cli/telemetry")
    if len(payload) > settings.ingest.max_payload_bytes:
        records: list[Record] = [Rejected(Reason.PAYLOAD_TOO_LARGE, f"{len(payload)} bytes")]
    else:
        records = validate(decode_records(format, payload, topic, clock), clock, limits)
    for record in records:
        typer.echo(json.dumps(as_json(record), ensure_ascii=False))
    if any(isinstance(record, Rejected) for record in records):
        raise typer.Exit(2)
