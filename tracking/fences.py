"""Geofence use cases: create, read, replace, delete and list named fences. Each owns one
transaction. GeoJSON is validated into a fence value (`gis.geofence`) before it is stored."""

from __future__ import annotations

from typing import Any

import psycopg

from core.errors import Conflict, InvalidInput, NotFound
from gis.crs import Crs
from gis.geofence import fence_from_geojson
from orders.models import check_id
from tracking import fence_store
from tracking.fence_store import StoredFence


def _check(kind: str, fence_id: str) -> None:
    check_id(fence_id, "fence id")
    if kind not in fence_store.KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(fence_store.KINDS)}", code="bad_kind")


def create(
    conn: psycopg.Connection,
    fence_id: str,
    name: str,
    kind: str,
    depot_id: str | None,
    geojson: Any,
    crs: Crs = "wgs84",
) -> StoredFence:
    _check(kind, fence_id)
    fence = fence_from_geojson(geojson, crs)
    with conn.transaction():
        stored = fence_store.insert(conn, fence_id, name, kind, depot_id, fence)
    if stored is None:
        raise Conflict(f"geofence {fence_id!r} exists", code="fence_exists")
    return stored


def replace(
    conn: psycopg.Connection,
    fence_id: str,
    name: str,
    kind: str,
    depot_id: str | None,
    geojson: Any,
    crs: Crs = "wgs84",
) -> StoredFence:
    _check(kind, fence_id)
    fence = fence_from_geojson(geojson, crs)
    with conn.transaction():
        stored = fence_store.update(conn, fence_id, name, kind, depot_id, fence)
    if stored is None:
        raise NotFound(f"no geofence {fence_id!r}", code="fence_not_found")
    return stored


def get(conn: psycopg.Connection, fence_id: str) -> StoredFence:
    with conn.transaction():
        stored = fence_store.get(conn, fence_id)
    if stored is None:
        raise NotFound(f"no geofence {fence_id!r}", code="fence_not_found")
    return stored


def delete(conn: psycopg.Connection, fence_id: str) -> None:
    with conn.transaction():
        if not fence_store.delete(conn, fence_id):
            raise NotFound(f"no geofence {fence_id!r}", code="fence_not_found")


def page(
    conn: psycopg.Connection, kind: str | None, after: str | None, limit: int
) -> list[StoredFence]:
    with conn.transaction():
        return fence_store.page(conn, kind, after, limit)
