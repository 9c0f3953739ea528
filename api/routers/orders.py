"""Mall orders: intake, reading, cancellation and re-addressing. Includes the shipment routes.

Who may call what and whose rows they see is decided in `orders.access`; reads pass the
caller's scope to the query, so an order of someone else answers 404 like an unknown one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response

from api.deps import Caller, ConnDep, SettingsDep, require
from api.routers import shipments
from api.routers.order_schemas import (
    CancelRequest,
    DeliveryUpdate,
    OrderCreate,
    OrderPublic,
    order_public,
    windows_record,
)
from orders import access
from orders import service as orders
from orders.models import Scope

router = APIRouter(prefix="/v1", tags=["orders"])
router.include_router(shipments.router)

Intake = Annotated[Caller, Depends(require(*access.INTAKE))]
Changer = Annotated[Caller, Depends(require(*access.ORDER_CHANGES))]
Reader = Annotated[Caller, Depends(require(*access.READERS))]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Repeat a request safely: the same key and body answer the first result.",
    ),
]
Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "No such order, or not yours"}}


def scope_of(caller: Caller) -> Scope:
    return access.scope_for(caller.role, caller.shop_id, caller.buyer_id)


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderPublic,
    summary="Take an order from the mall (idempotent on its id and on Idempotency-Key)",
    responses={
        409: {"description": "The order id exists with different content"},
        422: {"description": "Invalid, or the Idempotency-Key was used for another body"},
    },
)
def create_order(
    body: OrderCreate,
    response: Response,
    conn: ConnDep,
    settings: SettingsDep,
    caller: Intake,
    idempotency_key: IdempotencyKey = None,
) -> OrderPublic:
    intake = orders.create_order(conn, body.record(settings.orders.default_depot), idempotency_key)
    response.headers["Location"] = f"/v1/orders/{body.mall_order_id}"
    if not intake.created:
        response.headers["Idempotent-Replayed"] = "true"
    return order_public(intake.order)


@router.get(
    "/orders/{mall_order_id}",
    response_model=OrderPublic,
    summary="One order with its items and shipments",
    responses=NOT_FOUND,
)
def get_order(mall_order_id: str, conn: ConnDep, caller: Reader) -> OrderPublic:
    return order_public(orders.get_order(conn, mall_order_id, scope_of(caller)))


@router.post(
    "/orders/{mall_order_id}/cancel",
    response_model=OrderPublic,
    summary="Cancel an order while none of its shipments is loaded (repeating is harmless)",
    responses=NOT_FOUND | {409: {"description": "already_loaded: too late to cancel"}},
)
def cancel_order(
    mall_order_id: str, conn: ConnDep, caller: Changer, body: CancelRequest | None = None
) -> OrderPublic:
    detail = orders.cancel_order(
        conn,
        mall_order_id,
        scope_of(caller),
        by=caller.subject,
        reason=body.reason if body else "",
    )
    return order_public(detail)


@router.patch(
    "/orders/{mall_order_id}/delivery",
    response_model=OrderPublic,
    summary="Change the delivery address, position, windows or recipient before loading",
    responses=NOT_FOUND
    | {409: {"description": "already_loaded: too late; order_cancelled: cancelled"}},
)
def change_delivery(
    mall_order_id: str, body: DeliveryUpdate, conn: ConnDep, caller: Changer
) -> OrderPublic:
    changes = orders.DeliveryChanges(
        address=body.address,
        location=body.location.point() if body.location else None,
        windows=windows_record(body.windows) if body.windows else None,
        recipient_name=body.recipient_name,
        recipient_phone=body.recipient_phone,
    )
    return order_public(orders.change_delivery(conn, mall_order_id, scope_of(caller), changes))
