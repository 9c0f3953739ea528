"""Dead-letter use cases: list, show, count, and replay through the ingest pipeline.

A replay runs the stored bytes through the same pipeline as live traffic, with the device
registry as it is now (a device provisioned since is found) and the original receipt time
as the clock. A message that is accepted now is marked replayed; one that is still
rejected stays pending, with the new reason in `replay_outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from core.errors import InvalidInput, NotFound
from devices import service as devices
from ingest import dead_letter_store as store
from ingest import pipeline, service

MAX_REPLAY = 1000


@dataclass(frozen=True, slots=True)
class ReplayResult:
    letter_id: int
    outcome: str  # "stored" or "rejected:<reason>"


def page(
    conn: psycopg.Connection, where: store.Filter, before_id: int | None, limit: int
) -> list[store.DeadLetterRow]:
    with conn.transaction():
        return store.page(conn, where, before_id, limit)


def show(conn: psycopg.Connection, letter_id: int) -> tuple[store.DeadLetterRow, bytes]:
    with conn.transaction():
        found = store.get(conn, letter_id)
    if found is None:
        raise NotFound(f"no dead letter {letter_id}", code="dead_letter_not_found")
    return found


def counts(conn: psycopg.Connection, where: store.Filter) -> dict[str, int]:
    with conn.transaction():
        return store.counts_by_reason(conn, where)


def replay(
    conn: psycopg.Connection,
    rules: service.Rules,
    *,
    ids: list[int] | None,
    where: store.Filter,
    limit: int,
) -> list[ReplayResult]:
    if not 1 <= limit <= MAX_REPLAY:
        raise InvalidInput(f"limit must be 1-{MAX_REPLAY}", code="bad_limit")
    results: list[ReplayResult] = []
    with conn.transaction():
        claimed = store.claim(conn, ids, where, limit)
        messages = [pipeline.Message(topic, payload, at) for _, topic, payload, at in claimed]
        known = devices.lookup(conn, list(pipeline.device_ids(messages)))
        prepared = service.prepare(messages, known.get, rules)
        prepared.batch.dead_letters.clear()  # they exist already; the outcome is marked below
        service.write(conn, prepared)
        now = datetime.now(UTC)
        for (letter_id, *_), outcome in zip(claimed, prepared.outcomes, strict=True):
            if outcome.dead_letter is None:
                store.mark(conn, letter_id, "stored", now)
                results.append(ReplayResult(letter_id, "stored"))
            else:
                verdict = f"rejected:{outcome.dead_letter.reason.value}"
                store.mark(conn, letter_id, verdict, None)
                results.append(ReplayResult(letter_id, verdict))
    return results
