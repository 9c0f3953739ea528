"""Accounts for tests: real rows in the real database, made without the sign-in round trip
where a test is not about signing in.

`install_token` gives a chosen string the rights of a role, so fixtures can keep readable
tokens; `bearer` makes a fresh account and returns a valid access token; `create_user`
makes an account that can sign in with its password.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from functools import cache

from accounts import tokens
from accounts import users as accounts
from accounts.passwords import Passwords
from core.db import connect
from core.settings import AuthSettings

# Cheap hashes: these tests are not about the KDF's cost.
FAST = AuthSettings(argon2_time_cost=1, argon2_memory_kib=8192)


@cache
def passwords() -> Passwords:
    return Passwords(FAST)


@cache
def _unknown_password_hash() -> str:
    return passwords().hash(secrets.token_urlsafe(16))


def create_user(
    db_url: str,
    username: str,
    password: str,
    role: str,
    *,
    shop_id: str | None = None,
    buyer_id: str | None = None,
) -> accounts.User:
    with connect(db_url) as conn:
        return accounts.create(
            conn,
            passwords(),
            username=username,
            password=password,
            role=role,
            shop_id=shop_id,
            buyer_id=buyer_id,
        )


def install_token(
    db_url: str,
    token: str,
    role: str,
    *,
    shop_id: str | None = None,
    buyer_id: str | None = None,
    ttl: timedelta = timedelta(days=1),
) -> str:
    """Make `token` a bearer token of `role`. For `integration` it must read like an API key,
    `wbk_<id>_<secret>`, and becomes one."""
    with connect(db_url) as conn, conn.transaction():
        if role == "integration":
            key_id, _, secret = token.removeprefix(tokens.API_KEY_PREFIX).partition("_")
            assert token.startswith(tokens.API_KEY_PREFIX) and key_id and secret, token
            conn.execute(
                """INSERT INTO api_keys (prefix, secret_digest, name, created_by)
                   VALUES (%s, %s, 'test', 'test')""",
                (key_id, tokens.digest(token)),
            )
            return token
        user_pk = conn.execute(
            """INSERT INTO users (username, password_hash, role, shop_id, buyer_id)
               VALUES (%s, %s, %s, %s, %s) RETURNING user_pk""",
            (f"t-{uuid.uuid4().hex[:16]}", _unknown_password_hash(), role, shop_id, buyer_id),
        ).fetchone()[0]
        conn.execute(
            """INSERT INTO auth_sessions (user_pk, access_digest, access_expires_at,
                                          refresh_digest, refresh_expires_at)
               VALUES (%s, %s, now() + %s, %s, now() + %s)""",
            (user_pk, tokens.digest(token), ttl, tokens.digest(uuid.uuid4().hex), ttl),
        )
    return token


def bearer(
    db_url: str, role: str, *, shop_id: str | None = None, buyer_id: str | None = None
) -> str:
    """A fresh account (or API key) of `role` and a valid token for it."""
    if role == "integration":
        token = f"{tokens.API_KEY_PREFIX}{uuid.uuid4().hex}_{secrets.token_urlsafe(24)}"
    else:
        token = tokens.new_token(tokens.ACCESS_PREFIX)
    return install_token(db_url, token, role, shop_id=shop_id, buyer_id=buyer_id)
