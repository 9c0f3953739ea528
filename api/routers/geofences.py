"""Geofences over HTTP: GeoJSON in and out (a Polygon, or a Point Feature with
`properties.radius_m`), `?crs=gcj02|bd09` accepted on input and applied to output.
Dispatchers and admins only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from api.deps import Caller, ConnDep, require
from gis.crs import Crs
from tracking import fences
from tracking.fence_store import StoredFence

router = APIRouter(prefix="/v1/geofences", tags=["geofences"])
Staff = Annotated[Caller, Depends(require("admin", "dispatcher"))]
CrsQuery = Annotated[Crs, Query(description="Coordinate system of the GeoJSON, in and out.")]


class FenceIn(BaseModel):
    fence_id: str = Field(min_length=1, max_length=64)
    name: str = Field("", max_length=200)
    kind: str = Field(description="warehouse, market, customer or other")
    depot_id: str | None = Field(None, description="The warehouse's depot id (kind warehouse).")
    geometry: dict[str, Any] = Field(description="GeoJSON Polygon, or a circle Feature.")


class FenceOut(BaseModel):
    type: str = "Feature"
    id: str
    geometry: dict[str, Any]
    properties: dict[str, Any]


def _out(s: StoredFence, crs: Crs) -> FenceOut:
    feature = s.fence().to_geojson(crs)
    props = dict(feature.get("properties") or {})
    props |= {"name": s.name, "kind": s.kind, "depot_id": s.depot_id, "crs": crs}
    props |= {"created_at": s.created_at.isoformat(), "updated_at": s.updated_at.isoformat()}
    return FenceOut(id=s.fence_id, geometry=feature["geometry"], properties=props)


@router.post("", status_code=201, response_model=FenceOut, summary="Create a geofence")
def create(body: FenceIn, conn: ConnDep, caller: Staff, crs: CrsQuery = "wgs84") -> FenceOut:
    stored = fences.create(
        conn, body.fence_id, body.name, body.kind, body.depot_id, body.geometry, crs
    )
    return _out(stored, crs)


@router.get("", response_model=list[FenceOut], summary="Geofences by id, keyset pages")
def list_fences(
    conn: ConnDep,
    caller: Staff,
    crs: CrsQuery = "wgs84",
    kind: str | None = None,
    after: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[FenceOut]:
    return [_out(s, crs) for s in fences.page(conn, kind, after, limit)]


@router.get("/{fence_id}", response_model=FenceOut, summary="One geofence")
def get(fence_id: str, conn: ConnDep, caller: Staff, crs: CrsQuery = "wgs84") -> FenceOut:
    return _out(fences.get(conn, fence_id), crs)


@router.put("/{fence_id}", response_model=FenceOut, summary="Replace a geofence")
def replace(
    fence_id: str, body: FenceIn, conn: ConnDep, caller: Staff, crs: CrsQuery = "wgs84"
) -> FenceOut:
    stored = fences.replace(conn, fence_id, body.name, body.kind, body.depot_id, body.geometry, crs)
    return _out(stored, crs)


@router.delete("/{fence_id}", status_code=204, summary="Delete a geofence")
def delete(fence_id: str, conn: ConnDep, caller: Staff) -> Response:
    fences.delete(conn, fence_id)
    return Response(status_code=204)
