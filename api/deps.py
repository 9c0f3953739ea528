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
    subject: str
    role: str


def get_caller(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        raise Unauthenticated("a bearer token is required", code="no_token")
    token = settings.api.admin_token
    if token and hmac.compare_digest(credentials.credentials.encode(), token.encode()):
        return Caller(subject="bootstrap-admin", role="admin")
    raise Unauthenticated("the token is not valid", code="bad_token")


def require(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency that lets through only callers with one of `roles`."""

    def check(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        if caller.role not in roles:
            raise PermissionDenied(f"role {caller.role!r} may not do this", code="forbidden_role")
        return caller

    return check
