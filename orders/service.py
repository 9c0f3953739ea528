"""Order and shipment use cases. Each public function owns one transaction.

Intake is idempotent twice over: on the mall's order id and on the Idempotency-Key of the
request; the same content answers the original order, different content is refused.
Status changes come only as `Evidence` through `record_evidence` (and its two shapes for
people, `confirm_delivery` and `mark`); every writer of an order's shipments takes the
order's row lock first, so concurrent evidence, cancellation and address changes of one
order run one after the other. Reads take a `Scope` that the store applies in the query.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

import psycopg

from core.errors import Conflict, InvalidInput, NotFound
from gis.geodesy import haversine_m
from orders import package_store, status, store, transitions
from orders.models import (
    Delivery,
    DeliveryWindow,
    Evidence,
    NewOrder,
    Order,
    OrderDetail,
    Point,
    ProofOfDelivery,
    Recorded,
    Scope,
    Shipment,
    ShipmentDetail,
    check_new_order,
    check_windows,
)
from orders.packing import normalise_epc
from orders.status import EvidenceKind, ShipmentStatus

EVERYONE = transitions.EVERYONE
MAX_EVIDENCE_ID = 200


@dataclass(frozen=True, slots=True)
class Intake:
    order: OrderDetail
    created: bool  # False: this answers an earlier identical request


@dataclass(frozen=True, slots=True)
class DeliveryChanges:
    address: str | None = None
    location: Point | None = None
    windows: tuple[DeliveryWindow, ...] | None = None
    recipient_name: str | None = None
    recipient_phone: str | None = None


# -- orders ---------------------------------------------------------------------------


def create_order(
    conn: psycopg.Connection, order: NewOrder, idempotency_key: str | None = None
) -> Intake:
    """Take an order from the mall: one shipment per depot its lines ship from."""
    order = check_new_order(order)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
        raise InvalidInput("an Idempotency-Key is 1-255 characters", code="bad_idempotency_key")
    fingerprint = order.fingerprint()
    with conn.transaction():
        pk = store.insert_order(conn, order, fingerprint, idempotency_key)
        if pk is None:
            return Intake(_replayed(conn, order, fingerprint, idempotency_key), created=False)
        shipments = {
            depot: store.insert_shipment(conn, "shp_" + secrets.token_hex(8), pk, order, depot)
            for depot in order.depots()
        }
        lines = [(item, shipments[item.depot_id or order.depot_id]) for item in order.items]
        store.insert_items(conn, pk, lines)
        return Intake(_order_detail(conn, order.mall_order_id, EVERYONE), created=True)


def _replayed(
    conn: psycopg.Connection, order: NewOrder, fingerprint: bytes, key: str | None
) -> OrderDetail:
    holders = store.intake_match(conn, order.mall_order_id, key)
    for mall_order_id, held_key, held_fingerprint in holders:
        if key is not None and held_key == key and held_fingerprint != fingerprint:
            raise InvalidInput(
                f"Idempotency-Key {key!r} was used for a different request "
                f"(order {mall_order_id!r})",
                code="idempotency_key_reused",
            )
    for mall_order_id, _, held_fingerprint in holders:
        if mall_order_id == order.mall_order_id:
            if held_fingerprint != fingerprint:
                raise Conflict(
                    f"order {mall_order_id!r} exists with different content", code="order_exists"
                )
            return _order_detail(conn, mall_order_id, EVERYONE)
    # The conflicting row was written by a transaction that has since rolled back.
    raise Conflict("a concurrent intake of this order did not finish; retry", code="retry")


def get_order(conn: psycopg.Connection, mall_order_id: str, scope: Scope) -> OrderDetail:
    with conn.transaction():
        return _order_detail(conn, mall_order_id, scope)


def cancel_order(
    conn: psycopg.Connection, mall_order_id: str, scope: Scope, *, by: str, reason: str = ""
) -> OrderDetail:
    """Cancel every shipment of the order; only while none has been loaded."""
    with conn.transaction():
        order = _locked_order(conn, mall_order_id, scope)
        if order.status != "cancelled":
            shipments = _not_yet_loaded(conn, order, "cancelled")
            evidence = Evidence(
                EvidenceKind.MANUAL,
                f"cancel:{order.mall_order_id}",
                ShipmentStatus.CANCELLED,
                datetime.now(UTC),
                source=by,
                detail={"action": "order_cancelled", "reason": reason},
            )
            for shipment in shipments:
                transitions.apply(conn, shipment, evidence)
        return _order_detail(conn, mall_order_id, scope)


def change_delivery(
    conn: psycopg.Connection, mall_order_id: str, scope: Scope, changes: DeliveryChanges
) -> OrderDetail:
    """New address, position, windows or recipient; only while nothing has been loaded."""
    with conn.transaction():
        order = _locked_order(conn, mall_order_id, scope)
        if order.status == "cancelled":
            raise Conflict(f"order {mall_order_id!r} is cancelled", code="order_cancelled")
        _not_yet_loaded(conn, order, "re-addressed")
        current = order.delivery
        delivery = Delivery(
            address=current.address if changes.address is None else changes.address,
            location=changes.location or current.location,
            windows=check_windows(changes.windows or current.windows),
            recipient_name=_changed(current.recipient_name, changes.recipient_name),
            recipient_phone=_changed(current.recipient_phone, changes.recipient_phone),
        )
        if not delivery.address.strip():
            raise InvalidInput("the delivery address is empty", code="no_address")
        store.update_delivery(conn, order.pk, delivery)
        return _order_detail(conn, mall_order_id, scope)


def _changed(current: str | None, new: str | None) -> str | None:
    """None keeps the current value; an empty string clears it."""
    return current if new is None else (new or None)


def _locked_order(conn: psycopg.Connection, mall_order_id: str, scope: Scope) -> Order:
    order = store.get_order(conn, mall_order_id, scope, lock=True)
    if order is None:
        raise NotFound(f"no order {mall_order_id!r}", code="order_not_found")
    return order


def _not_yet_loaded(conn: psycopg.Connection, order: Order, what: str) -> list[Shipment]:
    shipments = store.shipments_of_order(conn, order.pk)
    late = [s for s in shipments if s.status not in status.NOT_YET_LOADED]
    if late:
        raise Conflict(
            f"order {order.mall_order_id!r} cannot be {what}: shipment {late[0].shipment_id} "
            f"is {late[0].status}",
            code="already_loaded",
        )
    return shipments


def _order_detail(conn: psycopg.Connection, mall_order_id: str, scope: Scope) -> OrderDetail:
    order = store.get_order(conn, mall_order_id, scope)
    if order is None:
        raise NotFound(f"no order {mall_order_id!r}", code="order_not_found")
    return OrderDetail(order, store.items(conn, order.pk), store.shipments_of_order(conn, order.pk))


# -- shipments: reads and plans -------------------------------------------------------


def get_shipment(conn: psycopg.Connection, shipment_id: str, scope: Scope) -> ShipmentDetail:
    """A read without a transaction of its own: at READ COMMITTED each statement takes its
    own snapshot inside one too, and on an autocommit connection (the API's) this spares
    the lookup a BEGIN and a COMMIT."""
    shipment = _shipment(conn, shipment_id, scope)
    order = store.get_order(conn, shipment.mall_order_id, EVERYONE)
    assert order is not None
    return ShipmentDetail(
        shipment,
        order.delivery,
        package_store.of_shipment(conn, shipment.pk),
        store.timeline(conn, shipment.pk),
    )


def page_shipments(
    conn: psycopg.Connection,
    scope: Scope,
    *,
    status: ShipmentStatus | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[Shipment], str | None]:
    """Shipments in scope, newest first, and the cursor of the next page (None: last)."""
    with conn.transaction():
        rows = store.page_shipments(
            conn,
            scope,
            status=status,
            created_from=created_from,
            created_to=created_to,
            after=_decode_cursor(cursor) if cursor else None,
            limit=limit,
        )
    last = rows[-1] if len(rows) == limit else None
    return rows, _encode_cursor(last.created_at, last.shipment_id) if last else None


def _encode_cursor(created_at: datetime, shipment_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{shipment_id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        moment, _, shipment_id = base64.urlsafe_b64decode(cursor).decode().partition("|")
        when = datetime.fromisoformat(moment)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("not a cursor this API handed out", code="bad_cursor") from exc
    if not shipment_id or when.tzinfo is None:
        raise InvalidInput("not a cursor this API handed out", code="bad_cursor")
    return when, shipment_id


def set_plan(
    conn: psycopg.Connection,
    shipment_id: str,
    *,
    route_id: str | None,
    planned_departure_at: datetime | None,
    planned_arrival_at: datetime | None,
) -> Shipment:
    """The route a plan put the shipment on and its planned times (None clears them)."""
    with conn.transaction():
        shipment = _shipment(conn, shipment_id, EVERYONE)
        store.set_plan(conn, shipment.pk, route_id, planned_departure_at, planned_arrival_at)
        return _shipment(conn, shipment_id, EVERYONE)


def _shipment(conn: psycopg.Connection, shipment_id: str, scope: Scope) -> Shipment:
    shipment = store.get_shipment(conn, shipment_id, scope)
    if shipment is None:
        raise NotFound(f"no shipment {shipment_id!r}", code="shipment_not_found")
    return shipment


# -- shipments: status from evidence --------------------------------------------------


def record_evidence(conn: psycopg.Connection, shipment_id: str, evidence: Evidence) -> Recorded:
    """Move a shipment's status on evidence; the entry point of the tracking projections.

    Outcomes: `applied` (the status moved, webhooks queued), `late` (kept in the timeline,
    the shipment is already there or past it), `duplicate` (this evidence id was recorded
    before: nothing changes). Raises NotFound for an unknown shipment and
    Conflict(code="invalid_transition") for evidence the status machine refuses.
    """
    _check_evidence(evidence)
    with conn.transaction():
        shipment = _shipment(conn, shipment_id, EVERYONE)
        store.lock_order(conn, shipment.order_pk)
        return transitions.apply(conn, _shipment(conn, shipment_id, EVERYONE), evidence)


def confirm_delivery(
    conn: psycopg.Connection, shipment_id: str, proof: ProofOfDelivery
) -> Recorded:
    """A driver's confirmation (delivered or failed), or a tag of the shipment read there."""
    if proof.method == "tag_read" and not proof.epc:
        raise InvalidInput("a tag-read proof names the EPC read", code="no_epc")
    if proof.method == "driver_confirmation" and proof.location is None:
        raise InvalidInput("a driver's confirmation carries a position", code="no_location")
    if not proof.delivered and not proof.failure_reason:
        raise InvalidInput("a failed delivery needs a reason", code="no_failure_reason")
    epc = normalise_epc(proof.epc) if proof.epc else None
    detail = {k: v for k, v in asdict(replace(proof, epc=epc)).items() if v is not None}
    with conn.transaction():
        shipment = _shipment(conn, shipment_id, EVERYONE)
        store.lock_order(conn, shipment.order_pk)
        if epc is not None and package_store.shipments_for_epcs(conn, [epc]).get(epc) != (
            shipment.shipment_id
        ):
            raise InvalidInput(f"{epc} is not a tag of {shipment_id}", code="epc_not_in_shipment")
        if proof.location is not None:
            order = store.get_order(conn, shipment.mall_order_id, EVERYONE)
            assert order is not None
            target = order.delivery.location
            detail["distance_to_address_m"] = round(
                haversine_m(proof.location.lat, proof.location.lon, target.lat, target.lon), 1
            )
        evidence = Evidence(
            EvidenceKind.PROOF_OF_DELIVERY,
            proof.pod_id,
            ShipmentStatus.DELIVERED if proof.delivered else ShipmentStatus.DELIVERY_FAILED,
            proof.confirmed_at,
            source=proof.device_id or proof.driver_id or "",
            detail=detail,
        )
        _check_evidence(evidence)
        return transitions.apply(conn, _shipment(conn, shipment_id, EVERYONE), evidence)


def mark(
    conn: psycopg.Connection,
    shipment_id: str,
    target: ShipmentStatus,
    *,
    by: str,
    reason: str,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Recorded:
    """A person's marking (an exception, a return ...), as manual evidence."""
    evidence = Evidence(
        EvidenceKind.MANUAL,
        event_id or "manual:" + secrets.token_hex(8),
        target,
        occurred_at or datetime.now(UTC),
        source=by,
        detail={"reason": reason},
    )
    return record_evidence(conn, shipment_id, evidence)


def _check_evidence(evidence: Evidence) -> None:
    if not 1 <= len(evidence.evidence_id) <= MAX_EVIDENCE_ID:
        raise InvalidInput("an evidence id is 1-200 characters", code="bad_evidence_id")
    if evidence.occurred_at.tzinfo is None:
        raise InvalidInput("evidence times need a UTC offset", code="naive_time")
