"""The webhook outbox tables: what to tell the mall, and every attempt to tell it.

Owns writing a delivery in the caller's transaction (the one that changed the shipment's
status, so a committed change always has its webhook and a rolled-back one never does),
claiming the next due delivery, and recording attempts. Takes a connection, never commits;
knows nothing of HTTP (that is `orders.webhooks`).

Ordering per order: each delivery carries the order's next sequence number, handed out
under the order's row lock, so numbers follow commit order. A delivery is due only when
no lower-numbered delivery of its order is still undelivered.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from orders.models import json_default


@dataclass(frozen=True, slots=True)
class Delivery:
    pk: int
    delivery_id: uuid.UUID
    order_pk: int
    seq: int
    event: str
    body: bytes  # the exact bytes sent and signed, the same on every attempt
    attempts: int  # made before this one


def enqueue(
    conn: psycopg.Connection, order_pk: int, seq: int, event: str, payload: dict[str, Any]
) -> uuid.UUID:
    """Write a delivery in the caller's transaction; its body is frozen now."""
    delivery_id = uuid.uuid4()
    document = {"delivery_id": str(delivery_id), "event": event, "sequence": seq} | payload
    body = json.dumps(
        document, separators=(",", ":"), sort_keys=True, default=json_default
    ).encode()
    conn.execute(
        """INSERT INTO webhook_outbox (delivery_id, order_pk, seq, event, body)
           VALUES (%s, %s, %s, %s, %s)""",
        (delivery_id, order_pk, seq, event, body),
    )
    return delivery_id


def claim_due(conn: psycopg.Connection) -> Delivery | None:
    """Lock the next due delivery until the transaction ends; other senders skip it."""
    row = conn.execute(
        """SELECT w.pk, w.delivery_id, w.order_pk, w.seq, w.event, w.body, w.attempts
           FROM webhook_outbox w
           WHERE w.delivered_at IS NULL AND w.next_attempt_at <= now()
             AND NOT EXISTS (
               SELECT 1 FROM webhook_outbox e
               WHERE e.order_pk = w.order_pk AND e.seq < w.seq AND e.delivered_at IS NULL)
           ORDER BY w.next_attempt_at, w.pk
           LIMIT 1
           FOR UPDATE OF w SKIP LOCKED"""
    ).fetchone()
    if row is None:
        return None
    pk, delivery_id, order_pk, seq, event, body, attempts = row
    return Delivery(pk, delivery_id, order_pk, seq, event, bytes(body), attempts)


def record_attempt(
    conn: psycopg.Connection,
    delivery: Delivery,
    *,
    attempted_at: datetime,
    duration_ms: int,
    status_code: int | None,
    error: str | None,
    next_attempt_at: datetime | None,
) -> None:
    """Log one attempt; `next_attempt_at` None means it succeeded."""
    attempt = delivery.attempts + 1
    conn.execute(
        """INSERT INTO webhook_attempts (delivery_pk, attempt, attempted_at, status_code, error,
               duration_ms)
           VALUES (%s, %s, %s, %s, %s, %s)""",
        (delivery.pk, attempt, attempted_at, status_code, error, duration_ms),
    )
    conn.execute(
        """UPDATE webhook_outbox SET attempts = %s, last_error = %s,
               delivered_at = CASE WHEN %s::timestamptz IS NULL THEN %s END,
               next_attempt_at = coalesce(%s, next_attempt_at)
           WHERE pk = %s""",
        (attempt, error, next_attempt_at, attempted_at, next_attempt_at, delivery.pk),
    )


def pending(conn: psycopg.Connection) -> tuple[int, datetime | None]:
    """How many deliveries are not yet delivered, and the oldest one's creation time."""
    row = conn.execute(
        "SELECT count(*), min(created_at) FROM webhook_outbox WHERE delivered_at IS NULL"
    ).fetchone()
    assert row is not None
    return int(row[0]), row[1]
