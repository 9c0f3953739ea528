"""Request and answer shapes of the order and shipment routes, and their mapping to records.

GeoJSON Points at the edge (`[lon, lat]`), domain records inside. Bodies forbid unknown
fields, so a misspelt field is a 422, not silently ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from orders.models import (
    Delivery,
    DeliveryWindow,
    NewOrder,
    OrderDetail,
    OrderItem,
    Package,
    Point,
    Shipment,
    ShipmentDetail,
)
from orders.status import EvidenceKind, ShipmentStatus

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GeoPoint(Strict):
    type: Literal["Point"]
    coordinates: Annotated[list[Finite], Field(min_length=2, max_length=3)] = Field(
        description="[longitude, latitude] in WGS-84 (an altitude is ignored)."
    )

    @model_validator(mode="after")
    def _in_range(self) -> GeoPoint:
        lon, lat = self.coordinates[:2]
        if not -180 <= lon <= 180:
            raise ValueError(f"longitude {lon} outside ±180")
        if not -90 <= lat <= 90:
            raise ValueError(f"latitude {lat} outside ±90")
        return self

    def point(self) -> Point:
        return Point(self.coordinates[0], self.coordinates[1])

    @classmethod
    def of(cls, point: Point) -> GeoPoint:
        return cls(type="Point", coordinates=[point.lon, point.lat])


class Window(Strict):
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end <= self.start:
            raise ValueError("a delivery window must end after it starts")
        return self


class DeliveryIn(Strict):
    address: str = Field(min_length=1, max_length=500)
    location: GeoPoint
    windows: list[Window] = Field(min_length=1, max_length=20)
    recipient_name: str | None = Field(None, max_length=200)
    recipient_phone: str | None = Field(None, max_length=50)


class ItemIn(Strict):
    sku: str | None = Field(None, min_length=1, max_length=64)
    gtin: str | None = Field(None, pattern=r"^\d{8,14}$", description="GTIN-8/12/13/14.")
    quantity: int = Field(ge=1, le=1_000_000)
    weight_kg: Finite = Field(ge=0, le=100_000, description="Of the whole line.")
    volume_m3: Finite = Field(0.0, ge=0, le=1_000, description="Of the whole line.")
    depot_id: Id | None = Field(None, description="Warehouse of this line; default the order's.")


class OrderCreate(Strict):
    mall_order_id: Id
    buyer_id: Id
    shop_id: Id = Field(description="The seller's shop.")
    priority: int = Field(0, ge=0, le=9, description="Higher is served first on a full day.")
    depot_id: Id | None = Field(None, description="Warehouse it ships from; default configured.")
    delivery: DeliveryIn
    items: list[ItemIn] = Field(min_length=1, max_length=500)

    def record(self, default_depot: str) -> NewOrder:
        return NewOrder(
            mall_order_id=self.mall_order_id,
            buyer_id=self.buyer_id,
            shop_id=self.shop_id,
            depot_id=self.depot_id or default_depot,
            priority=self.priority,
            delivery=delivery_record(self.delivery),
            items=tuple(
                OrderItem(n, i.quantity, i.weight_kg, i.volume_m3, i.sku, i.gtin, i.depot_id)
                for n, i in enumerate(self.items, start=1)
            ),
        )


class DeliveryUpdate(Strict):
    address: str | None = Field(None, min_length=1, max_length=500)
    location: GeoPoint | None = None
    windows: list[Window] | None = Field(None, min_length=1, max_length=20)
    recipient_name: str | None = Field(None, max_length=200, description="Empty clears it.")
    recipient_phone: str | None = Field(None, max_length=50, description="Empty clears it.")

    @model_validator(mode="after")
    def _something(self) -> DeliveryUpdate:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        return self


class CancelRequest(Strict):
    reason: str = Field("", max_length=500)


class ProofOfDeliveryCreate(Strict):
    pod_id: str | None = Field(
        None, min_length=1, max_length=200, description="The driver app's id; resending is safe."
    )
    outcome: Literal["delivered", "failed"] = "delivered"
    method: Literal["driver_confirmation", "tag_read"] = "driver_confirmation"
    confirmed_at: AwareDatetime
    location: GeoPoint | None = Field(None, description="Required for a driver's confirmation.")
    epc: str | None = Field(None, max_length=200, description="The tag read (method tag_read).")
    recipient_name: str | None = Field(None, max_length=200)
    photo_ref: str | None = Field(None, max_length=500, description="Where the photo is kept.")
    signature_ref: str | None = Field(None, max_length=500)
    failure_reason: str | None = Field(None, max_length=200, description="Required if failed.")
    device_id: str | None = Field(None, max_length=64)
    driver_id: str | None = Field(None, max_length=64)
    note: str | None = Field(None, max_length=1000)


class ManualEventCreate(Strict):
    status: ShipmentStatus = Field(description="Usually exception or returned.")
    reason: str = Field(min_length=1, max_length=500)
    event_id: str | None = Field(
        None, min_length=1, max_length=200, description="Your id for it; resending is safe."
    )
    occurred_at: AwareDatetime | None = Field(None, description="Default: now.")


class PackageCreate(Strict):
    epcs: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list,
        max_length=10_000,
        description="Tags packed into the carton: hex as read, tag URIs or pure URIs.",
    )
    weight_kg: Finite | None = Field(None, ge=0, le=100_000)


class WindowPublic(BaseModel):
    start: datetime
    end: datetime


class DeliveryPublic(BaseModel):
    address: str
    location: GeoPoint
    windows: list[WindowPublic]
    recipient_name: str | None
    recipient_phone: str | None


class ItemPublic(BaseModel):
    line: int
    sku: str | None
    gtin: str | None
    quantity: int
    weight_kg: float
    volume_m3: float
    depot_id: str | None


class ShipmentSummary(BaseModel):
    shipment_id: str
    mall_order_id: str
    buyer_id: str
    shop_id: str
    depot_id: str
    status: ShipmentStatus
    status_since: datetime = Field(description="Time of the evidence that set the status.")
    shipped_at: datetime | None
    route_id: str | None
    planned_departure_at: datetime | None
    planned_arrival_at: datetime | None
    weight_kg: float
    volume_m3: float
    created_at: datetime
    updated_at: datetime


class OrderPublic(BaseModel):
    mall_order_id: str
    buyer_id: str
    shop_id: str
    priority: int
    status: Literal["open", "completed", "cancelled"]
    delivery: DeliveryPublic
    items: list[ItemPublic]
    shipments: list[ShipmentSummary]
    created_at: datetime
    updated_at: datetime


class PackagePublic(BaseModel):
    sscc: str = Field(description="18 digits, check digit last.")
    element_string: str = Field(description="GS1 element string printed under the barcode.")
    epc_uri: str
    hex: str = Field(description="SSCC-96 to write to the carton's tag.")
    weight_kg: float | None
    tags: list[str] = Field(description="Pure identity URIs of the tags packed in it.")
    created_at: datetime


class TimelineEntryPublic(BaseModel):
    status: ShipmentStatus
    from_status: ShipmentStatus
    applied: bool = Field(description="False: late evidence, kept; the status did not move.")
    kind: EvidenceKind
    evidence_id: str
    occurred_at: datetime
    recorded_at: datetime
    source: str
    evidence: dict[str, Any]


class ShipmentPublic(ShipmentSummary):
    delivery: DeliveryPublic
    packages: list[PackagePublic]
    timeline: list[TimelineEntryPublic]


class ShipmentPage(BaseModel):
    items: list[ShipmentSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


def delivery_record(body: DeliveryIn) -> Delivery:
    return Delivery(
        body.address,
        body.location.point(),
        windows_record(body.windows),
        body.recipient_name,
        body.recipient_phone,
    )


def windows_record(windows: list[Window]) -> tuple[DeliveryWindow, ...]:
    return tuple(DeliveryWindow(w.start, w.end) for w in windows)


def delivery_public(d: Delivery) -> DeliveryPublic:
    return DeliveryPublic(
        address=d.address,
        location=GeoPoint.of(d.location),
        windows=[WindowPublic(start=w.starts_at, end=w.ends_at) for w in d.windows],
        recipient_name=d.recipient_name,
        recipient_phone=d.recipient_phone,
    )


def shipment_summary(s: Shipment) -> ShipmentSummary:
    fields = {name: getattr(s, name) for name in ShipmentSummary.model_fields}
    return ShipmentSummary(**fields)


def order_public(detail: OrderDetail) -> OrderPublic:
    o = detail.order
    return OrderPublic(
        mall_order_id=o.mall_order_id,
        buyer_id=o.buyer_id,
        shop_id=o.shop_id,
        priority=o.priority,
        status=o.status,
        delivery=delivery_public(o.delivery),
        items=[ItemPublic(**_fields(i, ItemPublic)) for i in detail.items],
        shipments=[shipment_summary(s) for s in detail.shipments],
        created_at=o.created_at,
        updated_at=o.updated_at,
    )


def package_public(p: Package) -> PackagePublic:
    return PackagePublic(**_fields(p, PackagePublic))


def shipment_public(detail: ShipmentDetail) -> ShipmentPublic:
    return ShipmentPublic(
        **shipment_summary(detail.shipment).model_dump(),
        delivery=delivery_public(detail.delivery),
        packages=[package_public(p) for p in detail.packages],
        timeline=[
            TimelineEntryPublic(**_fields(e, TimelineEntryPublic) | {"evidence": dict(e.evidence)})
            for e in detail.timeline
        ],
    )


def _fields(record: object, model: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in model.model_fields}
