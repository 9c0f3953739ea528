"""Reading a shipment's tracking: status, ETA and last known position, each with `as_of`
and a stale flag; loading shipments onto vehicles; public tracking links.

Owns `shipment_public_links` and the read side of `vehicle_loads`, `shipment_eta` and
`vehicle_state`. Scoping goes through `orders.service` (a shipment the caller may not see
is NotFound, like an unknown one). Each public function owns one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from core.errors import InvalidInput, NotFound
from devices import service as devices
from orders import service as orders
from orders.models import Scope, Shipment
from tracking import projection_store

EVERYONE = Scope("everyone")
MAX_LINK_TTL = timedelta(days=30)
COARSE_DECIMALS = 2  # 0.01 degree: about 1.1 km of latitude


@dataclass(frozen=True, slots=True)
class Position:
    device_id: str
    lat: float
    lon: float
    speed_mps: float | None
    heading_deg: float | None
    as_of: datetime
    stale: bool
    online: bool


@dataclass(frozen=True, slots=True)
class Eta:
    eta: datetime | None
    method: str
    distance_m: float | None
    as_of: datetime
    stale: bool


@dataclass(frozen=True, slots=True)
class Tracking:
    shipment_id: str
    status: str
    status_since: datetime
    eta: Eta | None
    position: Position | None


_VIEW = """
SELECT d.device_id, ST_Y(v.geom), ST_X(v.geom), v.speed_mps, v.heading_deg, v.device_time,
       v.last_seen_at, v.link_status, v.link_status_at >= v.received_at,
       e.eta, e.method, e.distance_m, e.as_of
  FROM vehicle_loads l
  JOIN devices d ON d.pk = l.device_pk
  LEFT JOIN vehicle_state v ON v.device_pk = l.device_pk
  LEFT JOIN shipment_eta e ON e.shipment_pk = l.shipment_pk
 WHERE l.shipment_pk = %s
"""


def _view(
    conn: psycopg.Connection, shipment_pk: int, stale_after_s: float, now: datetime
) -> tuple[Eta | None, Position | None]:
    row = conn.execute(_VIEW, (shipment_pk,)).fetchone()
    if row is None:
        return None, None
    (
        device_id,
        lat,
        lon,
        speed,
        heading,
        fix_time,
        seen,
        link,
        link_newer,
        at,
        method,
        dist,
        eta_of,
    ) = row
    limit = timedelta(seconds=stale_after_s)
    position = None
    if fix_time is not None:
        # The last will counts until the device is heard again (a fix received after it).
        online = not (link == "offline" and link_newer) and now - seen <= limit
        position = Position(
            device_id, lat, lon, speed, heading, fix_time, now - fix_time > limit, online
        )
    estimate = None if eta_of is None else Eta(at, method, dist, eta_of, now - eta_of > limit)
    return estimate, position


def shipment(
    conn: psycopg.Connection, shipment_id: str, scope: Scope, stale_after_s: float
) -> Tracking:
    return of_shipment(conn, orders.get_shipment(conn, shipment_id, scope).shipment, stale_after_s)


def of_shipment(conn: psycopg.Connection, s: Shipment, stale_after_s: float) -> Tracking:
    """The tracking of a shipment the caller has already read (so was allowed to see); one
    read, no transaction of its own (see orders.service.get_shipment)."""
    estimate, position = _view(conn, s.pk, stale_after_s, datetime.now(UTC))
    return Tracking(s.shipment_id, s.status, s.status_since, estimate, position)


def order(
    conn: psycopg.Connection, mall_order_id: str, scope: Scope, stale_after_s: float
) -> tuple[Any, list[tuple[Tracking, Any]]]:
    """The order and, per shipment, its tracking and its detail (timeline included)."""
    detail = orders.get_order(conn, mall_order_id, scope)
    out = []
    for s in detail.shipments:
        full = orders.get_shipment(conn, s.shipment_id, scope)
        out.append((of_shipment(conn, full.shipment, stale_after_s), full))
    return detail.order, out


def load(conn: psycopg.Connection, shipment_id: str, device_id: str) -> None:
    """Put the shipment on the vehicle; its ETA follows the vehicle from the next fix on."""
    device = devices.get(conn, device_id)
    s = orders.get_shipment(conn, shipment_id, EVERYONE).shipment
    with conn.transaction():
        projection_store.load_shipment(conn, s.pk, device.pk)


# -- public links ---------------------------------------------------------------------


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def create_link(
    conn: psycopg.Connection, shipment_id: str, by: str, ttl: timedelta
) -> tuple[str, datetime]:
    """A new unguessable token for the shipment; only its hash is stored."""
    if not timedelta(minutes=1) <= ttl <= MAX_LINK_TTL:
        raise InvalidInput("a link lives between one minute and 30 days", code="bad_ttl")
    s = orders.get_shipment(conn, shipment_id, EVERYONE).shipment
    token = secrets.token_urlsafe(24)
    expires = datetime.now(UTC) + ttl
    with conn.transaction():
        conn.execute(
            """INSERT INTO shipment_public_links (token_hash, shipment_pk, expires_at, created_by)
               VALUES (%s, %s, %s, %s)""",
            (_hash(token), s.pk, expires, by),
        )
    return token, expires


def public(conn: psycopg.Connection, token: str, stale_after_s: float) -> dict[str, Any]:
    """Status, ETA and a position rounded to ~1 km; NotFound for unknown or expired."""
    with conn.transaction():
        row = conn.execute(
            """SELECT s.pk, s.status, s.status_since FROM shipment_public_links p
                 JOIN shipments s ON s.pk = p.shipment_pk
                WHERE p.token_hash = %s AND p.expires_at > now()""",
            (_hash(token),),
        ).fetchone()
        if row is None:
            raise NotFound("no such tracking link, or it has expired", code="link_not_found")
        pk, status, since = row
        estimate, position = _view(conn, pk, stale_after_s, datetime.now(UTC))
    answer: dict[str, Any] = {"status": status, "status_since": since, "eta": None}
    answer["position"] = None
    if estimate is not None and status not in ("delivered", "returned", "cancelled"):
        answer["eta"] = {"eta": estimate.eta, "as_of": estimate.as_of, "stale": estimate.stale}
    if position is not None and status not in ("delivered", "returned", "cancelled"):
        answer["position"] = {
            "lat": round(position.lat, COARSE_DECIMALS),
            "lon": round(position.lon, COARSE_DECIMALS),
            "as_of": position.as_of,
            "stale": position.stale,
        }
    return answer
