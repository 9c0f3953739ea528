"""The mall's API keys, for admins: create (the key is shown once), list, rotate, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from accounts import api_keys, audit
from api.deps import Caller, ConnDep, client_address, require

router = APIRouter(prefix="/v1/api-keys", tags=["accounts"])
Admin = Annotated[Caller, Depends(require("admin"))]


class ApiKeyOut(BaseModel):
    key_id: str = Field(description="The public part of the key; `wbk_<key_id>_...`.")
    name: str
    role: str
    created_by: str
    created_at: datetime
    rotated_at: datetime | None
    revoked: bool


class ApiKeyIssued(ApiKeyOut):
    key: str = Field(description="The key itself. Shown only in this answer; keep it safe.")


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["mall order system"])


def key_out(key: api_keys.ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        key_id=key.key_id,
        name=key.name,
        role=key.role,
        created_by=key.created_by,
        created_at=key.created_at,
        rotated_at=key.rotated_at,
        revoked=key.revoked_at is not None,
    )


def _issued(key: api_keys.ApiKey, secret: str) -> ApiKeyIssued:
    return ApiKeyIssued(**key_out(key).model_dump(), key=secret)


_NOT_FOUND = {404: {"description": "No such (live) key"}}


@router.post(
    "", status_code=201, response_model=ApiKeyIssued, summary="A new key for the mall's systems"
)
def create_key(body: ApiKeyIn, caller: Admin, request: Request, conn: ConnDep) -> ApiKeyIssued:
    with conn.transaction():
        key, secret = api_keys.create(conn, body.name, caller.subject)
        audit.record(
            conn,
            caller,
            "api_key.create",
            key.key_id,
            {"name": key.name},
            client_address(request),
        )
    return _issued(key, secret)


@router.get("", response_model=list[ApiKeyOut], summary="Every key (never the secrets)")
def list_keys(caller: Admin, conn: ConnDep) -> list[ApiKeyOut]:
    return [key_out(k) for k in api_keys.list_keys(conn)]


@router.post(
    "/{key_id}/rotate",
    response_model=ApiKeyIssued,
    responses=_NOT_FOUND,
    summary="A new secret for the key; the old one stops working at once",
)
def rotate_key(key_id: str, caller: Admin, request: Request, conn: ConnDep) -> ApiKeyIssued:
    with conn.transaction():
        key, secret = api_keys.rotate(conn, key_id)
        audit.record(conn, caller, "api_key.rotate", key.key_id, {}, client_address(request))
    return _issued(key, secret)


@router.delete(
    "/{key_id}", response_model=ApiKeyOut, responses=_NOT_FOUND, summary="Revoke a key for good"
)
def revoke_key(key_id: str, caller: Admin, request: Request, conn: ConnDep) -> ApiKeyOut:
    with conn.transaction():
        key = api_keys.revoke(conn, key_id)
        audit.record(conn, caller, "api_key.revoke", key.key_id, {}, client_address(request))
    return key_out(key)
