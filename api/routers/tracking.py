"""Shipment tracking for buyers, sellers and staff: an order's or a shipment's status, ETA
and last position; loading a shipment onto a vehicle; public tracking links.

Every read is scoped like orders (`orders.access`): someone else's order or shipment is
404, exactly like an unknown id. The public link answers status, ETA and a position rounded
to about a kilometre, nothing else.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from accounts import ratelimit
from api.deps import Caller, ConnDep, SettingsDep, client_address, require
from api.routers.order_schemas import TimelineEntryPublic, shipment_public
from api.routers.tracking_schemas import (
    OrderTrackingOut,
    ShipmentTrackingOut,
    ShipmentWithTracking,
    tracking_out,
)
from gis.crs import Crs
from orders import access
from orders.models import Scope
from tracking import shipment_tracking

router = APIRouter(prefix="/v1", tags=["tracking"])
Reader = Annotated[Caller, Depends(require(*access.READERS))]
Staff = Annotated[Caller, Depends(require(*access.STAFF))]
LinkMaker = Annotated[Caller, Depends(require("admin", "dispatcher", "integration"))]
CrsQuery = Annotated[Crs, Query(description="Coordinate system of positions in the answer.")]
NOT_FOUND = {404: {"description": "No such order or shipment, or not yours"}}


def scope_of(caller: Caller) -> Scope:
    return access.scope_for(caller.role, caller.shop_id, caller.buyer_id)


def shipment_with_tracking(conn, shipment_id: str, scope: Scope, settings) -> ShipmentWithTracking:  # type: ignore[no-untyped-def]
    """`GET /v1/shipments/{id}` with the tracking block (called by the shipments router)."""
    from orders import service as orders

    detail = orders.get_shipment(conn, shipment_id, scope)
    body = shipment_public(detail)
    t = shipment_tracking.of_shipment(conn, detail.shipment, settings.api.stale_after_s)
    return ShipmentWithTracking(**body.model_dump(), tracking=tracking_out(t))


@router.get(
    "/orders/{mall_order_id}/tracking",
    response_model=OrderTrackingOut,
    summary="An order's shipments: status, ETA, last known position and timeline",
    responses=NOT_FOUND,
)
def order_tracking(
    mall_order_id: str,
    conn: ConnDep,
    settings: SettingsDep,
    caller: Reader,
    crs: CrsQuery = "wgs84",
) -> OrderTrackingOut:
    order, shipments = shipment_tracking.order(
        conn, mall_order_id, scope_of(caller), settings.api.stale_after_s
    )
    items = []
    for t, detail in shipments:
        timeline = [
            TimelineEntryPublic(
                **{n: getattr(e, n) for n in TimelineEntryPublic.model_fields if n != "evidence"},
                evidence=dict(e.evidence),
            )
            for e in detail.timeline
        ]
        out = tracking_out(t, crs)
        items.append(ShipmentTrackingOut(**out.model_dump(), timeline=timeline))
    return OrderTrackingOut(mall_order_id=order.mall_order_id, status=order.status, shipments=items)


@router.get(
    "/shipments/{shipment_id}/tracking",
    response_model=ShipmentTrackingOut,
    summary="A shipment's status, ETA, last known position and timeline",
    responses=NOT_FOUND,
)
def shipment_tracking_route(
    shipment_id: str, conn: ConnDep, settings: SettingsDep, caller: Reader, crs: CrsQuery = "wgs84"
) -> ShipmentTrackingOut:
    body = shipment_with_tracking(conn, shipment_id, scope_of(caller), settings)
    out = tracking_out(
        shipment_tracking.shipment(conn, shipment_id, scope_of(caller), settings.api.stale_after_s),
        crs,
    )
    return ShipmentTrackingOut(**out.model_dump(), timeline=body.timeline)


class LoadIn(BaseModel):
    device_id: str = Field(min_length=1, max_length=128)


@router.put(
    "/shipments/{shipment_id}/vehicle",
    status_code=204,
    summary="Put the shipment on a vehicle (its GPS unit): geofences and ETA follow it",
    responses=NOT_FOUND,
)
def load_onto_vehicle(shipment_id: str, body: LoadIn, conn: ConnDep, caller: Staff) -> None:
    shipment_tracking.load(conn, shipment_id, body.device_id)


class LinkIn(BaseModel):
    ttl_s: int = Field(7 * 86400, ge=60, le=30 * 86400, description="Lifetime of the link.")


class LinkOut(BaseModel):
    token: str
    path: str
    expires_at: datetime


@router.post(
    "/shipments/{shipment_id}/public-link",
    status_code=201,
    response_model=LinkOut,
    summary="A public tracking link (status, ETA, coarse position only) that expires",
    responses=NOT_FOUND,
)
def create_public_link(
    shipment_id: str, conn: ConnDep, caller: LinkMaker, body: LinkIn | None = None
) -> LinkOut:
    ttl = timedelta(seconds=(body or LinkIn()).ttl_s)
    token, expires = shipment_tracking.create_link(conn, shipment_id, caller.subject, ttl)
    return LinkOut(token=token, path=f"/v1/public/track/{token}", expires_at=expires)


class PublicPosition(BaseModel):
    lat: float
    lon: float
    as_of: datetime
    stale: bool


class PublicEta(BaseModel):
    eta: datetime | None
    as_of: datetime
    stale: bool


class PublicTracking(BaseModel):
    status: str
    status_since: datetime
    eta: PublicEta | None
    position: PublicPosition | None = Field(description="Rounded to about a kilometre.")


@router.get(
    "/public/track/{token}",
    response_model=PublicTracking,
    summary="What a public tracking link shows; no token needed, 404 once expired",
    responses={
        404: {"description": "Unknown or expired link"},
        429: {"description": "Too many reads from this address; see Retry-After"},
    },
)
def public_track(
    token: str, request: Request, conn: ConnDep, settings: SettingsDep
) -> PublicTracking:
    limit = settings.auth.public_link_per_minute
    ratelimit.limit(conn, f"public:addr:{client_address(request)}", limit)
    return PublicTracking(**shipment_tracking.public(conn, token, settings.api.stale_after_s))
