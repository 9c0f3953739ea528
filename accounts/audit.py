"""The audit log of privileged actions: who did what to which object, when, from where.

A record is written in the same transaction as the action where the action is ours alone;
where it also changes the broker (device credentials), right after the action commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import psycopg
from psycopg.rows import class_row

from accounts.models import Caller


@dataclass(frozen=True, slots=True)
class AuditEntry:
    audit_id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    target: str
    details: dict[str, Any]
    remote_addr: str | None


def record(
    conn: psycopg.Connection,
    caller: Caller,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
    remote_addr: str | None = None,
) -> None:
    """Add one entry inside the caller's transaction. `details` must never hold a secret."""
    conn.execute(
        """INSERT INTO audit_log (actor, actor_role, action, target, details, remote_addr)
           VALUES (%s, %s, %s, %s, %s::jsonb, %s)""",
        (
            caller.subject,
            caller.role,
            action,
            target,
            orjson.dumps(details or {}).decode(),
            remote_addr,
        ),
    )


def entries(
    conn: psycopg.Connection,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    after_id: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Oldest first, a keyset page after `after_id`."""
    with conn.cursor(row_factory=class_row(AuditEntry)) as cur:
        cur.execute(
            """SELECT audit_pk AS audit_id, at, actor, actor_role, action, target, details,
                      remote_addr
                 FROM audit_log
                WHERE (%(action)s::text IS NULL OR action = %(action)s)
                  AND (%(actor)s::text IS NULL OR actor = %(actor)s)
                  AND (%(since)s::timestamptz IS NULL OR at >= %(since)s)
                  AND (%(after)s::bigint IS NULL OR audit_pk > %(after)s)
                ORDER BY audit_pk LIMIT %(limit)s""",
            {"action": action, "actor": actor, "since": since, "after": after_id, "limit": limit},
        )
        return cur.fetchall()
