"""Typed records of orders, shipments, packages, evidence and the caller's scope. No I/O.

Also the domain's input checks (identifiers, GTIN check digits, delivery windows) and the
fingerprint that tells a replayed order intake from a different one.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from core.errors import InvalidInput
from epc.sscc import check_digit
from orders.status import EvidenceKind, ShipmentStatus

# Order ids appear in URLs: no '/', '?', '#', no spaces.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
GTIN_LENGTHS = frozenset({8, 12, 13, 14})
MAX_QUANTITY = 1_000_000

OrderStatus = Literal["open", "completed", "cancelled"]
Outcome = Literal["applied", "late", "duplicate"]


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS-84 position; longitude first, as in GeoJSON."""

    lon: float
    lat: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lon) and -180 <= self.lon <= 180):
            raise InvalidInput(f"longitude {self.lon} outside ±180", code="lon_out_of_range")
        if not (math.isfinite(self.lat) and -90 <= self.lat <= 90):
            raise InvalidInput(f"latitude {self.lat} outside ±90", code="lat_out_of_range")


@dataclass(frozen=True, slots=True)
class DeliveryWindow:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    address: str
    location: Point
    windows: tuple[DeliveryWindow, ...]
    recipient_name: str | None = None
    recipient_phone: str | None = None


@dataclass(frozen=True, slots=True)
class OrderItem:
    line: int  # 1-based position in the mall's order
    quantity: int
    weight_kg: float  # of the whole line
    volume_m3: float  # of the whole line
    sku: str | None = None
    gtin: str | None = None
    depot_id: str | None = None  # the warehouse this line ships from; None: the order's


@dataclass(frozen=True, slots=True)
class NewOrder:
    """An order as the mall sends it."""

    mall_order_id: str
    buyer_id: str
    shop_id: str
    depot_id: str
    delivery: Delivery
    items: tuple[OrderItem, ...]
    priority: int = 0  # higher is served first when not everything fits a day's routes

    def fingerprint(self) -> bytes:
        """Equal for the same order sent twice, different for any change of content."""
        text = json.dumps(asdict(self), sort_keys=True, default=_canonical, allow_nan=False)
        return hashlib.sha256(text.encode()).digest()

    def depots(self) -> list[str]:
        """One shipment per depot the order's lines ship from, in order of first mention."""
        return list(dict.fromkeys(item.depot_id or self.depot_id for item in self.items))


@dataclass(frozen=True, slots=True)
class Order:
    pk: int
    mall_order_id: str
    buyer_id: str
    shop_id: str
    priority: int
    status: OrderStatus
    delivery: Delivery
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Shipment:
    pk: int
    shipment_id: str
    order_pk: int
    mall_order_id: str
    buyer_id: str
    shop_id: str
    depot_id: str
    status: ShipmentStatus
    status_since: datetime  # time of the evidence that set the status
    shipped_at: datetime | None  # first seen on its way
    route_id: str | None  # filled by route planning
    planned_departure_at: datetime | None
    planned_arrival_at: datetime | None
    weight_kg: float
    volume_m3: float
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OrderDetail:
    order: Order
    items: list[OrderItem]
    shipments: list[Shipment]


