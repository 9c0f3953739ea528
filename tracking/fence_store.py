"""The `geofences` table: named polygons and circles in WGS-84, with a GiST index.

The only module that knows it. Takes a connection, never commits. The fence value itself
(validation, containment, GeoJSON) is `gis.geofence`; a circle's GiST geometry is its
buffer on the spheroid, used only to find candidate fences near a point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from gis.geofence import CircleFence, Fence, fence_from_geojson

KINDS = ("warehouse", "market", "customer", "other")


@dataclass(frozen=True, slots=True)
class StoredFence:
    fence_id: str
    name: str
    kind: str
    depot_id: str | None
    geojson: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    def fence(self) -> Fence:
        return fence_from_geojson(self.geojson)


_COLUMNS = "fence_id, name, kind, depot_id, geojson, created_at, updated_at"


def _geom_sql() -> str:
    return """CASE WHEN %(radius)s::float8 IS NULL
                   THEN ST_SetSRID(ST_GeomFromGeoJSON(%(geometry)s), 4326)
                   ELSE ST_Buffer(ST_SetSRID(ST_GeomFromGeoJSON(%(geometry)s), 4326)::geography,
                                  %(radius)s::float8)::geometry END"""


def _params(fence: Fence, **extra: Any) -> dict[str, Any]:
    geojson = fence.to_geojson()
    radius = fence.radius_m if isinstance(fence, CircleFence) else None
    return {
        "geojson": Jsonb(geojson),
        "geometry": Jsonb(geojson["geometry"]),
        "radius": radius,
    } | extra


def insert(
    conn: psycopg.Connection,
    fence_id: str,
    name: str,
    kind: str,
    depot_id: str | None,
    fence: Fence,
) -> StoredFence | None:
    with conn.cursor(row_factory=class_row(StoredFence)) as cur:
        cur.execute(
            f"""INSERT INTO geofences (fence_id, name, kind, depot_id, geojson, radius_m, geom)
                VALUES (%(id)s, %(name)s, %(kind)s, %(depot)s, %(geojson)s, %(radius)s,
                        {_geom_sql()})
                ON CONFLICT (fence_id) DO NOTHING RETURNING {_COLUMNS}""",
            _params(fence, id=fence_id, name=name, kind=kind, depot=depot_id),
        )
        return cur.fetchone()


def update(
    conn: psycopg.Connection,
    fence_id: str,
    name: str,
    kind: str,
    depot_id: str | None,
    fence: Fence,
) -> StoredFence | None:
    with conn.cursor(row_factory=class_row(StoredFence)) as cur:
        cur.execute(
            f"""UPDATE geofences SET name = %(name)s, kind = %(kind)s, depot_id = %(depot)s,
                       geojson = %(geojson)s, radius_m = %(radius)s, geom = {_geom_sql()},
                       updated_at = now()
                 WHERE fence_id = %(id)s RETURNING {_COLUMNS}""",
            _params(fence, id=fence_id, name=name, kind=kind, depot=depot_id),
        )
        return cur.fetchone()


def delete(conn: psycopg.Connection, fence_id: str) -> bool:
    return conn.execute("DELETE FROM geofences WHERE fence_id = %s", (fence_id,)).rowcount > 0


def get(conn: psycopg.Connection, fence_id: str) -> StoredFence | None:
    with conn.cursor(row_factory=class_row(StoredFence)) as cur:
        cur.execute(f"SELECT {_COLUMNS} FROM geofences WHERE fence_id = %s", (fence_id,))
        return cur.fetchone()


def page(
    conn: psycopg.Connection, kind: str | None, after: str | None, limit: int
) -> list[StoredFence]:
    with conn.cursor(row_factory=class_row(StoredFence)) as cur:
        cur.execute(
            f"""SELECT {_COLUMNS} FROM geofences
                WHERE (%(kind)s::text IS NULL OR kind = %(kind)s)
                  AND fence_id > coalesce(%(after)s, '')
                ORDER BY fence_id LIMIT %(limit)s""",
            {"kind": kind, "after": after, "limit": limit},
        )
        return cur.fetchall()


def near(
    conn: psycopg.Connection,
    west: float,
    south: float,
    east: float,
    north: float,
    margin_deg: float,
) -> list[StoredFence]:
    """Fences whose geometry comes within `margin_deg` of the box (GiST)."""
    with conn.cursor(row_factory=class_row(StoredFence)) as cur:
        cur.execute(
            f"""SELECT {_COLUMNS} FROM geofences
                WHERE kind <> 'customer'
                  AND geom && ST_Expand(ST_MakeEnvelope(%s, %s, %s, %s, 4326), %s)""",
            (west, south, east, north, margin_deg),
        )
        return cur.fetchall()
