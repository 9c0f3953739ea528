"""Typed dependencies shared by routers: settings, a database connection, the caller."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

import psycopg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.db import translated
from core.errors import PermissionDenied, Unauthenticated
from core.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_conn(request: Request) -> Iterator[psycopg.Connection]:
    with translated(), request.app.state.pool.connection() as conn:
        yield conn


SettingsDep = Annotated[Settings, Depends(get_settings)]
ConnDep = Annotated[psycopg.Connection, Depends(get_conn)]

_bearer = HTTPBearer(auto_error=False, description="Bearer token")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling. A seller acts for one shop, a buyer for one buyer of the mall; every
    query that returns someone's data is scoped by these in the query itself."""

    subject: str
    role: str
    shop_id: str | None = None
    buyer_id: str | None = None


def get_caller(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        raise Unauthenticated("a bearer token is required", code="no_token")
    presented = credentials.credentials.encode()
    token = settings.api.admin_token
    if token and hmac.compare_digest(presented, token.encode()):
        return Caller(subject="bootstrap-admin", role="admin")
    for candidate, grant in settings.api.tokens.items():
        if hmac.compare_digest(presented, candidate.encode()):
            return Caller(
                subject=grant.subject or f"{grant.role}-token",
                role=grant.role,
                shop_id=grant.shop_id,
                buyer_id=grant.buyer_id,
            )
    raise Unauthenticated("the token is not valid", code="bad_token")


def require(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency that lets through only callers with one of `roles`."""

    def check(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        if caller.role not in roles:
            raise PermissionDenied(f"role {caller.role!r} may not do this", code="forbidden_role")
        return caller

    return check
