"""People's accounts: create, read, change role or shop, disable, set a password.

A change of role, shop or buyer, a new password and disabling all end the person's
sessions, so a token never outlives the rights it was issued for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

from accounts import sessions
from accounts.models import PERSON_ROLES
from accounts.passwords import Passwords
from core.errors import Conflict, InvalidInput, NotFound, Unauthenticated


@dataclass(frozen=True, slots=True)
class User:
    user_pk: int
    username: str
    role: str
    shop_id: str | None
    buyer_id: str | None
    display_name: str
    created_at: datetime
    updated_at: datetime
    disabled_at: datetime | None


_COLUMNS = """user_pk, username, role, shop_id, buyer_id, display_name, created_at,
              updated_at, disabled_at"""


def _check_binding(role: str, shop_id: str | None, buyer_id: str | None) -> None:
    if role not in PERSON_ROLES:
        raise InvalidInput(f"unknown role {role!r}", code="bad_role")
    if (role == "seller") != (shop_id is not None):
        raise InvalidInput("a seller, and only a seller, has a shop_id", code="bad_binding")
    if (role == "buyer") != (buyer_id is not None):
        raise InvalidInput("a buyer, and only a buyer, has a buyer_id", code="bad_binding")


def normalise(username: str) -> str:
    return username.strip().lower()


def create(
    conn: psycopg.Connection,
    passwords: Passwords,
    *,
    username: str,
    password: str,
    role: str,
    shop_id: str | None = None,
    buyer_id: str | None = None,
    display_name: str = "",
) -> User:
    username = normalise(username)
    _check_binding(role, shop_id, buyer_id)
    hashed = passwords.hash(password)
    try:
        with conn.transaction(), conn.cursor(row_factory=class_row(User)) as cur:
            cur.execute(
                f"""INSERT INTO users (username, password_hash, role, shop_id, buyer_id,
                                       display_name)
                    VALUES (%s, %s, %s, %s, %s, %s) RETURNING {_COLUMNS}""",
                (username, hashed, role, shop_id, buyer_id, display_name),
            )
            user = cur.fetchone()
    except psycopg.errors.UniqueViolation as exc:
        raise Conflict(f"user {username!r} exists", code="user_exists") from exc
    except psycopg.errors.CheckViolation as exc:
        raise InvalidInput(
            "a username is 2-64 characters of a-z, 0-9, '.', '_', '@', '-'", code="bad_username"
        ) from exc
    assert user is not None
    return user


def get(conn: psycopg.Connection, username: str) -> User:
    with conn.cursor(row_factory=class_row(User)) as cur:
        cur.execute(f"SELECT {_COLUMNS} FROM users WHERE username = %s", (normalise(username),))
        user = cur.fetchone()
    if user is None:
        raise NotFound(f"no user {username!r}", code="user_not_found")
    return user


def list_users(conn: psycopg.Connection, role: str | None = None) -> list[User]:
    with conn.cursor(row_factory=class_row(User)) as cur:
        cur.execute(
            f"""SELECT {_COLUMNS} FROM users WHERE %(role)s::text IS NULL OR role = %(role)s
                ORDER BY username""",
            {"role": role},
        )
        return cur.fetchall()


def update(
    conn: psycopg.Connection,
    username: str,
    *,
    role: str | None = None,
    shop_id: str | None = None,
    buyer_id: str | None = None,
    display_name: str | None = None,
    disabled: bool | None = None,
) -> tuple[User, User]:
    """Apply the given changes; returns (before, after). Unset arguments keep their value,
    except that a new role takes exactly the shop_id/buyer_id given with it."""
    with conn.transaction():
        return _update(conn, get(conn, username), role, shop_id, buyer_id, display_name, disabled)


def _update(
    conn: psycopg.Connection,
    before: User,
    role: str | None,
    shop_id: str | None,
    buyer_id: str | None,
    display_name: str | None,
    disabled: bool | None,
) -> tuple[User, User]:
    new_role = role or before.role
    if role is not None and role != before.role:
        new_shop, new_buyer = shop_id, buyer_id
    else:
        new_shop = shop_id if shop_id is not None else before.shop_id
        new_buyer = buyer_id if buyer_id is not None else before.buyer_id
    _check_binding(new_role, new_shop, new_buyer)
    with conn.cursor(row_factory=class_row(User)) as cur:
        cur.execute(
            f"""UPDATE users SET role = %s, shop_id = %s, buyer_id = %s,
                       display_name = coalesce(%s, display_name),
                       disabled_at = CASE WHEN %s::boolean IS NULL THEN disabled_at
                                          WHEN %s THEN coalesce(disabled_at, now())
                                          ELSE NULL END,
                       updated_at = now()
                 WHERE user_pk = %s RETURNING {_COLUMNS}""",
            (new_role, new_shop, new_buyer, display_name, disabled, disabled, before.user_pk),
        )
        after = cur.fetchone()
        assert after is not None
        rights_changed = (after.role, after.shop_id, after.buyer_id) != (
            before.role,
            before.shop_id,
            before.buyer_id,
        )
        if rights_changed or (after.disabled_at and not before.disabled_at):
            sessions.revoke_user(conn, after.user_pk, "account changed")
    return before, after


def set_password(
    conn: psycopg.Connection, passwords: Passwords, username: str, password: str
) -> User:
    hashed = passwords.hash(password)
    with conn.transaction():
        user = get(conn, username)
        conn.execute(
            "UPDATE users SET password_hash = %s, updated_at = now() WHERE user_pk = %s",
            (hashed, user.user_pk),
        )
        sessions.revoke_user(conn, user.user_pk, "password changed")
    return user


def change_password(
    conn: psycopg.Connection, passwords: Passwords, username: str, current: str, new: str
) -> None:
    """A person's own change: the current password must be right."""
    hashed = passwords.hash(new)
    with conn.transaction():
        user_pk = sessions.check_password(conn, passwords, username, current)
        if user_pk is None:
            raise Unauthenticated(sessions.BAD_CREDENTIALS, code="bad_credentials")
        conn.execute(
            "UPDATE users SET password_hash = %s, updated_at = now() WHERE user_pk = %s",
            (hashed, user_pk),
        )
        sessions.revoke_user(conn, user_pk, "password changed")
