"""Response shapes of the tracking routes, and conversion of positions to `?crs=`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from api.routers.order_schemas import ShipmentPublic, TimelineEntryPublic
from gis.crs import Crs, from_wgs84
from tracking.shipment_tracking import Tracking


class PositionOut(BaseModel):
    device_id: str
    lat: float
    lon: float
    crs: Crs = "wgs84"
    speed_mps: float | None
    heading_deg: float | None
    as_of: datetime = Field(description="Device time of the fix this position is.")
    stale: bool = Field(description="Older than the staleness limit (`api.stale_after_s`).")
    online: bool


class EtaOut(BaseModel):
    eta: datetime | None
    method: str = Field(description="`plan` (the route plan's times) or `live` (the vehicle).")
    distance_m: float | None = Field(description="Road-factor distance left, in metres.")
    as_of: datetime = Field(description="Device time of the fix the estimate was made from.")
    stale: bool


class TrackingOut(BaseModel):
    shipment_id: str
    status: str
    status_since: datetime
    eta: EtaOut | None
    position: PositionOut | None


class ShipmentTrackingOut(TrackingOut):
    timeline: list[TimelineEntryPublic]


class OrderTrackingOut(BaseModel):
    mall_order_id: str
    status: str
    shipments: list[ShipmentTrackingOut]


class ShipmentWithTracking(ShipmentPublic):
    tracking: TrackingOut


def tracking_out(t: Tracking, crs: Crs = "wgs84") -> TrackingOut:
    position = None
    if t.position is not None:
        p = t.position
        lat, lon = from_wgs84(p.lat, p.lon, crs)
        position = PositionOut(
            device_id=p.device_id,
            lat=lat,
            lon=lon,
            crs=crs,
            speed_mps=p.speed_mps,
            heading_deg=p.heading_deg,
            as_of=p.as_of,
            stale=p.stale,
            online=p.online,
        )
    estimate = None
    if t.eta is not None:
        e = t.eta
        estimate = EtaOut(
            eta=e.eta, method=e.method, distance_m=e.distance_m, as_of=e.as_of, stale=e.stale
        )
    return TrackingOut(
        shipment_id=t.shipment_id,
        status=t.status,
        status_since=t.status_since,
        eta=estimate,
        position=position,
    )


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
