"""Applying one piece of evidence to one shipment: timeline, status, webhooks, order status.

Owns the write side of the status machine. Runs inside the caller's transaction with the
shipment's order row already locked (`store.lock_order`): the timeline row, the status,
the outbox rows and the order's status then commit together or not at all. Owns no
transaction itself; the use cases in `orders.service` and `orders.packing` do.
"""

from __future__ import annotations

from typing import Any

import psycopg

from orders import outbox, status, store
from orders.models import Evidence, Recorded, Scope, Shipment

EVERYONE = Scope("everyone")


def apply(conn: psycopg.Connection, shipment: Shipment, evidence: Evidence) -> Recorded:
    """Record `evidence` for `shipment` (order locked); idempotent on the evidence id."""
    if store.has_event(conn, shipment.pk, evidence.kind, evidence.evidence_id):
        return Recorded(shipment, "duplicate")
    moves = status.decide(
        shipment.status,
        shipment.status_since,
        evidence.status,
        evidence.kind,
        evidence.occurred_at,
    )
    store.insert_event(conn, shipment.pk, evidence, shipment.status, moves)
    if not moves:
        return Recorded(shipment, "late")
    on_the_way = evidence.status in status.ON_THE_WAY
    store.set_status(conn, shipment.pk, evidence.status, evidence.occurred_at, on_the_way)
    for event in status.webhook_events(evidence.status, shipment.shipped_at is not None):
        seq = store.next_webhook_seq(conn, shipment.order_pk)
        outbox.enqueue(conn, shipment.order_pk, seq, event, _payload(shipment, evidence))
    store.refresh_order_status(conn, shipment.order_pk)
    changed = store.get_shipment(conn, shipment.shipment_id, EVERYONE)
    assert changed is not None
    return Recorded(changed, "applied")


def _payload(shipment: Shipment, evidence: Evidence) -> dict[str, Any]:
    return {
        "mall_order_id": shipment.mall_order_id,
        "shipment_id": shipment.shipment_id,
        "status": evidence.status.value,
        "occurred_at": evidence.occurred_at.isoformat(),
        "evidence": {
            "kind": evidence.kind.value,
            "id": evidence.evidence_id,
            "source": evidence.source,
            "detail": dict(evidence.detail),
        },
    }
