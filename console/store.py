"""Read-only queries behind the console's overview pages.

This module only reads. It joins the tables of several domains (devices, tracking, routing,
orders, dead letters) because a dispatcher's screen shows them side by side; it never
writes to them and no domain calls it. Each function takes a connection and returns plain
dicts shaped for JSON; scoping of shipments reuses `orders.store.scoped`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from orders.models import Scope
from orders.store import scoped


def _rows(conn: psycopg.Connection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def fleet(conn: psycopg.Connection, depot_id: str | None = None) -> list[dict[str, Any]]:
    """Every vehicle tracker (GPS unit or phone) in service, with its latest projected fix;
    with `depot_id`, only the trackers of that depot's fleet."""
    return _rows(
        conn,
        """SELECT d.device_id, d.kind, d.name,
                  coalesce(d.vehicle_id, f.vehicle_id) AS vehicle_id, f.depot_id,
                  ST_Y(v.geom) AS lat, ST_X(v.geom) AS lon, v.speed_mps, v.heading_deg,
                  v.device_time AS as_of, v.last_seen_at, v.link_status, v.battery_pct
           FROM devices d
           LEFT JOIN vehicle_state v ON v.device_pk = d.pk
           LEFT JOIN LATERAL (SELECT vehicle_id, depot_id FROM fleet_vehicles fv
                              WHERE fv.device_id = d.device_id LIMIT 1) f ON TRUE
           WHERE d.kind IN ('gps_unit', 'phone') AND d.retired_at IS NULL
             AND (%(depot)s::text IS NULL OR f.depot_id = %(depot)s)
           ORDER BY d.device_id""",
        {"depot": depot_id},
    )


def depots(conn: psycopg.Connection) -> list[dict[str, Any]]:
    return _rows(
        conn,
        """SELECT p.depot_id, p.name, ST_Y(p.geom) AS lat, ST_X(p.geom) AS lon,
                  (SELECT count(*) FROM fleet_vehicles f
                   WHERE f.depot_id = p.depot_id AND f.active) AS vehicles
           FROM depots p ORDER BY p.depot_id""",
    )


def plans(conn: psycopg.Connection, depot_id: str | None, day: date | None) -> list[dict[str, Any]]:
    """Plans of a depot and day, newest first, with the totals needed to compare them."""
    return _rows(
        conn,
        """SELECT p.plan_id, p.depot_id, p.plan_date AS date, p.status, p.parent_plan_id,
                  p.backend, p.elapsed_s, p.best_cost, p.created_at, p.finished_at,
                  p.approved_at, jsonb_array_length(p.spec -> 'jobs') AS jobs,
                  (p.summary ->> 'distance_m')::float AS distance_m,
                  (p.summary ->> 'duration_s')::float AS duration_s,
                  (p.summary ->> 'cost')::float AS cost,
                  jsonb_array_length(coalesce(p.summary -> 'unassigned', '[]')) AS unassigned,
                  (SELECT count(*) FROM plan_stops s WHERE s.plan_pk = p.pk
                   AND s.kind IN ('pickup', 'delivery')
                   GROUP BY s.plan_pk) AS stops,
                  (SELECT count(*) FROM plan_routes r WHERE r.plan_pk = p.pk
                   AND EXISTS (SELECT 1 FROM plan_stops s WHERE s.plan_pk = r.plan_pk
                               AND s.vehicle_id = r.vehicle_id
                               AND s.kind IN ('pickup', 'delivery'))) AS vehicles
           FROM plans p
           WHERE (%(depot)s::text IS NULL OR p.depot_id = %(depot)s)
             AND (%(day)s::date IS NULL OR p.plan_date = %(day)s)
           ORDER BY p.created_at DESC LIMIT 50""",
        {"depot": depot_id, "day": day},
    )


def approved_routes(
    conn: psycopg.Connection, day: date, depot_id: str | None = None
) -> list[dict[str, Any]]:
    """Each depot's latest approved plan of the day: its routes and stops, every stop with
    the current status of its shipment."""
    routes = _rows(
        conn,
        """WITH latest AS (
               SELECT DISTINCT ON (depot_id) pk, plan_id, depot_id, spec
               FROM plans WHERE plan_date = %(day)s AND status = 'approved'
                 AND (%(depot)s::text IS NULL OR depot_id = %(depot)s)
               ORDER BY depot_id, approved_at DESC)
           SELECT l.plan_id, l.depot_id, r.vehicle_id, r.route_id, r.distance_m, r.duration_s,
                  (SELECT v ->> 'device_id' FROM jsonb_array_elements(l.spec -> 'vehicles') v
                   WHERE v ->> 'id' = r.vehicle_id LIMIT 1) AS device_id,
                  l.pk AS plan_pk
           FROM latest l JOIN plan_routes r ON r.plan_pk = l.pk
           ORDER BY l.depot_id, r.vehicle_id""",
        {"day": day, "depot": depot_id},
    )
    for route in routes:
        plan_pk = route.pop("plan_pk")
        route["stops"] = _rows(
            conn,
            """SELECT ps.seq, ps.kind, ps.shipment_id, ST_Y(ps.geom) AS lat,
                      ST_X(ps.geom) AS lon, ps.arrival_at, ps.departure_at,
                      sh.status, e.eta
               FROM plan_stops ps
               LEFT JOIN shipments sh ON sh.shipment_id = ps.shipment_id
               LEFT JOIN shipment_eta e ON e.shipment_pk = sh.pk
               WHERE ps.plan_pk = %s AND ps.vehicle_id = %s ORDER BY ps.seq""",
            (plan_pk, route["vehicle_id"]),
        )
    return routes


