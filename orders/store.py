"""The only module that knows the order, shipment and timeline tables. Never commits.

Every read that returns someone's data takes a `Scope` and applies it in the WHERE clause
of the same query: a row outside the caller's scope is never fetched, so it cannot leak
through a forgotten check afterwards. (Packages and the webhook outbox have their own
modules: `orders.package_store`, `orders.outbox`.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

import psycopg
from psycopg.rows import args_row
from psycopg.types.json import Jsonb

from orders.models import (
    Delivery,
    DeliveryWindow,
    Evidence,
    NewOrder,
    Order,
    OrderItem,
    Point,
    Scope,
    Shipment,
    TimelineEntry,
    json_default,
)
from orders.status import EvidenceKind, ShipmentStatus

_SCOPE_COLUMN = {"buyer": "buyer_id", "shop": "shop_id"}
# Evidence details come from many sources; times and decimals become text, not errors.
_dumps = partial(json.dumps, default=json_default)


def scoped(scope: Scope, alias: str) -> tuple[str, dict[str, Any]]:
    """The WHERE condition that keeps only rows in `scope` (columns of `alias`)."""
    if scope.party == "everyone":
        return "TRUE", {}
    if scope.value is None:
        return "FALSE", {}  # a seller without a shop, a buyer without an id: nothing
    return f"{alias}.{_SCOPE_COLUMN[scope.party]} = %(scope_value)s", {"scope_value": scope.value}


# -- orders ---------------------------------------------------------------------------

_ORDER = """o.pk, o.mall_order_id, o.buyer_id, o.shop_id, o.priority, o.status,
    o.delivery_address, ST_X(o.delivery_geom), ST_Y(o.delivery_geom), o.recipient_name,
    o.recipient_phone, o.created_at, o.updated_at,
    ARRAY(SELECT ARRAY[w.starts_at, w.ends_at] FROM order_delivery_windows w
          WHERE w.order_pk = o.pk ORDER BY w.starts_at)"""


def _order(
    pk: int,
    mall_order_id: str,
    buyer_id: str,
    shop_id: str,
    priority: int,
    status: Any,
    address: str,
    lon: float,
    lat: float,
    recipient_name: str | None,
    recipient_phone: str | None,
    created_at: datetime,
    updated_at: datetime,
    windows: list[list[datetime]],
) -> Order:
    delivery = Delivery(
        address,
        Point(lon, lat),
        tuple(DeliveryWindow(start, end) for start, end in windows),
        recipient_name,
        recipient_phone,
    )
    return Order(
        pk, mall_order_id, buyer_id, shop_id, priority, status, delivery, created_at, updated_at
    )


def insert_order(
    conn: psycopg.Connection, order: NewOrder, fingerprint: bytes, idempotency_key: str | None
) -> int | None:
    """The new order's key, or None when its mall id or idempotency key is taken."""
    d = order.delivery
    row = conn.execute(
        """INSERT INTO orders (mall_order_id, buyer_id, shop_id, priority, delivery_address,
               delivery_geom, recipient_name, recipient_phone, idempotency_key, fingerprint)
           VALUES (%s, %s, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s, %s, %s, %s)
           ON CONFLICT DO NOTHING RETURNING pk""",
        (
            order.mall_order_id,
            order.buyer_id,
            order.shop_id,
            order.priority,
            d.address,
            d.location.lon,
            d.location.lat,
            d.recipient_name,
            d.recipient_phone,
            idempotency_key,
            fingerprint,
        ),
    ).fetchone()
    if row is None:
        return None
    replace_windows(conn, row[0], d.windows)
    return int(row[0])


def intake_match(
    conn: psycopg.Connection, mall_order_id: str, idempotency_key: str | None
) -> list[tuple[str, str | None, bytes]]:
    """(mall order id, idempotency key, fingerprint) of orders holding either identity."""
    return conn.execute(
        """SELECT mall_order_id, idempotency_key, fingerprint FROM orders
           WHERE mall_order_id = %s OR (%s::text IS NOT NULL AND idempotency_key = %s)""",
        (mall_order_id, idempotency_key, idempotency_key),
    ).fetchall()


def replace_windows(
    conn: psycopg.Connection, order_pk: int, windows: Sequence[DeliveryWindow]
) -> None:
    conn.execute("DELETE FROM order_delivery_windows WHERE order_pk = %s", (order_pk,))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO order_delivery_windows (order_pk, starts_at, ends_at) VALUES (%s, %s, %s)",
            [(order_pk, w.starts_at, w.ends_at) for w in windows],
        )


