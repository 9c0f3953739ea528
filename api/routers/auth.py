"""Signing in and out: the OAuth2 password flow with short-lived access tokens and rotating
refresh tokens, and who the caller is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import psycopg
from fastapi import APIRouter, Depends, Form, Request, Response
from pydantic import BaseModel, Field

from accounts import ratelimit, sessions
from accounts import users as user_accounts
from accounts.models import PERSON_ROLES
from api.deps import Caller, ConnDep, SettingsDep, client_address, get_caller, require
from core.errors import Unauthenticated

router = APIRouter(prefix="/v1", tags=["auth"])
Anyone = Annotated[Caller, Depends(get_caller)]
Person = Annotated[Caller, Depends(require(*PERSON_ROLES))]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the access token is valid.")
    refresh_token: str
    refresh_expires_in: int = Field(description="Seconds the refresh token is valid.")
    username: str
    role: str


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class MeOut(BaseModel):
    username: str = Field(description="The username, or `key:<id>` for an API key.")
    role: str
    shop_id: str | None
    buyer_id: str | None


class PasswordIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


def _token_out(tokens: sessions.Tokens) -> TokenOut:
    return TokenOut(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
        refresh_expires_in=tokens.refresh_expires_in,
        username=tokens.username,
        role=tokens.role,
    )


_UNAUTHORIZED = {401: {"description": "Wrong username or password, or an ended session"}}
_LIMITED = {429: {"description": "Too many attempts; see Retry-After"}}


@router.post(
    "/auth/token",
    response_model=TokenOut,
    summary="Sign in (OAuth2 password flow): an access token and a refresh token",
    responses=_UNAUTHORIZED | _LIMITED,
)
def sign_in(
    request: Request,
    conn: ConnDep,
    settings: SettingsDep,
    username: Annotated[str, Form(min_length=1, max_length=64)],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
) -> TokenOut:
    buckets = (
        f"login:addr:{client_address(request)}",
        f"login:user:{user_accounts.normalise(username)}",
    )
    with failures_counted(conn, buckets, settings.auth.login_per_minute):
        tokens = sessions.login(
            conn, request.app.state.passwords, settings.auth, username, password
        )
    return _token_out(tokens)


@contextmanager
def failures_counted(
    conn: psycopg.Connection, buckets: tuple[str, ...], most: int
) -> Iterator[None]:
    """Refuse when a bucket holds `most` failed attempts this minute; count a failure."""
    for bucket in buckets:
        ratelimit.refuse_if_over(conn, bucket, most)
    try:
        yield
    except Unauthenticated:
        for bucket in buckets:
            ratelimit.count_failure(conn, bucket)
        raise


@router.post(
    "/auth/refresh",
    response_model=TokenOut,
    summary="New tokens for a refresh token; the old refresh token stops working",
    responses=_UNAUTHORIZED | _LIMITED,
)
def refresh(body: RefreshIn, request: Request, conn: ConnDep, settings: SettingsDep) -> TokenOut:
    ratelimit.limit(
        conn, f"refresh:addr:{client_address(request)}", settings.auth.refresh_per_minute
    )
    return _token_out(sessions.refresh(conn, body.refresh_token, settings.auth))


@router.post(
    "/auth/logout",
    status_code=204,
    response_class=Response,
    summary="End this session: its access and refresh tokens stop working",
)
def logout(caller: Anyone, conn: ConnDep) -> Response:
    if caller.session_pk is not None:
        sessions.logout(conn, caller.session_pk)
    return Response(status_code=204)


@router.get("/me", response_model=MeOut, summary="Who the token speaks for")
def me(caller: Anyone) -> MeOut:
    return MeOut(
        username=caller.subject, role=caller.role, shop_id=caller.shop_id, buyer_id=caller.buyer_id
    )


@router.post(
    "/me/password",
    status_code=204,
    response_class=Response,
    summary="Change one's own password; every session of the account ends",
    responses=_UNAUTHORIZED | _LIMITED,
)
def change_password(
    body: PasswordIn, caller: Person, request: Request, conn: ConnDep, settings: SettingsDep
) -> Response:
    limit = settings.auth.login_per_minute
    with failures_counted(conn, (f"login:user:{caller.subject}",), limit):
        user_accounts.change_password(
            conn,
            request.app.state.passwords,
            caller.subject,
            body.current_password,
            body.new_password,
        )
    return Response(status_code=204)
