"""Real accounts for the benchmarks' API clients: an API key for the mall's side, a signed-in
person for staff, made in the benchmark's own database."""

from __future__ import annotations

import secrets

from accounts import api_keys, sessions
from accounts import users as accounts
from accounts.passwords import Passwords
from core.db import connect
from core.settings import AuthSettings


def api_key(db_url: str, name: str) -> str:
    with connect(db_url) as conn:
        _key, secret = api_keys.create(conn, name, "bench")
    return secret


def person_token(db_url: str, role: str, **binding: str) -> str:
    """A new account of `role` (a hash cheap to make: the benchmark is not about the KDF)
    and a session's access token, valid for a day."""
    settings = AuthSettings(argon2_time_cost=1, argon2_memory_kib=8192, access_ttl_s=86400)
    with connect(db_url) as conn, conn.transaction():
        user = accounts.create(
            conn,
            Passwords(settings),
            username=f"bench-{role}-{secrets.token_hex(4)}",
            password=secrets.token_urlsafe(16),
            role=role,
            **binding,
        )
        return sessions.issue(conn, user.user_pk, settings).access_token
