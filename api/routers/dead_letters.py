"""Dead letters: what the platform could not accept, and replaying them after a fix."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from api.deps import Caller, ConnDep, SettingsDep, audit, require
from ingest import dead_letter_store, dead_letters, service
from ingest.dead_letter_store import DeadLetterRow

router = APIRouter(prefix="/v1/dead-letters", tags=["dead letters"])
Admin = Annotated[Caller, Depends(require("admin"))]


class DeadLetterPublic(BaseModel):
    id: int
    received_at: datetime
    topic: str
    device_id: str | None
    reason: str = Field(description="A code of the README's dead-letter reason table.")
    detail: str
    size: int = Field(description="Payload size in bytes.")
    replayed_at: datetime | None
    replay_outcome: str | None


class DeadLetterDetail(DeadLetterPublic):
    payload_base64: str
    payload_text: str | None = Field(description="The payload as text, when it is UTF-8.")


class DeadLetterPage(BaseModel):
    items: list[DeadLetterPublic]
    next_before: int | None = Field(description="Pass as `before` for the next page.")


BIGINT_MAX = 2**63 - 1  # ids are PostgreSQL bigints


class ReplayRequest(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=BIGINT_MAX)]] | None = Field(
        None, max_length=1000, description="These letters only."
    )
    reason: str | None = None
    device_id: str | None = None
    limit: int = Field(100, ge=1, le=1000)


class ReplayOutcome(BaseModel):
    id: int
    outcome: str = Field(description="`stored`, or `rejected:<reason>` (stays pending).")


class ReplayAnswer(BaseModel):
    replayed: int
    stored: int
    still_rejected: int
    results: list[ReplayOutcome]


def _public(row: DeadLetterRow) -> DeadLetterPublic:
    return DeadLetterPublic(**{name: getattr(row, name) for name in DeadLetterPublic.model_fields})


@router.get("", response_model=DeadLetterPage, summary="Dead letters, newest first")
def list_dead_letters(
    conn: ConnDep,
    caller: Admin,
    reason: str | None = None,
    device_id: str | None = None,
    since: Annotated[datetime | None, Query(alias="from")] = None,
    until: Annotated[datetime | None, Query(alias="to")] = None,
    pending_only: bool = False,
    before: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeadLetterPage:
    where = dead_letter_store.Filter(reason, device_id, since, until, pending_only)
    rows = dead_letters.page(conn, where, before, limit)
    return DeadLetterPage(
        items=[_public(r) for r in rows], next_before=rows[-1].id if len(rows) == limit else None
    )


@router.get("/counts", summary="Pending dead letters by reason")
def count_dead_letters(
    conn: ConnDep, caller: Admin, device_id: str | None = None
) -> dict[str, int]:
    return dead_letters.counts(conn, dead_letter_store.Filter(device_id=device_id))


@router.get(
    "/{letter_id}",
    response_model=DeadLetterDetail,
    summary="One dead letter with its raw payload",
    responses={404: {"description": "No such dead letter"}},
)
def show_dead_letter(
    letter_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], conn: ConnDep, caller: Admin
) -> DeadLetterDetail:
    row, payload = dead_letters.show(conn, letter_id)
    try:
        text: str | None = payload.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    return DeadLetterDetail(
        **_public(row).model_dump(),
        payload_base64=base64.b64encode(payload).decode(),
        payload_text=text,
    )


@router.post(
    "/replay",
    response_model=ReplayAnswer,
    summary="Run pending dead letters through the ingest pipeline again",
)
def replay_dead_letters(
    body: ReplayRequest, request: Request, conn: ConnDep, settings: SettingsDep, caller: Admin
) -> ReplayAnswer:
    with conn.transaction():
        results = dead_letters.replay(
            conn,
            service.Rules.from_settings(settings),
            ids=body.ids,
            where=dead_letter_store.Filter(body.reason, body.device_id),
            limit=body.limit,
        )
        stored = sum(r.outcome == "stored" for r in results)
        details = {
            "ids": [r.letter_id for r in results],
            "stored": stored,
            "reason": body.reason,
            "device_id": body.device_id,
        }
        audit(request, conn, caller, "dead_letter.replay", body.device_id or "*", details)
    return ReplayAnswer(
        replayed=len(results),
        stored=stored,
        still_rejected=len(results) - stored,
        results=[ReplayOutcome(id=r.letter_id, outcome=r.outcome) for r in results],
    )