def insert_items(
    conn: psycopg.Connection, order_pk: int, items: Sequence[tuple[OrderItem, int]]
) -> None:
    """Insert the order's lines, each with the key of the shipment that carries it."""
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO order_items (order_pk, line, shipment_pk, sku, gtin, quantity,
                   weight_kg, volume_m3, depot_id)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)""",
            [
                (order_pk, i.line, shipment_pk, i.sku, i.gtin, i.quantity)
                + (i.weight_kg, i.volume_m3, i.depot_id)
                for i, shipment_pk in items
            ],
        )


def get_order(
    conn: psycopg.Connection, mall_order_id: str, scope: Scope, *, lock: bool = False
) -> Order | None:
    condition, params = scoped(scope, "o")
    with conn.cursor(row_factory=args_row(_order)) as cur:
        cur.execute(
            f"""SELECT {_ORDER} FROM orders o
                WHERE o.mall_order_id = %(id)s AND {condition}"""
            + (" FOR UPDATE OF o" if lock else ""),
            {"id": mall_order_id, **params},
        )
        return cur.fetchone()


def lock_order(conn: psycopg.Connection, order_pk: int) -> None:
    """Take the order's row lock: the lock of all its shipments and webhooks."""
    conn.execute("SELECT 1 FROM orders WHERE pk = %s FOR UPDATE", (order_pk,))


def items(conn: psycopg.Connection, order_pk: int) -> list[OrderItem]:
    rows = conn.execute(
        """SELECT line, quantity, weight_kg, volume_m3, sku, gtin, depot_id FROM order_items
           WHERE order_pk = %s ORDER BY line""",
        (order_pk,),
    ).fetchall()
    return [OrderItem(*row) for row in rows]


def update_delivery(conn: psycopg.Connection, order_pk: int, delivery: Delivery) -> None:
    conn.execute(
        """UPDATE orders SET delivery_address = %s,
               delivery_geom = ST_SetSRID(ST_MakePoint(%s, %s), 4326),
               recipient_name = %s, recipient_phone = %s, updated_at = now()
           WHERE pk = %s""",
        (
            delivery.address,
            delivery.location.lon,
            delivery.location.lat,
            delivery.recipient_name,
            delivery.recipient_phone,
            order_pk,
        ),
    )
    replace_windows(conn, order_pk, delivery.windows)


def refresh_order_status(conn: psycopg.Connection, order_pk: int) -> None:
    """cancelled when every shipment is, completed when every one has ended, else open."""
    conn.execute(
        """UPDATE orders o SET status = s.status, updated_at = now()
           FROM (SELECT CASE
                   WHEN bool_and(status = 'cancelled') THEN 'cancelled'
                   WHEN bool_and(status IN ('delivered', 'returned', 'cancelled'))
                     THEN 'completed'
                   ELSE 'open' END AS status
                 FROM shipments WHERE order_pk = %(pk)s) s
           WHERE o.pk = %(pk)s AND o.status IS DISTINCT FROM s.status""",
        {"pk": order_pk},
    )


def next_webhook_seq(conn: psycopg.Connection, order_pk: int) -> int:
    """The order's next webhook sequence number; call with the order locked."""
    row = conn.execute(
        "UPDATE orders SET webhook_seq = webhook_seq + 1 WHERE pk = %s RETURNING webhook_seq",
        (order_pk,),
    ).fetchone()
    assert row is not None
    return int(row[0])


# -- shipments ------------------------------------------------------------------------

_SHIPMENT = """s.pk, s.shipment_id, s.order_pk, o.mall_order_id, s.buyer_id, s.shop_id,
    s.depot_id, s.status, s.status_since, s.shipped_at, s.route_id, s.planned_departure_at,
    s.planned_arrival_at,
    (SELECT coalesce(sum(i.weight_kg), 0) FROM order_items i WHERE i.shipment_pk = s.pk),
    (SELECT coalesce(sum(i.volume_m3), 0) FROM order_items i WHERE i.shipment_pk = s.pk),
    s.created_at, s.updated_at"""


def _shipment(
    pk: int, shipment_id: str, order_pk: int, mall_order_id: str, buyer_id: str, shop_id: str,
    depot_id: str, status: str, *rest: Any,
) -> Shipment:  # fmt: skip
    return Shipment(
        pk, shipment_id, order_pk, mall_order_id, buyer_id, shop_id, depot_id,
        ShipmentStatus(status), *rest,
    )  # fmt: skip


def insert_shipment(
    conn: psycopg.Connection, shipment_id: str, order_pk: int, order: NewOrder, depot_id: str
) -> int:
    row = conn.execute(
        """INSERT INTO shipments (shipment_id, order_pk, buyer_id, shop_id, depot_id)
           VALUES (%s, %s, %s, %s, %s) RETURNING pk""",
        (shipment_id, order_pk, order.buyer_id, order.shop_id, depot_id),
    ).fetchone()
    assert row is not None
    return int(row[0])


