"""The one handler every way in shares: MQTT batches, HTTP requests and dead-letter replays.

    prepare (pipeline per message, pure) -> write (one transaction, idempotent)

The caller resolves devices and owns the transaction; nothing here talks to a broker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg

from core.settings import Settings
from devices.models import Device
from ingest import metrics, pipeline, store
from ingest.records import Reason
from ingest.validate import Limits
from tracking import queue as tracking_queue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rules:
    limits: Limits
    max_payload_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        return cls(
            Limits(
                max_future=timedelta(seconds=settings.ingest.max_future_s),
                max_age=timedelta(days=settings.telemetry.retention_days),
            ),
            settings.ingest.max_payload_bytes,
        )


@dataclass(slots=True)
class Prepared:
    batch: store.Batch = field(default_factory=store.Batch)
    outcomes: list[pipeline.Outcome] = field(default_factory=list)
    ignored: int = 0


def prepare(
    messages: list[pipeline.Message], lookup: Callable[[str], Device | None], rules: Rules
) -> Prepared:
    """Run every message through the pipeline; gather what one transaction will write."""
    prepared = Prepared()
    batch = prepared.batch
    for message in messages:
        outcome = pipeline.process(message, lookup, rules.limits, rules.max_payload_bytes)
        prepared.outcomes.append(outcome)
        if outcome.device is not None:
            pk, received = outcome.device.pk, message.received_at
            batch.positions.extend((pk, received, fix) for fix in outcome.positions)
            batch.tag_reads.extend((pk, received, read) for read in outcome.tag_reads)
            batch.device_events.extend((pk, received, e) for e in outcome.device_events)
        prepared.ignored += len(outcome.ignored)
        if outcome.dead_letter is not None:
            batch.dead_letters.append(outcome.dead_letter)
    return prepared


# Errors the database raises for what a message carries (a NUL in a JSON string, a value
# out of a column's range); a lost connection is not one of them and is retried instead.
DATA_ERRORS = (psycopg.DataError, psycopg.IntegrityError)


def write_isolating(
    conn: psycopg.Connection,
    messages: list[pipeline.Message],
    prepared: Prepared,
    lookup: Callable[[str], Device | None],
    rules: Rules,
) -> store.Written:
    """Write a batch in one transaction; if the database refuses something in it, write
    message by message so that only the offending message becomes a dead letter
    (`internal_error`) and no worker loops on a batch it can never commit."""
    try:
        with conn.transaction():
            return write(conn, prepared)
    except DATA_ERRORS as exc:
        log.error("the database refused a batch (%s); isolating the message", exc)
    totals = [0, 0, 0, 0, 0]
    for message in messages:
        one = prepare([message], lookup, rules)
        try:
            with conn.transaction():
                written = write(conn, one)
        except DATA_ERRORS as exc:
            letter = pipeline.DeadLetter(
                message.topic, one.outcomes[0].device.device_id if one.outcomes[0].device
                else None, Reason.INTERNAL_ERROR, f"database refused it: {exc}"[:2000],
                message.payload, message.received_at,
            )  # fmt: skip
            with conn.transaction():
                written = write(conn, Prepared(store.Batch(dead_letters=[letter])))
        for index, value in enumerate(
            (written.positions_inserted, written.positions_duplicate,
             written.tag_reads_inserted, written.tag_reads_duplicate,
             written.dead_letters_inserted)
        ):  # fmt: skip
            totals[index] += value
    return store.Written(*totals)


def write(conn: psycopg.Connection, prepared: Prepared) -> store.Written:
    """Write inside the caller's transaction and count the outcomes."""
    written = store.write_batch(conn, prepared.batch)
    tracking_queue.mark_positions(conn, prepared.batch.positions)  # projected by `track run`
    metrics.RECORDS.labels("stored").inc(written.positions_inserted + written.tag_reads_inserted)
    metrics.RECORDS.labels("duplicate").inc(
        written.positions_duplicate + written.tag_reads_duplicate
    )
    metrics.RECORDS.labels("ignored").inc(prepared.ignored)
    for letter in prepared.batch.dead_letters:
        metrics.DEAD_LETTERS.labels(letter.reason.value).inc()
    return written
