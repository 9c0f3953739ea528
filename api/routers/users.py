"""People's accounts, for admins: create, list, read, change role or shop, disable, reset a
password, end all sessions. Every change is in the audit log, in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from accounts import audit, sessions
from accounts import users as accounts
from accounts.models import PersonRole
from api.deps import Caller, ConnDep, client_address, require

router = APIRouter(prefix="/v1/users", tags=["accounts"])
Admin = Annotated[Caller, Depends(require("admin"))]


class UserOut(BaseModel):
    username: str
    role: str
    shop_id: str | None
    buyer_id: str | None
    display_name: str
    created_at: datetime
    updated_at: datetime
    disabled: bool


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64, examples=["li.wei"])
    password: str = Field(min_length=1, max_length=1024)
    role: PersonRole
    shop_id: str | None = Field(None, max_length=64, description="Required for a seller only.")
    buyer_id: str | None = Field(None, max_length=64, description="Required for a buyer only.")
    display_name: str = Field("", max_length=200)


class UserChange(BaseModel):
    role: PersonRole | None = Field(
        None, description="A new role takes exactly the shop_id/buyer_id sent with it."
    )
    shop_id: str | None = Field(None, max_length=64)
    buyer_id: str | None = Field(None, max_length=64)
    display_name: str | None = Field(None, max_length=200)
    disabled: bool | None = None


class PasswordReset(BaseModel):
    password: str = Field(min_length=1, max_length=1024)


def user_out(user: accounts.User) -> UserOut:
    return UserOut(
        username=user.username,
        role=user.role,
        shop_id=user.shop_id,
        buyer_id=user.buyer_id,
        display_name=user.display_name,
        created_at=user.created_at,
        updated_at=user.updated_at,
        disabled=user.disabled_at is not None,
    )


_NOT_FOUND = {404: {"description": "No such user"}}


@router.post("", status_code=201, response_model=UserOut, summary="Create a person's account")
def create_user(body: UserIn, caller: Admin, request: Request, conn: ConnDep) -> UserOut:
    with conn.transaction():
        user = accounts.create(
            conn,
            request.app.state.passwords,
            username=body.username,
            password=body.password,
            role=body.role,
            shop_id=body.shop_id,
            buyer_id=body.buyer_id,
            display_name=body.display_name,
        )
        details = {"role": user.role, "shop_id": user.shop_id, "buyer_id": user.buyer_id}
        audit.record(conn, caller, "user.create", user.username, details, client_address(request))
    return user_out(user)


@router.get("", response_model=list[UserOut], summary="Every account, by username")
def list_users(
    caller: Admin, conn: ConnDep, role: Annotated[PersonRole | None, Query()] = None
) -> list[UserOut]:
    return [user_out(u) for u in accounts.list_users(conn, role)]


@router.get("/{username}", response_model=UserOut, responses=_NOT_FOUND, summary="One account")
def get_user(username: str, caller: Admin, conn: ConnDep) -> UserOut:
    return user_out(accounts.get(conn, username))


@router.patch(
    "/{username}",
    response_model=UserOut,
    responses=_NOT_FOUND,
    summary="Change role, shop, buyer, name or disable; a change of rights ends all sessions",
)
def change_user(
    username: str, body: UserChange, caller: Admin, request: Request, conn: ConnDep
) -> UserOut:
    with conn.transaction():
        before, after = accounts.update(conn, username, **body.model_dump(exclude_unset=True))
        changed = {
            field: [getattr(before, field), getattr(after, field)]
            for field in ("role", "shop_id", "buyer_id", "display_name")
            if getattr(before, field) != getattr(after, field)
        }
        if (before.disabled_at is None) != (after.disabled_at is None):
            changed["disabled"] = [before.disabled_at is not None, after.disabled_at is not None]
        action = "user.role_change" if "role" in changed else "user.change"
        audit.record(conn, caller, action, after.username, changed, client_address(request))
    return user_out(after)


@router.post(
    "/{username}/password",
    status_code=204,
    response_class=Response,
    responses=_NOT_FOUND,
    summary="Set a person's password (they sign in again everywhere)",
)
def reset_password(
    username: str, body: PasswordReset, caller: Admin, request: Request, conn: ConnDep
) -> Response:
    with conn.transaction():
        user = accounts.set_password(conn, request.app.state.passwords, username, body.password)
        audit.record(
            conn, caller, "user.password_reset", user.username, {}, client_address(request)
        )
    return Response(status_code=204)


@router.post(
    "/{username}/revoke-sessions",
    status_code=204,
    response_class=Response,
    responses=_NOT_FOUND,
    summary="End every session of a person now",
)
def revoke_sessions(username: str, caller: Admin, request: Request, conn: ConnDep) -> Response:
    with conn.transaction():
        user = accounts.get(conn, username)
        ended = sessions.revoke_user(conn, user.user_pk, "revoked by an admin")
        audit.record(
            conn,
            caller,
            "user.revoke_sessions",
            user.username,
            {"sessions": ended},
            client_address(request),
        )
    return Response(status_code=204)
