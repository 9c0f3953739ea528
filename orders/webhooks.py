"""The webhook sender: takes due deliveries from the outbox and POSTs them to the mall.

Contract (docs/orders.md): a JSON body, the same bytes on every attempt; headers
`Waybill-Delivery` (a UUID the mall dedupes on), `Waybill-Event`, `Waybill-Attempt` and
`Waybill-Signature: sha256=<hex HMAC-SHA256 of the raw body with the shared secret>`.
Any 2xx answer is success; anything else, a timeout or a refused connection is a failure,
retried after an exponentially growing delay with jitter, for as long as it takes
(at-least-once). A delivery waits until every earlier delivery of its order succeeded.

Each delivery is claimed with `FOR UPDATE SKIP LOCKED` and held for the length of one
attempt, so any number of senders can run; a sender that dies mid-attempt releases the
row and the delivery is sent again (the mall sees the same delivery id).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import psycopg

from core.errors import InvalidInput
from core.settings import MallSettings
from orders import outbox

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "Waybill-Signature"


@dataclass(frozen=True, slots=True)
class SenderConfig:
    url: str
    secret: str
    timeout_s: float = 10.0
    retry_base_s: float = 5.0
    retry_max_s: float = 3600.0

    @classmethod
    def from_settings(cls, mall: MallSettings) -> SenderConfig:
        if not mall.webhook_url or not mall.webhook_secret:
            raise InvalidInput(
                "set WAYBILL_MALL__WEBHOOK_URL and WAYBILL_MALL__WEBHOOK_SECRET to send webhooks",
                code="webhooks_not_configured",
            )
        return cls(
            mall.webhook_url,
            mall.webhook_secret,
            mall.timeout_s,
            mall.retry_base_s,
            mall.retry_max_s,
        )


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What the mall does with the signature header (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, body), header)


def retry_delay_s(failures: int, base_s: float, max_s: float, rng: random.Random) -> float:
    """Delay after the `failures`-th failure: base * 2^(n-1), capped, then "equal jitter"
    (half fixed, half random), so senders that failed together do not retry together."""
    ceiling = min(max_s, base_s * 2 ** min(failures - 1, 60))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def send_one(
    conn: psycopg.Connection, client: httpx.Client, config: SenderConfig, rng: random.Random
) -> bool:
    """Attempt the next due delivery; False when none is due."""
    with conn.transaction():
        delivery = outbox.claim_due(conn)
        if delivery is None:
            return False
        started, clock = datetime.now(UTC), time.monotonic()
        status_code, error = _post(client, config, delivery)
        duration_ms = int((time.monotonic() - clock) * 1000)
        next_attempt = None
        if error is not None:
            delay = retry_delay_s(
                delivery.attempts + 1, config.retry_base_s, config.retry_max_s, rng
            )
            next_attempt = datetime.now(UTC) + timedelta(seconds=delay)
            log.info(
                "webhook %s (%s) failed: %s; retry in %.1fs",
                delivery.delivery_id,
                delivery.event,
                error,
                delay,
            )
        outbox.record_attempt(
            conn,
            delivery,
            attempted_at=started,
            duration_ms=duration_ms,
            status_code=status_code,
            error=error,
            next_attempt_at=next_attempt,
        )
    return True


def _post(
    client: httpx.Client, config: SenderConfig, delivery: outbox.Delivery
) -> tuple[int | None, str | None]:
    """(HTTP status, error) of one attempt; error None means the mall took it."""
    headers = {
        "Content-Type": "application/json",
        "Waybill-Delivery": str(delivery.delivery_id),
        "Waybill-Event": delivery.event,
        "Waybill-Attempt": str(delivery.attempts + 1),
        SIGNATURE_HEADER: sign(config.secret, delivery.body),
    }
    try:
        answer = client.post(config.url, content=delivery.body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= answer.status_code < 300:
        return answer.status_code, None
    return answer.status_code, f"HTTP {answer.status_code}"


def run(
    connect: Callable[[], psycopg.Connection],
    config: SenderConfig,
    *,
    once: bool = False,
    poll_s: float = 1.0,
    stop: threading.Event | None = None,
    rng: random.Random | None = None,
) -> int:
    """Send until stopped (or, with `once`, until nothing is due); the attempts made.

    `connect` opens an autocommit connection; it is called again after the database
    goes away, so a restart of PostgreSQL only pauses the sender.
    """
    stop = stop or threading.Event()
    rng = rng or random.Random()
    attempts = 0
    with httpx.Client(timeout=config.timeout_s, follow_redirects=False) as client:
        while not stop.is_set():
            try:
                with connect() as conn:
                    while not stop.is_set():
                        if send_one(conn, client, config, rng):
                            attempts += 1
                        elif once:
                            return attempts
                        else:
                            stop.wait(poll_s)
            except psycopg.OperationalError as exc:
                if once:
                    raise
                log.warning("database unavailable (%s); retrying in %.0fs", exc, poll_s * 5)
                stop.wait(poll_s * 5)
    return attempts
