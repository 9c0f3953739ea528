"""Status changes on real PostgreSQL: evidence recorded once, late news kept, the webhook
outbox written with the change, and cancellation or re-addressing refused once loaded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest

from core.errors import Conflict, InvalidInput
from orders import service
from orders.models import Point, ProofOfDelivery, Scope
from orders.status import ShipmentStatus
from tests.orders.builders import DAY, HAPPY_PATH, evidence, new_order

EVERYONE = Scope("everyone")


@pytest.fixture
def db(database: str) -> Iterator[psycopg.Connection]:
    """A connection whose service calls commit (ids are unique per test)."""
    with psycopg.connect(database) as connection:
        yield connection


def place(db: psycopg.Connection, mall_order_id: str, **kwargs: object) -> list[str]:
    detail = service.create_order(db, new_order(mall_order_id, **kwargs)).order  # type: ignore[arg-type]
    return [s.shipment_id for s in detail.shipments]


def outbox(db: psycopg.Connection, mall_order_id: str) -> list[tuple[int, str]]:
    with db.transaction():
        return db.execute(
            """SELECT w.seq, w.event FROM webhook_outbox w JOIN orders o ON o.pk = w.order_pk
               WHERE o.mall_order_id = %s ORDER BY w.seq""",
            (mall_order_id,),
        ).fetchall()


def drive(db: psycopg.Connection, shipment_id: str, uid: str, steps: list[tuple[str, str]]) -> None:
    for minute, (status, kind) in enumerate(steps, start=1):
        recorded = service.record_evidence(
            db, shipment_id, evidence(status, kind, f"{kind}-{uid}-{minute}", minute)
        )
        assert recorded.outcome == "applied"


def test_the_happy_path_records_every_step_and_tells_the_mall(
    db: psycopg.Connection, uid: str
) -> None:
    """Evidence walks a shipment from created to delivered; the timeline holds each step with
    its evidence, and the outbox holds shipped then delivered, numbered 1 and 2."""
    (shipment_id,) = place(db, f"MO-{uid}")
    drive(db, shipment_id, uid, HAPPY_PATH)
    detail = service.get_shipment(db, shipment_id, EVERYONE)
    assert detail.shipment.status is ShipmentStatus.DELIVERED
    assert detail.shipment.shipped_at == DAY + timedelta(minutes=3)
    assert [(e.from_status, e.status, e.kind) for e in detail.timeline] == [
        (before, after, kind)
        for before, (after, kind) in zip(
            ["created"] + [s for s, _ in HAPPY_PATH], HAPPY_PATH, strict=False
        )
    ]
    assert outbox(db, f"MO-{uid}") == [(1, "shipment.shipped"), (2, "shipment.delivered")]
    assert service.get_order(db, f"MO-{uid}", EVERYONE).order.status == "completed"


def test_the_same_evidence_twice_changes_nothing(db: psycopg.Connection, uid: str) -> None:
    """Recording one EPCIS event or geofence transition again is a duplicate: no new timeline
    entry, no status change, no second webhook."""
    (shipment_id,) = place(db, f"MO-{uid}")
    drive(db, shipment_id, uid, HAPPY_PATH[:2])
    exit_fence = evidence("in_transit", "geofence", f"fence-{uid}", 10)
    assert service.record_evidence(db, shipment_id, exit_fence).outcome == "applied"
    again = service.record_evidence(db, shipment_id, exit_fence)
    assert again.outcome == "duplicate"
    assert again.shipment.status is ShipmentStatus.IN_TRANSIT
    assert len(service.get_shipment(db, shipment_id, EVERYONE).timeline) == 3
    assert outbox(db, f"MO-{uid}") == [(1, "shipment.shipped")]


def test_late_evidence_is_kept_but_moves_nothing(db: psycopg.Connection, uid: str) -> None:
    """A geofence exit flushed after the delivery lands in the timeline as not applied."""
    (shipment_id,) = place(db, f"MO-{uid}")
    drive(db, shipment_id, uid, HAPPY_PATH)
    late = service.record_evidence(
        db, shipment_id, evidence("in_transit", "geofence", f"g-{uid}", 2)
    )
    assert (late.outcome, late.shipment.status) == ("late", ShipmentStatus.DELIVERED)
    timeline = service.get_shipment(db, shipment_id, EVERYONE).timeline
    assert [(e.status, e.applied) for e in timeline if e.evidence_id == f"g-{uid}"] == [
        (ShipmentStatus.IN_TRANSIT, False)
    ]


def test_refused_evidence_leaves_no_trace(db: psycopg.Connection, uid: str) -> None:
    """Evidence the machine refuses raises invalid_transition and records nothing."""
    (shipment_id,) = place(db, f"MO-{uid}")
    with pytest.raises(Conflict) as refused:
        service.record_evidence(db, shipment_id, evidence("delivered", "geofence", f"x-{uid}"))
    assert refused.value.code == "invalid_transition"
    assert service.get_shipment(db, shipment_id, EVERYONE).timeline == []


def test_a_rolled_back_change_leaves_no_webhook(db: psycopg.Connection, uid: str) -> None:
    """The outbox row is written in the status change's transaction: roll that back and
    neither the status nor the webhook exists."""
    (shipment_id,) = place(db, f"MO-{uid}")
    drive(db, shipment_id, uid, HAPPY_PATH[:2])
    with db.transaction():
        service.record_evidence(db, shipment_id, evidence("in_transit", "geofence", f"g-{uid}"))
        assert outbox(db, f"MO-{uid}") == [(1, "shipment.shipped")]
        raise psycopg.Rollback()
    assert outbox(db, f"MO-{uid}") == []
    assert service.get_shipment(db, shipment_id, EVERYONE).shipment.status is ShipmentStatus.LOADED


def test_a_failed_attempt_goes_out_again_and_is_delivered(db: psycopg.Connection, uid: str) -> None:
    """A failed delivery (driver's report) returns to out_for_delivery on a newer route plan
    and ends delivered; the mall hears shipped, failed, delivered in that order."""
    (shipment_id,) = place(db, f"MO-{uid}")
    drive(db, shipment_id, uid, HAPPY_PATH[:5])
    failed = ProofOfDelivery(
        f"pod-{uid}-1", DAY + timedelta(minutes=30), delivered=False,
        location=Point(120.2457, 30.3311), failure_reason="recipient_absent",
    )  # fmt: skip
    assert service.confirm_delivery(db, shipment_id, failed).outcome == "applied"
    replanned = evidence("out_for_delivery", "route_plan", f"plan-{uid}-2", 60 * 24)
    assert service.record_evidence(db, shipment_id, replanned).outcome == "applied"
    done = ProofOfDelivery(
        f"pod-{uid}-2", DAY + timedelta(days=1, minutes=30), location=Point(120.2456, 30.3312),
        recipient_name="Ms. Chen", photo_ref="s3://pod/1.jpg",
    )  # fmt: skip
    recorded = service.confirm_delivery(db, shipment_id, done)
    assert recorded.shipment.status is ShipmentStatus.DELIVERED
    assert [e for _, e in outbox(db, f"MO-{uid}")] == [
        "shipment.shipped",
        "shipment.delivery_failed",
        "shipment.delivered",
    ]
    proof = service.get_shipment(db, shipment_id, EVERYONE).timeline[-1].evidence
    assert proof["photo_ref"] == "s3://pod/1.jpg" and proof["distance_to_address_m"] < 1


def test_proof_of_delivery_needs_its_facts(db: psycopg.Connection, uid: str) -> None:
    """A driver's confirmation without a position, a failure without a reason, or a tag read
    of a tag that is not in the shipment are refused as invalid input."""
    (shipment_id,) = place(db, f"MO-{uid}")
    drive(db, shipment_id, uid, HAPPY_PATH[:5])
    at = DAY + timedelta(hours=1)
    bad = [
        ProofOfDelivery(f"p1-{uid}", at),
        ProofOfDelivery(f"p2-{uid}", at, delivered=False, location=Point(120.2, 30.3)),
        ProofOfDelivery(
            f"p3-{uid}", at, method="tag_read", epc="urn:epc:id:sscc:0614141.1999999999"
        ),
    ]
    for proof in bad:
        with pytest.raises(InvalidInput):
            service.confirm_delivery(db, shipment_id, proof)
    assert (
        service.get_shipment(db, shipment_id, EVERYONE).shipment.status is ShipmentStatus.ARRIVING
    )


def test_cancellation_and_readdressing_are_refused_once_loaded(
    db: psycopg.Connection, uid: str
) -> None:
    """Once any shipment of the order is loaded, cancel and address change answer
    already_loaded and change nothing; before that both work."""
    first, second = place(db, f"MO-{uid}", depots=("wh-a", "wh-b"))
    moved = service.change_delivery(
        db, f"MO-{uid}", EVERYONE, service.DeliveryChanges(address="Gate 3, Jiubao Road")
    )
    assert moved.order.delivery.address == "Gate 3, Jiubao Road"
    drive(db, second, uid, HAPPY_PATH[:2])
    for attempt in (
        lambda: service.cancel_order(db, f"MO-{uid}", EVERYONE, by="mall"),
        lambda: service.change_delivery(
            db, f"MO-{uid}", EVERYONE, service.DeliveryChanges(address="elsewhere")
        ),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "already_loaded"
    order = service.get_order(db, f"MO-{uid}", EVERYONE)
    assert order.order.status == "open" and order.order.delivery.address == "Gate 3, Jiubao Road"
    assert [s.status for s in order.shipments] == ["created", "loaded"]


def test_cancelling_twice_is_harmless(db: psycopg.Connection, uid: str) -> None:
    """A cancelled order stays cancelled when cancelled again; every shipment is cancelled
    with the cancellation as its evidence, and no webhook goes out."""
    place(db, f"MO-{uid}", depots=("wh-a", "wh-b"))
    first = service.cancel_order(db, f"MO-{uid}", EVERYONE, by="mall", reason="buyer asked")
    again = service.cancel_order(db, f"MO-{uid}", EVERYONE, by="mall")
    assert first.order.status == again.order.status == "cancelled"
    assert {s.status for s in again.shipments} == {ShipmentStatus.CANCELLED}
    timeline = service.get_shipment(db, again.shipments[0].shipment_id, EVERYONE).timeline
    assert [(e.kind, e.evidence["reason"]) for e in timeline] == [("manual", "buyer asked")]
    assert outbox(db, f"MO-{uid}") == []


def test_evidence_for_an_unknown_shipment_is_not_found(db: psycopg.Connection, uid: str) -> None:
    """A projection naming a shipment that does not exist gets shipment_not_found."""
    with pytest.raises(Exception) as missing:
        service.record_evidence(db, f"shp_{uid}", evidence("packed", "epcis_event", uid))
    assert getattr(missing.value, "code", None) == "shipment_not_found"


def test_concurrent_writers_number_an_orders_webhooks_without_gaps(database: str, uid: str) -> None:
    """Two threads driving the two shipments of one order at once leave its webhooks
    numbered 1..4 without gaps or repeats, each shipment's shipped before its delivered."""
    with psycopg.connect(database) as conn:
        first, second = place(conn, f"MO-{uid}", depots=("wh-a", "wh-b"))
    start = threading.Barrier(2)

    def run(shipment_id: str) -> None:
        with psycopg.connect(database) as conn:
            start.wait()
            drive(conn, shipment_id, f"{uid}-{shipment_id}", HAPPY_PATH)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, [first, second]))
    with psycopg.connect(database) as conn:
        rows = conn.execute(
            """SELECT w.seq, w.event, w.body FROM webhook_outbox w
               JOIN orders o ON o.pk = w.order_pk WHERE o.mall_order_id = %s ORDER BY w.seq""",
            (f"MO-{uid}",),
        ).fetchall()
    assert [seq for seq, _, _ in rows] == [1, 2, 3, 4]
    for shipment_id in (first, second):
        events = [e for _, e, body in rows if shipment_id.encode() in body]
        assert events == ["shipment.shipped", "shipment.delivered"]
