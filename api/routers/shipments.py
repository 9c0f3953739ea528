"""Shipments: status with its evidence, lists, proof of delivery, manual markings, cartons.

Included by the orders router. Reads are scoped in the query (`orders.access`); a
shipment of someone else answers 404 exactly like an unknown id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, ConnDep, SettingsDep, require
from api.routers.order_schemas import (
    ManualEventCreate,
    PackageCreate,
    PackagePublic,
    ProofOfDeliveryCreate,
    ShipmentPage,
    ShipmentPublic,
    package_public,
    shipment_public,
    shipment_summary,
)
from api.routers.tracking import shipment_with_tracking
from api.routers.tracking_schemas import ShipmentWithTracking
from orders import access, packing
from orders import service as orders
from orders.models import ProofOfDelivery, Scope
from orders.status import ShipmentStatus

router = APIRouter(prefix="/shipments", tags=["shipments"])

Reader = Annotated[Caller, Depends(require(*access.READERS))]
Staff = Annotated[Caller, Depends(require(*access.EVIDENCE))]
Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "No such shipment, or not yours"}}
REFUSED: Responses = {409: {"description": "invalid_transition: the status machine refuses it"}}


def scope_of(caller: Caller) -> Scope:
    return access.scope_for(caller.role, caller.shop_id, caller.buyer_id)


@router.get(
    "",
    response_model=ShipmentPage,
    summary="Shipments you may see (a seller's shop's, a buyer's own, staff all), newest first",
)
def list_shipments(
    conn: ConnDep,
    caller: Reader,
    status: ShipmentStatus | None = None,
    created_from: Annotated[AwareDatetime | None, Query(description="Created at or after.")] = None,
    created_to: Annotated[AwareDatetime | None, Query(description="Created before.")] = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ShipmentPage:
    rows, next_cursor = orders.page_shipments(
        conn,
        scope_of(caller),
        status=status,
        created_from=created_from,
        created_to=created_to,
        cursor=cursor,
        limit=limit,
    )
    return ShipmentPage(items=[shipment_summary(s) for s in rows], next_cursor=next_cursor)


@router.get(
    "/{shipment_id}",
    response_model=ShipmentWithTracking,
    summary="A shipment: status, delivery, cartons, the timeline of its evidence, ETA and position",
    responses=NOT_FOUND,
)
async def get_shipment(
    shipment_id: str, conn: ConnDep, settings: SettingsDep, caller: Reader
) -> ShipmentWithTracking:
    # The busiest read (every tracking page polls it): its work goes to a worker thread in
    # one call, and its answer is checked on the event loop, where a plain `def` route
    # would hand the check to a worker thread a second time.
    return await run_in_threadpool(
        shipment_with_tracking, conn, shipment_id, scope_of(caller), settings
    )


@router.post(
    "/{shipment_id}/proof-of-delivery",
    response_model=ShipmentPublic,
    summary="A driver's confirmation of delivery (or of a failed attempt)",
    responses=NOT_FOUND | REFUSED,
)
def proof_of_delivery(
    shipment_id: str, body: ProofOfDeliveryCreate, conn: ConnDep, caller: Staff
) -> ShipmentPublic:
    proof = ProofOfDelivery(
        pod_id=body.pod_id or f"pod:{shipment_id}:{body.confirmed_at.isoformat()}",
        confirmed_at=body.confirmed_at,
        delivered=body.outcome == "delivered",
        method=body.method,
        location=body.location.point() if body.location else None,
        epc=body.epc,
        recipient_name=body.recipient_name,
        photo_ref=body.photo_ref,
        signature_ref=body.signature_ref,
        failure_reason=body.failure_reason,
        device_id=body.device_id,
        driver_id=body.driver_id or caller.subject,
        note=body.note,
    )
    orders.confirm_delivery(conn, shipment_id, proof)
    return shipment_public(orders.get_shipment(conn, shipment_id, scope_of(caller)))


@router.post(
    "/{shipment_id}/events",
    response_model=ShipmentPublic,
    summary="Mark a shipment by hand (an exception, a return ...), with a reason",
    responses=NOT_FOUND | REFUSED,
)
def mark(shipment_id: str, body: ManualEventCreate, conn: ConnDep, caller: Staff) -> ShipmentPublic:
    orders.mark(
        conn,
        shipment_id,
        body.status,
        by=caller.subject,
        reason=body.reason,
        event_id=body.event_id,
        occurred_at=body.occurred_at,
    )
    return shipment_public(orders.get_shipment(conn, shipment_id, scope_of(caller)))


@router.post(
    "/{shipment_id}/packages",
    status_code=201,
    response_model=PackagePublic,
    summary="A new carton with its SSCC label, and the tags packed into it",
    responses=NOT_FOUND | {409: {"description": "tag_in_use, or the shipment has ended"}},
)
def add_package(
    shipment_id: str, body: PackageCreate, conn: ConnDep, settings: SettingsDep, caller: Staff
) -> PackagePublic:
    package = packing.add_package(
        conn,
        shipment_id,
        company_prefix=settings.orders.sscc_company_prefix,
        extension=settings.orders.sscc_extension,
        epcs=body.epcs,
        weight_kg=body.weight_kg,
    )
    return package_public(package)