def get_shipment(conn: psycopg.Connection, shipment_id: str, scope: Scope) -> Shipment | None:
    condition, params = scoped(scope, "s")
    with conn.cursor(row_factory=args_row(_shipment)) as cur:
        cur.execute(
            f"""SELECT {_SHIPMENT} FROM shipments s JOIN orders o ON o.pk = s.order_pk
                WHERE s.shipment_id = %(id)s AND {condition}""",
            {"id": shipment_id, **params},
        )
        return cur.fetchone()


def shipments_of_order(conn: psycopg.Connection, order_pk: int) -> list[Shipment]:
    with conn.cursor(row_factory=args_row(_shipment)) as cur:
        cur.execute(
            f"""SELECT {_SHIPMENT} FROM shipments s JOIN orders o ON o.pk = s.order_pk
                WHERE s.order_pk = %s ORDER BY s.pk""",
            (order_pk,),
        )
        return cur.fetchall()


def page_shipments(
    conn: psycopg.Connection,
    scope: Scope,
    *,
    status: ShipmentStatus | None,
    created_from: datetime | None,
    created_to: datetime | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Shipment]:
    """Newest first; `after` is the (created_at, shipment_id) of the last row seen."""
    condition, params = scoped(scope, "s")
    with conn.cursor(row_factory=args_row(_shipment)) as cur:
        cur.execute(
            f"""SELECT {_SHIPMENT} FROM shipments s JOIN orders o ON o.pk = s.order_pk
                WHERE {condition}
                  AND (%(status)s::text IS NULL OR s.status = %(status)s)
                  AND (%(from)s::timestamptz IS NULL OR s.created_at >= %(from)s)
                  AND (%(to)s::timestamptz IS NULL OR s.created_at < %(to)s)
                  AND (%(after_t)s::timestamptz IS NULL
                       OR (s.created_at, s.shipment_id) < (%(after_t)s, %(after_id)s))
                ORDER BY s.created_at DESC, s.shipment_id DESC LIMIT %(limit)s""",
            {
                "status": status,
                "from": created_from,
                "to": created_to,
                "after_t": after[0] if after else None,
                "after_id": after[1] if after else None,
                "limit": limit,
                **params,
            },
        )
        return cur.fetchall()


def set_status(
    conn: psycopg.Connection, pk: int, status: ShipmentStatus, since: datetime, shipped: bool
) -> None:
    conn.execute(
        """UPDATE shipments SET status = %s, status_since = %s, updated_at = now(),
               shipped_at = CASE WHEN %s THEN coalesce(shipped_at, %s) ELSE shipped_at END
           WHERE pk = %s""",
        (status, since, shipped, since, pk),
    )


def set_plan(
    conn: psycopg.Connection,
    pk: int,
    route_id: str | None,
    departure: datetime | None,
    arrival: datetime | None,
) -> None:
    conn.execute(
        """UPDATE shipments SET route_id = %s, planned_departure_at = %s,
               planned_arrival_at = %s, updated_at = now() WHERE pk = %s""",
        (route_id, departure, arrival, pk),
    )


# -- timeline -------------------------------------------------------------------------


def insert_event(
    conn: psycopg.Connection,
    shipment_pk: int,
    evidence: Evidence,
    from_status: ShipmentStatus,
    applied: bool,
) -> bool:
    """False when this evidence was already recorded for the shipment."""
    row = conn.execute(
        """INSERT INTO shipment_events (shipment_pk, kind, evidence_id, status, from_status,
               applied, occurred_at, source, evidence)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (shipment_pk, kind, evidence_id) DO NOTHING RETURNING pk""",
        (
            shipment_pk,
            evidence.kind,
            evidence.evidence_id,
            evidence.status,
            from_status,
            applied,
            evidence.occurred_at,
            evidence.source,
            Jsonb(dict(evidence.detail), dumps=_dumps),
        ),
    ).fetchone()
    return row is not None


def has_event(
    conn: psycopg.Connection, shipment_pk: int, kind: EvidenceKind, evidence_id: str
) -> bool:
    return (
        conn.execute(
            """SELECT 1 FROM shipment_events
               WHERE shipment_pk = %s AND kind = %s AND evidence_id = %s""",
            (shipment_pk, kind, evidence_id),
        ).fetchone()
        is not None
    )


def timeline(conn: psycopg.Connection, shipment_pk: int) -> list[TimelineEntry]:
    rows = conn.execute(
        """SELECT status, from_status, applied, kind, evidence_id, occurred_at, recorded_at,
               source, evidence
           FROM shipment_events WHERE shipment_pk = %s ORDER BY occurred_at, pk""",
        (shipment_pk,),
    ).fetchall()
    return [
        TimelineEntry(
            ShipmentStatus(status), ShipmentStatus(before), applied, EvidenceKind(kind), *rest
        )
        for status, before, applied, kind, *rest in rows
    ]
