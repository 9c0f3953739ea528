"""Sign-in sessions: a short-lived access token and a rotating refresh token per session.

Every refresh replaces both tokens. The refresh token it replaced is remembered: if it is
ever presented again, someone holds a copy, and the session ends for everyone (the person
signs in again). Logout ends one session; a change of the account ends all of its sessions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import psycopg

from accounts import tokens
from accounts.models import Caller
from accounts.passwords import Passwords
from core.errors import Unauthenticated
from core.settings import AuthSettings


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    username: str
    role: str


BAD_CREDENTIALS = "wrong username or password"


def check_password(
    conn: psycopg.Connection, passwords: Passwords, username: str, password: str
) -> int | None:
    """The account's key if `password` is right and the account enabled, else None: the
    same answer for an unknown user, in about the same time. Upgrades an old hash."""
    row = conn.execute(
        "SELECT user_pk, password_hash, disabled_at IS NOT NULL FROM users WHERE username = %s",
        (username.strip().lower(),),
    ).fetchone()
    ok = passwords.verify(row[1] if row else None, password)
    if row is None or not ok or row[2]:
        return None
    if passwords.needs_rehash(row[1]):
        conn.execute(
            "UPDATE users SET password_hash = %s WHERE user_pk = %s",
            (passwords.hash(password), row[0]),
        )
    return row[0]


def login(
    conn: psycopg.Connection,
    passwords: Passwords,
    settings: AuthSettings,
    username: str,
    password: str,
) -> Tokens:
    """A new session for a person whose password matches; one answer for every failure."""
    with conn.transaction():
        user_pk = check_password(conn, passwords, username, password)
        if user_pk is None:
            raise Unauthenticated(BAD_CREDENTIALS, code="bad_credentials")
        return issue(conn, user_pk, settings)


def issue(conn: psycopg.Connection, user_pk: int, settings: AuthSettings) -> Tokens:
    """A new session for `user_pk`, inside the caller's transaction."""
    access = tokens.new_token(tokens.ACCESS_PREFIX)
    refresh = tokens.new_token(tokens.REFRESH_PREFIX)
    row = conn.execute("SELECT username, role FROM users WHERE user_pk = %s", (user_pk,)).fetchone()
    assert row is not None
    conn.execute(
        """INSERT INTO auth_sessions (user_pk, access_digest, access_expires_at,
                                      refresh_digest, refresh_expires_at)
           VALUES (%s, %s, now() + %s, %s, now() + %s)""",
        (
            user_pk,
            tokens.digest(access),
            timedelta(seconds=settings.access_ttl_s),
            tokens.digest(refresh),
            timedelta(seconds=settings.refresh_ttl_s),
        ),
    )
    if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
        forget_old(conn)
    return Tokens(access, refresh, settings.access_ttl_s, settings.refresh_ttl_s, row[0], row[1])


def forget_old(conn: psycopg.Connection) -> int:
    """Delete sessions that can never be used again: refresh expired a day ago, or revoked
    a month ago (kept that long so a stolen refresh token still ends in `session_ended`).
    Sessions grow only with sign-ins, so every hundredth sign-in tidies up."""
    return conn.execute(
        """DELETE FROM auth_sessions WHERE refresh_expires_at < now() - interval '1 day'
                                        OR revoked_at < now() - interval '30 days'"""
    ).rowcount


async def authenticate(conn: psycopg.AsyncConnection, access_token: str) -> Caller | None:
    """The caller an access token speaks for (the API's event loop looks tokens up)."""
    cur = await conn.execute(
        """SELECT u.username, u.role, u.shop_id, u.buyer_id, s.session_pk
             FROM auth_sessions s JOIN users u USING (user_pk)
            WHERE s.access_digest = %s AND s.access_expires_at > now()
              AND s.revoked_at IS NULL AND u.disabled_at IS NULL""",
        (tokens.digest(access_token),),
    )
    row = await cur.fetchone()
    if row is None:
        return None
    return Caller(subject=row[0], role=row[1], shop_id=row[2], buyer_id=row[3], session_pk=row[4])


def refresh(conn: psycopg.Connection, refresh_token: str, settings: AuthSettings) -> Tokens:
    presented = tokens.digest(refresh_token)
    with conn.transaction():
        row = conn.execute(
            """SELECT s.session_pk, s.user_pk, s.refresh_expires_at > now(),
                      s.revoked_at IS NULL AND u.disabled_at IS NULL, u.username, u.role
                 FROM auth_sessions s JOIN users u USING (user_pk)
                WHERE s.refresh_digest = %s FOR UPDATE OF s""",
            (presented,),
        ).fetchone()
        if row is None:
            reused = conn.execute(
                """UPDATE auth_sessions SET revoked_at = coalesce(revoked_at, now()),
                          revoked_reason = coalesce(revoked_reason, 'refresh token reused')
                    WHERE previous_refresh_digest = %s RETURNING session_pk""",
                (presented,),
            ).fetchone()
            if reused is None:
                raise Unauthenticated("the refresh token is not valid", code="bad_refresh_token")
        elif row[2] and row[3]:
            access = tokens.new_token(tokens.ACCESS_PREFIX)
            new_refresh = tokens.new_token(tokens.REFRESH_PREFIX)
            conn.execute(
                """UPDATE auth_sessions SET access_digest = %s, access_expires_at = now() + %s,
                          previous_refresh_digest = refresh_digest, refresh_digest = %s,
                          refresh_expires_at = now() + %s, refreshed_at = now()
                    WHERE session_pk = %s""",
                (
                    tokens.digest(access),
                    timedelta(seconds=settings.access_ttl_s),
                    tokens.digest(new_refresh),
                    timedelta(seconds=settings.refresh_ttl_s),
                    row[0],
                ),
            )
            return Tokens(
                access, new_refresh, settings.access_ttl_s, settings.refresh_ttl_s, row[4], row[5]
            )
    # Reached on reuse (committed above: the revocation must stick) or an ended session.
    raise Unauthenticated("the session has ended; sign in again", code="session_ended")


def logout(conn: psycopg.Connection, session_pk: int) -> None:
    with conn.transaction():
        conn.execute(
            """UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'logout'
                WHERE session_pk = %s AND revoked_at IS NULL""",
            (session_pk,),
        )


def revoke_user(conn: psycopg.Connection, user_pk: int, reason: str) -> int:
    """End every live session of a person, inside the caller's transaction."""
    return conn.execute(
        """UPDATE auth_sessions SET revoked_at = now(), revoked_reason = %s
            WHERE user_pk = %s AND revoked_at IS NULL""",
        (reason, user_pk),
    ).rowcount
