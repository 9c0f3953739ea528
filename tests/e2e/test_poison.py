"""A message the database itself refuses cannot stop ingest or take its batch down."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import psycopg

from core.settings import Settings
from devices.models import DeviceKind
from ingest import pipeline, service
from tests.conftest import wait_for
from tests.support.data import dead_letter_reasons, provision, register
from tests.support.mqtt import Publisher

EPC = "3074257BF7194E4000001A85"


def _reads(epc: str) -> bytes:
    now = datetime.now(UTC).isoformat()
    return orjson.dumps({"reads": [{"epc": epc, "antenna": 1, "ts": now}]})


def _gpi_with_nul() -> bytes:
    # jsonb has no place for U+0000: PostgreSQL refuses the reader event that carries it.
    return orjson.dumps(
        {"component": "RG", "data": {"pin": 1, "state": "HIGH\u0000"}, "eventNum": 7,
         "timestamp": datetime.now(UTC).isoformat(), "type": "gpi"}
    )  # fmt: skip


def _tag_reads(url: str, device_id: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            """SELECT count(*) FROM tag_reads t JOIN devices d ON d.pk = t.device_pk
               WHERE d.device_id = %s""",
            (device_id,),
        ).fetchone()[0]


def test_a_refused_message_is_isolated_from_its_batch(settings: Settings, uid: str) -> None:
    """In one batch, the message the database refuses becomes a dead letter; the rest commit."""
    good, bad = f"zg-{uid}", f"zb-{uid}"
    devices = {
        d.device_id: d
        for d in (
            register(settings.db.url, good, DeviceKind.RFID_READER, "native"),
            register(settings.db.url, bad, DeviceKind.RFID_READER, "zebra"),
        )
    }
    now = datetime.now(UTC)
    messages = [
        pipeline.Message(f"waybill/v1/devices/{good}/telemetry", _reads(EPC), now),
        pipeline.Message(f"waybill/v1/devices/{bad}/telemetry", _gpi_with_nul(), now),
    ]
    rules = service.Rules.from_settings(settings)
    prepared = service.prepare(messages, devices.get, rules)
    with psycopg.connect(settings.db.url) as conn:
        written = service.write_isolating(conn, messages, prepared, devices.get, rules)
    assert (written.tag_reads_inserted, written.dead_letters_inserted) == (1, 1)
    assert _tag_reads(settings.db.url, good) == 1
    assert dead_letter_reasons(settings.db.url, f"%/{bad}/telemetry") == ["internal_error"]


def test_worker_survives_a_message_the_database_refuses(
    mqtt_broker: Settings, database: str, uid: str, start_worker
) -> None:  # type: ignore[no-untyped-def]
    """Over real MQTT the worker keeps running and stores what comes after the bad message."""
    reader = f"zr-{uid}"
    password = provision(mqtt_broker, reader, DeviceKind.RFID_READER, "zebra")
    worker = start_worker()
    topic = f"waybill/v1/devices/{reader}/telemetry"
    tag = {"data": {"idHex": EPC, "antenna": 1, "peakRssi": -50, "reads": 1}, "type": "SIMPLE",
           "timestamp": datetime.now(UTC).isoformat()}  # fmt: skip
    with Publisher(mqtt_broker, reader, password) as device:
        device.publish(topic, _gpi_with_nul())
        device.publish(topic, orjson.dumps(tag))
    wait_for(lambda: _tag_reads(database, reader) == 1, what="the read after the bad event")
    assert dead_letter_reasons(database, f"%/{reader}/telemetry") == ["internal_error"]
    assert worker.process is not None and worker.process.poll() is None