@dataclass(frozen=True, slots=True)
class Package:
    sscc: str  # 18 digits, check digit last
    epc_uri: str  # urn:epc:id:sscc:...
    hex: str  # SSCC-96 to write to the carton's tag
    weight_kg: float | None
    tags: tuple[str, ...]  # pure identity URIs of the tags of what is inside
    created_at: datetime

    @property
    def element_string(self) -> str:
        return f"(00){self.sscc}"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a shipment's status changes: one observation, named by its own id.

    `evidence_id` is the observation's identity in its source (an EPCIS eventID, a
    geofence transition key, a route plan's id and version, a proof-of-delivery id); the
    same evidence recorded twice changes nothing.
    """

    kind: EvidenceKind
    evidence_id: str
    status: ShipmentStatus  # the status the evidence shows
    occurred_at: datetime
    source: str = ""  # where it came from: a device, a read point, a route, a person
    detail: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Callers may name the kind and status as plain strings; an unknown one is input
        # to refuse, not a crash later.
        try:
            object.__setattr__(self, "kind", EvidenceKind(self.kind))
            object.__setattr__(self, "status", ShipmentStatus(self.status))
        except ValueError as exc:
            raise InvalidInput(str(exc), code="bad_evidence") from exc


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    status: ShipmentStatus
    from_status: ShipmentStatus
    applied: bool  # False: late news kept as evidence, the status did not move
    kind: EvidenceKind
    evidence_id: str
    occurred_at: datetime
    recorded_at: datetime
    source: str
    evidence: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ShipmentDetail:
    shipment: Shipment
    delivery: Delivery
    packages: list[Package]
    timeline: list[TimelineEntry]


@dataclass(frozen=True, slots=True)
class Recorded:
    shipment: Shipment
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class ProofOfDelivery:
    """A driver's confirmation at the door, or a tag of the shipment read there."""

    pod_id: str
    confirmed_at: datetime
    delivered: bool = True
    method: Literal["driver_confirmation", "tag_read"] = "driver_confirmation"
    location: Point | None = None
    epc: str | None = None  # the tag read at the destination (method tag_read)
    recipient_name: str | None = None
    photo_ref: str | None = None
    signature_ref: str | None = None
    failure_reason: str | None = None
    device_id: str | None = None
    driver_id: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose rows a caller may see: everyone's, one buyer's or one shop's."""

    party: Literal["everyone", "buyer", "shop"]
    value: str | None = None


def check_id(value: str, what: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise InvalidInput(
            f"{what} {value!r} must be 1-64 of A-Z a-z 0-9 _ . : - and start alphanumeric",
            code=f"bad_{what.replace(' ', '_')}",
        )
    return value


def check_gtin(gtin: str) -> str:
    if not (gtin.isascii() and gtin.isdigit() and len(gtin) in GTIN_LENGTHS):
        raise InvalidInput(f"GTIN {gtin!r} is not 8, 12, 13 or 14 digits", code="bad_gtin")
    if int(gtin[-1]) != check_digit(gtin[:-1]):
        raise InvalidInput(f"GTIN {gtin!r} has a wrong check digit", code="bad_gtin")
    return gtin


def check_windows(windows: tuple[DeliveryWindow, ...]) -> tuple[DeliveryWindow, ...]:
    if not windows:
        raise InvalidInput("at least one delivery window is required", code="no_window")
    ordered = tuple(sorted(windows, key=lambda w: w.starts_at))
    for window in ordered:
        if window.starts_at.tzinfo is None or window.ends_at.tzinfo is None:
            raise InvalidInput("delivery windows need a UTC offset", code="naive_time")
        if window.ends_at <= window.starts_at:
            raise InvalidInput("a delivery window must end after it starts", code="bad_window")
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.starts_at < before.ends_at:
            raise InvalidInput("delivery windows must not overlap", code="overlapping_windows")
    return ordered


def check_new_order(order: NewOrder) -> NewOrder:
    """The order with its windows in time order, or InvalidInput naming what is wrong."""
    check_id(order.mall_order_id, "order id")
    check_id(order.buyer_id, "buyer id")
    check_id(order.shop_id, "shop id")
    check_id(order.depot_id, "depot id")
    windows = check_windows(order.delivery.windows)
    if not 0 <= order.priority <= 9:
        raise InvalidInput(f"priority {order.priority} is not 0 to 9", code="bad_priority")
    if not order.delivery.address.strip():
        raise InvalidInput("the delivery address is empty", code="no_address")
    if not order.items:
        raise InvalidInput("an order needs at least one item", code="no_items")
    for item in order.items:
        if item.sku is None and item.gtin is None:
            raise InvalidInput(f"item {item.line} has neither SKU nor GTIN", code="no_product")
        if item.gtin is not None:
            check_gtin(item.gtin)
        if item.depot_id is not None:
            check_id(item.depot_id, "depot id")
        amounts = (item.weight_kg, item.volume_m3)
        if not (1 <= item.quantity <= MAX_QUANTITY and all(0 <= a < math.inf for a in amounts)):
            raise InvalidInput(f"item {item.line} has an impossible amount", code="bad_amount")
    return replace(order, delivery=replace(order.delivery, windows=windows))


def _canonical(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def json_default(value: object) -> object:
    """JSON for what evidence details carry besides JSON: times as ISO-8601, the rest as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