def device_health(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Every device in service: when it was last heard of (its latest fix, device event or,
    for a reader, tag read) and its pending dead letters. Those with pending dead letters
    first, then the most recently heard of."""
    return _rows(
        conn,
        """SELECT * FROM (
               SELECT d.device_id, d.kind, d.format, d.name, d.vehicle_id,
                      greatest(v.last_seen_at,
                               (SELECT max(e.received_at) FROM device_events e
                                WHERE e.device_pk = d.pk),
                               -- a reader's latest tag read (an index probe per partition)
                               CASE WHEN d.kind = 'rfid_reader' THEN
                                   (SELECT max(r.read_time) FROM tag_reads r
                                    WHERE r.device_pk = d.pk) END) AS last_seen_at,
                      v.link_status, v.battery_pct, v.device_time AS last_fix_at,
                      (SELECT count(*) FROM dead_letters l
                       WHERE l.device_id = d.device_id AND l.replayed_at IS NULL) AS dead_letters
               FROM devices d LEFT JOIN vehicle_state v ON v.device_pk = d.pk
               WHERE d.retired_at IS NULL) h
           ORDER BY dead_letters > 0 DESC, last_seen_at DESC NULLS LAST, device_id""",
    )


def dead_letter_counts(conn: psycopg.Connection) -> dict[str, int]:
    rows = conn.execute(
        """SELECT reason, count(*) FROM dead_letters WHERE replayed_at IS NULL
           GROUP BY reason ORDER BY count(*) DESC"""
    ).fetchall()
    return {reason: n for reason, n in rows}


# A shipment in scope with its order's address, its ETA, its latest window end and its
# problem tag; `{where}` narrows it.
_SHIPMENT_ROWS = """
SELECT * FROM (
    SELECT s.shipment_id, o.mall_order_id, s.buyer_id, s.shop_id, s.depot_id, s.status,
           s.status_since, s.route_id, s.planned_arrival_at, s.created_at,
           o.delivery_address AS address, e.eta, w.window_end,
           CASE WHEN s.status IN ('delivery_failed', 'returned') THEN 'failed'
                WHEN s.status = 'exception' THEN 'exception'
                WHEN s.status NOT IN ('delivered', 'cancelled')
                     AND (e.eta > w.window_end OR w.window_end < %(now)s) THEN 'late'
           END AS problem
      FROM shipments s JOIN orders o ON o.pk = s.order_pk
      LEFT JOIN shipment_eta e ON e.shipment_pk = s.pk
      CROSS JOIN LATERAL (SELECT max(ends_at) AS window_end FROM order_delivery_windows
                          WHERE order_pk = o.pk) w
     WHERE {scope}
       AND (%(status)s::text IS NULL OR s.status = %(status)s)
       AND (%(q)s::text IS NULL OR s.shipment_id ILIKE %(q)s OR o.mall_order_id ILIKE %(q)s
            OR o.delivery_address ILIKE %(q)s OR s.buyer_id ILIKE %(q)s)
       {where}) tagged
"""
_NEWEST = " ORDER BY created_at DESC, shipment_id DESC LIMIT %(limit)s"
_OPEN = "AND s.status NOT IN ('delivered', 'cancelled')"  # the only ones with a problem


def shipments(
    conn: psycopg.Connection,
    scope: Scope,
    *,
    status: str | None,
    query: str | None,
    problems_first: bool,
    now: datetime,
    limit: int,
) -> list[dict[str, Any]]:
    """Shipments in scope with their ETA and a problem tag (`failed`, `exception`, `late`):
    problems first when asked, then newest first. `query` matches ids and the address.

    Problems first is two reads, not a sort of everything in scope: the newest problems
    among the shipments not delivered or cancelled (an index keeps those newest first, and
    the walk stops when enough are found), then the newest shipments. A market's delivered
    history enters neither beyond the newest page.
    """
    condition, params = scoped(scope, "s")
    pattern = f"%{query.strip()}%" if query and query.strip() else None
    values = {"status": status, "q": pattern, "now": now, "limit": limit} | params
    newest = _SHIPMENT_ROWS.format(scope=condition, where="") + _NEWEST
    if not problems_first:
        return _rows(conn, newest, values)
    problems = (
        _SHIPMENT_ROWS.format(scope=condition, where=_OPEN) + " WHERE problem IS NOT NULL" + _NEWEST
    )
    first = _rows(conn, problems, values)
    seen = {row["shipment_id"] for row in first}
    rest = [row for row in _rows(conn, newest, values) if row["shipment_id"] not in seen]
    return (first + rest)[:limit]
