"""Typed dependencies shared by routers: settings, a database connection, the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import psycopg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from accounts import api_keys, sessions, tokens
from accounts import audit as audit_log
from accounts.models import Caller
from core.errors import PermissionDenied, Unauthenticated
from core.settings import Settings


# The dependencies are `async`: a plain `def` would cost each request a hand-over to a
# worker thread and back (api/db.py takes and gives back connections on the event loop).
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_conn(request: Request) -> AsyncIterator[psycopg.Connection]:
    async with request.app.state.db.request_connection() as conn:
        yield conn


SettingsDep = Annotated[Settings, Depends(get_settings)]
# Given back when the route function returns, before the answer is sent. A stream (SSE)
# polls with connections of its own (tests/api/test_connections.py fails if one held a
# connection for its life).
ConnDep = Annotated[psycopg.Connection, Depends(get_conn, scope="function")]

_bearer = HTTPBearer(
    auto_error=False,
    description="An access token from `POST /v1/auth/token`, or an API key (`wbk_...`).",
)


def client_address(request: Request) -> str:
    """The caller's address; behind a trusted proxy, the one it forwarded (api/app.py)."""
    return request.client.host if request.client else "unknown"


def audit(
    request: Request,
    conn: psycopg.Connection,
    caller: Caller,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Add a privileged action to the audit log inside the caller's transaction."""
    audit_log.record(conn, caller, action, target, details, client_address(request))


async def authenticate(request: Request, token: str) -> Caller | None:
    """The caller a bearer token speaks for: an API key (`wbk_...`) or a session's access
    token. One read on the event loop, on the app's async autocommit pool."""
    async with request.app.state.db.auth_connection() as conn:
        if token.startswith(tokens.API_KEY_PREFIX):
            return await api_keys.authenticate(conn, token)
        return await sessions.authenticate(conn, token)


async def get_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        raise Unauthenticated("a bearer token is required", code="no_token")
    caller = await authenticate(request, credentials.credentials)
    if caller is None:
        raise Unauthenticated("the token is not valid or has expired", code="bad_token")
    return caller


def require(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency that lets through only callers with one of `roles`."""

    async def check(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        if caller.role not in roles:
            raise PermissionDenied(f"role {caller.role!r} may not do this", code="forbidden_role")
        return caller

    return check
