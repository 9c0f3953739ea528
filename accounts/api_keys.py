"""The mall's API keys (role `integration`): shown once, kept as a digest, rotatable.

A key reads `wbk_<id>_<secret>`: the 8-hex id is public (lists, audit log) and finds the
row; the secret is compared by digest in constant time.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

from accounts import tokens
from accounts.models import Caller
from core.errors import NotFound


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    name: str
    role: str
    created_by: str
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None


_COLUMNS = "prefix AS key_id, name, role, created_by, created_at, rotated_at, revoked_at"


def _compose(key_id: str) -> tuple[str, bytes]:
    secret = tokens.new_token("")
    key = f"{tokens.API_KEY_PREFIX}{key_id}_{secret}"
    return key, tokens.digest(key)


def create(conn: psycopg.Connection, name: str, created_by: str) -> tuple[ApiKey, str]:
    """A new key; the second value is the key itself, which is never shown again."""
    with conn.transaction(), conn.cursor(row_factory=class_row(ApiKey)) as cur:
        while True:
            key_id = tokens.new_key_id()
            key, key_digest = _compose(key_id)
            cur.execute(
                f"""INSERT INTO api_keys (prefix, secret_digest, name, created_by)
                    VALUES (%s, %s, %s, %s) ON CONFLICT (prefix) DO NOTHING
                    RETURNING {_COLUMNS}""",
                (key_id, key_digest, name, created_by),
            )
            row = cur.fetchone()
            if row is not None:
                return row, key


def rotate(conn: psycopg.Connection, key_id: str) -> tuple[ApiKey, str]:
    """A new secret for the same key id; the old secret stops working at once."""
    key, key_digest = _compose(key_id)
    with conn.transaction(), conn.cursor(row_factory=class_row(ApiKey)) as cur:
        cur.execute(
            f"""UPDATE api_keys SET secret_digest = %s, rotated_at = now()
                 WHERE prefix = %s AND revoked_at IS NULL RETURNING {_COLUMNS}""",
            (key_digest, key_id),
        )
        row = cur.fetchone()
    if row is None:
        raise NotFound(f"no live API key {key_id!r}", code="api_key_not_found")
    return row, key


def revoke(conn: psycopg.Connection, key_id: str) -> ApiKey:
    with conn.transaction(), conn.cursor(row_factory=class_row(ApiKey)) as cur:
        cur.execute(
            f"""UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
                 WHERE prefix = %s RETURNING {_COLUMNS}""",
            (key_id,),
        )
        row = cur.fetchone()
    if row is None:
        raise NotFound(f"no API key {key_id!r}", code="api_key_not_found")
    return row


def list_keys(conn: psycopg.Connection) -> list[ApiKey]:
    with conn.cursor(row_factory=class_row(ApiKey)) as cur:
        cur.execute(f"SELECT {_COLUMNS} FROM api_keys ORDER BY created_at, prefix")
        return cur.fetchall()


async def authenticate(conn: psycopg.AsyncConnection, presented: str) -> Caller | None:
    """The caller an API key speaks for (the API's event loop looks keys up)."""
    body = presented.removeprefix(tokens.API_KEY_PREFIX)
    key_id, _, _secret = body.partition("_")
    cur = await conn.execute(
        "SELECT secret_digest, role FROM api_keys WHERE prefix = %s AND revoked_at IS NULL",
        (key_id,),
    )
    row = await cur.fetchone()
    if row is None or not hmac.compare_digest(bytes(row[0]), tokens.digest(presented)):
        return None
    return Caller(subject=f"key:{key_id}", role=row[1])
