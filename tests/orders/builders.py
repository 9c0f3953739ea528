"""Orders, evidence and EPCs for the order tests; every id carries the test's unique token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from epc import encode_uri
from orders.models import Delivery, DeliveryWindow, Evidence, NewOrder, OrderItem, Point
from orders.status import EvidenceKind, ShipmentStatus

DAY = datetime(2026, 12, 1, 9, tzinfo=UTC)
BUYER_DOOR = Point(120.2456, 30.3312)


def new_order(
    mall_order_id: str,
    buyer_id: str = "B-x",
    shop_id: str = "S-x",
    *,
    depots: tuple[str, ...] = ("wh-north",),
    address: str = "No. 8 Jiubao Road, Hangzhou",
) -> NewOrder:
    """An order with one line per depot (so one shipment per depot)."""
    return NewOrder(
        mall_order_id=mall_order_id,
        buyer_id=buyer_id,
        shop_id=shop_id,
        depot_id=depots[0],
        delivery=Delivery(address, BUYER_DOOR, (DeliveryWindow(DAY, DAY + timedelta(hours=3)),)),
        items=tuple(
            OrderItem(n, 10, 4.0, 0.02, sku=f"SKU-{n}", depot_id=depot)
            for n, depot in enumerate(depots, start=1)
        ),
        priority=2,
    )


def evidence(
    status: ShipmentStatus | str,
    kind: EvidenceKind | str,
    evidence_id: str,
    minute: int = 0,
    **detail: object,
) -> Evidence:
    """Evidence `minute` minutes into the delivery day."""
    return Evidence(
        EvidenceKind(kind),
        evidence_id,
        ShipmentStatus(status),
        DAY + timedelta(minutes=minute),
        source="test",
        detail=detail,
    )


# The happy path and the evidence kind that drives each step of it.
HAPPY_PATH = [
    ("packed", "epcis_event"),
    ("loaded", "epcis_event"),
    ("in_transit", "geofence"),
    ("out_for_delivery", "route_plan"),
    ("arriving", "geofence"),
    ("delivered", "proof_of_delivery"),
]


def sgtin_hex(serial: int) -> str:
    """The SGTIN-96 hex of a garment's tag, as a reader reports it."""
    return encode_uri(f"urn:epc:tag:sgtin-96:1.0614141.812345.{serial}")


def sgtin_uri(serial: int) -> str:
    return f"urn:epc:id:sgtin:0614141.812345.{serial}"
