"""The audit log of privileged actions, for admins, oldest first in keyset pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from accounts import audit
from api.deps import Caller, ConnDep, require

router = APIRouter(prefix="/v1/audit", tags=["accounts"])
Admin = Annotated[Caller, Depends(require("admin"))]


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    audit_id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    target: str
    details: dict[str, Any]
    remote_addr: str | None


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next_after: int | None


@router.get("", response_model=AuditPage, summary="Who did what, when, from where")
def audit_log(
    caller: Admin,
    conn: ConnDep,
    action: Annotated[str | None, Query(max_length=64, examples=["device.revoke"])] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    since: datetime | None = None,
    after: Annotated[
        int | None, Query(ge=0, le=2**63 - 1, description="`next_after` of the page before")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    rows = audit.entries(conn, action=action, actor=actor, since=since, after_id=after, limit=limit)
    return AuditPage(
        entries=[AuditEntryOut.model_validate(r) for r in rows],
        next_after=rows[-1].audit_id if len(rows) == limit else None,
    )
