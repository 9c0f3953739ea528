"""Webhooks reach a real local HTTP server that fails on purpose: each delivery id succeeds
exactly once, in order per order, every signature verifies, and retries back off."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest

from orders import service, webhooks
from orders.models import Point, ProofOfDelivery
from tests.conftest import wait_for
from tests.orders.builders import DAY, HAPPY_PATH, evidence, new_order
from tests.orders.mall_server import Mall

SECRET = "test-webhook-secret"


def config(mall: Mall) -> webhooks.SenderConfig:
    return webhooks.SenderConfig(
        mall.url, SECRET, timeout_s=0.25, retry_base_s=0.02, retry_max_s=0.2
    )


@contextmanager
def senders(database: str, mall: Mall, count: int) -> Iterator[None]:
    """`count` sender loops on their own connections, stopped on exit."""
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=webhooks.run,
            args=(lambda: psycopg.connect(database, autocommit=True), config(mall)),
            kwargs={"stop": stop, "poll_s": 0.02, "rng": random.Random(n)},
            daemon=True,
        )
        for n in range(count)
    ]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)


def deliveries(database: str, uid: str) -> dict[str, list[tuple[str, int, bool]]]:
    """Per mall order id of this test: (delivery id, seq, delivered) in seq order."""
    with psycopg.connect(database) as conn:
        rows = conn.execute(
            """SELECT o.mall_order_id, w.delivery_id::text, w.seq, w.delivered_at IS NOT NULL
               FROM webhook_outbox w JOIN orders o ON o.pk = w.order_pk
               WHERE o.mall_order_id LIKE %s ORDER BY o.mall_order_id, w.seq""",
            (f"MO-{uid}-%",),
        ).fetchall()
    found: dict[str, list[tuple[str, int, bool]]] = {}
    for order, delivery_id, seq, done in rows:
        found.setdefault(order, []).append((delivery_id, seq, done))
    return found


def walk(
    conn: psycopg.Connection, shipment_id: str, tag: str, steps: list[tuple[str, str]]
) -> None:
    for minute, (status, kind) in enumerate(steps, start=1):
        service.record_evidence(
            conn, shipment_id, evidence(status, kind, f"{tag}-{minute}", minute)
        )


def proof(pod_id: str, minutes: int, delivered: bool = True) -> ProofOfDelivery:
    return ProofOfDelivery(
        pod_id,
        DAY + timedelta(minutes=minutes),
        delivered=delivered,
        location=Point(120.2456, 30.3312),
        failure_reason=None if delivered else "recipient_absent",
    )


def test_each_delivery_succeeds_once_in_order_and_signed(database: str, uid: str) -> None:
    """While two senders run, a writer drives four orders (one with two shipments, one
    failing first, one returned, one cancelled); the flaky mall ends with every delivery id
    accepted exactly once, per order in sequence, every signature valid."""
    with Mall(SECRET) as mall, senders(database, mall, 2), psycopg.connect(database) as conn:
        two = service.create_order(conn, new_order(f"MO-{uid}-a", depots=("wh-1", "wh-2")))
        for shipment in two.order.shipments:
            walk(conn, shipment.shipment_id, f"{uid}-{shipment.depot_id}", HAPPY_PATH)
        retried = service.create_order(conn, new_order(f"MO-{uid}-b")).order.shipments[0]
        walk(conn, retried.shipment_id, f"{uid}-b", HAPPY_PATH[:5])
        service.confirm_delivery(conn, retried.shipment_id, proof(f"{uid}-pod-1", 30, False))
        again = evidence("out_for_delivery", "route_plan", f"{uid}-plan-2", 90)
        service.record_evidence(conn, retried.shipment_id, again)
        service.confirm_delivery(conn, retried.shipment_id, proof(f"{uid}-pod-2", 120))
        back = service.create_order(conn, new_order(f"MO-{uid}-c")).order.shipments[0]
        walk(conn, back.shipment_id, f"{uid}-c", HAPPY_PATH[:3])
        service.mark(conn, back.shipment_id, "returned", by="ops", reason="refused at gate")
        service.create_order(conn, new_order(f"MO-{uid}-d"))
        service.cancel_order(conn, f"MO-{uid}-d", service.EVERYONE, by="mall")

        expected = {
            f"MO-{uid}-a": ["shipped", "delivered", "shipped", "delivered"],
            f"MO-{uid}-b": ["shipped", "delivery_failed", "delivered"],
            f"MO-{uid}-c": ["shipped", "returned"],
        }
        total = sum(len(events) for events in expected.values())

        def all_delivered() -> bool:
            rows = [row for order in deliveries(database, uid).values() for row in order]
            return len(rows) == total and all(done for _, _, done in rows)

        wait_for(all_delivered, timeout_s=60, what="every webhook of the test delivered")

    outbox = deliveries(database, uid)
    assert mall.bad_signatures == [] and mall.out_of_order == []
    assert mall.failures > 0, "the mall should have failed some attempts"
    for order, events in expected.items():
        received = mall.delivered[order]
        assert [d["event"] for d in received] == [f"shipment.{e}" for e in events]
        assert [d["sequence"] for d in received] == list(range(1, len(events) + 1))
        assert [d["delivery_id"] for d in received] == [row[0] for row in outbox[order]]
        assert all(mall.successes[d["delivery_id"]] == 1 for d in received)
    assert f"MO-{uid}-d" not in outbox
    failed = mall.delivered[f"MO-{uid}-b"][1]
    assert failed["evidence"]["kind"] == "proof_of_delivery"
    assert failed["evidence"]["detail"]["failure_reason"] == "recipient_absent"


def test_a_failing_delivery_holds_back_the_rest_of_its_order(database: str, uid: str) -> None:
    """While the mall keeps refusing an order's first delivery, its second is never sent;
    the attempts are logged with their status and spaced out by the backoff."""
    with psycopg.connect(database) as conn:
        shipment = service.create_order(conn, new_order(f"MO-{uid}-x")).order.shipments[0]
        walk(conn, shipment.shipment_id, uid, HAPPY_PATH)
    (first, _, _), (second, _, _) = deliveries(database, uid)[f"MO-{uid}-x"]
    refusing = Mall(SECRET, policy=lambda d, n: "503" if d == first else None)
    with refusing as mall, senders(database, mall, 2):
        wait_for(lambda: mall.attempts[first] >= 4, timeout_s=30, what="four attempts")
    assert mall.attempts[second] == 0
    with psycopg.connect(database) as conn:
        rows = conn.execute(
            """SELECT a.status_code, a.attempted_at FROM webhook_attempts a
               JOIN webhook_outbox w ON w.pk = a.delivery_pk
               WHERE w.delivery_id = %s ORDER BY a.attempt""",
            (first,),
        ).fetchall()
    assert [code for code, _ in rows[:4]] == [503] * 4
    gaps = [(b - a).total_seconds() for (_, a), (_, b) in zip(rows, rows[1:], strict=False)]
    assert all(gap >= 0.01 for gap in gaps), gaps  # at least half the first delay


def test_signatures_verify_only_the_exact_body() -> None:
    """The signature is HMAC-SHA256 over the raw body: another body or key does not verify."""
    body = b'{"event":"shipment.delivered"}'
    header = webhooks.sign(SECRET, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert webhooks.verify(SECRET, body, header)
    assert not webhooks.verify(SECRET, body + b" ", header)
    assert not webhooks.verify("other", body, header)


@pytest.mark.parametrize("failures", [1, 2, 3, 8, 40])
def test_backoff_doubles_within_jitter_and_is_capped(failures: int) -> None:
    """The n-th failure waits between half and all of min(cap, base * 2^(n-1))."""
    rng = random.Random(failures)
    ceiling = min(60.0, 5.0 * 2 ** (failures - 1))
    delays = [webhooks.retry_delay_s(failures, 5.0, 60.0, rng) for _ in range(200)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert max(delays) - min(delays) > ceiling / 10  # jittered, not a fixed step
