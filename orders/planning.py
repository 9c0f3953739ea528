"""What route planning reads of orders: the shipments ready to plan, and shipment statuses.

Read-only queries of the orders tables, kept in this domain so that `routing/` never
reads another domain's tables. Writes of planned times go through `service.set_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

READY = ("created", "packed", "loaded")


@dataclass(frozen=True, slots=True)
class ReadyShipment:
    shipment_id: str
    priority: int
    lon: float
    lat: float
    weight_kg: float  # packages' weighed total when every carton was weighed, else the lines'
    volume_m3: float
    windows: tuple[tuple[datetime, datetime], ...]


def ready_for_planning(
    conn: psycopg.Connection, depot_id: str, day_start: datetime, day_end: datetime
) -> list[ReadyShipment]:
    """Shipments of the depot not yet on a route, in a ready status, due in [start, end).

    Due: a delivery window overlaps the day, or the order has no window at all.
    """
    rows = conn.execute(
        """SELECT s.shipment_id, o.priority, ST_X(o.delivery_geom), ST_Y(o.delivery_geom),
                  coalesce((SELECT sum(i.weight_kg) FROM order_items i
                            WHERE i.shipment_pk = s.pk), 0),
                  (SELECT CASE WHEN count(*) > 0 AND count(p.weight_kg) = count(*)
                               THEN sum(p.weight_kg) END
                   FROM packages p WHERE p.shipment_pk = s.pk),
                  coalesce((SELECT sum(i.volume_m3) FROM order_items i
                            WHERE i.shipment_pk = s.pk), 0),
                  coalesce((SELECT array_agg(ARRAY[w.starts_at, w.ends_at] ORDER BY w.starts_at)
                            FROM order_delivery_windows w WHERE w.order_pk = o.pk), '{}')
           FROM shipments s JOIN orders o ON o.pk = s.order_pk
           WHERE s.depot_id = %s AND s.status = ANY(%s) AND s.route_id IS NULL
             AND (NOT EXISTS (SELECT 1 FROM order_delivery_windows w WHERE w.order_pk = o.pk)
                  OR EXISTS (SELECT 1 FROM order_delivery_windows w WHERE w.order_pk = o.pk
                             AND w.starts_at < %s AND w.ends_at > %s))
           ORDER BY s.created_at, s.shipment_id""",
        (depot_id, list(READY), day_end, day_start),
    ).fetchall()
    return [
        ReadyShipment(
            shipment_id=r[0],
            priority=r[1],
            lon=r[2],
            lat=r[3],
            weight_kg=r[5] if r[5] is not None else r[4],
            volume_m3=r[6],
            windows=tuple((w[0], w[1]) for w in r[7]),
        )
        for r in rows
    ]


def statuses(conn: psycopg.Connection, shipment_ids: list[str]) -> dict[str, str]:
    rows = conn.execute(
        "SELECT shipment_id, status FROM shipments WHERE shipment_id = ANY(%s)",
        (shipment_ids,),
    ).fetchall()
    return {r[0]: r[1] for r in rows}
