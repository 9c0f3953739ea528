"""HTTP ingest for OsmAnd-protocol apps (Traccar Client and others), per-device Basic auth.

The request becomes one message on the pseudo-topic `osmand/{device_id}` and runs through
the same pipeline and the same transaction as MQTT traffic; it is answered only after the
commit. A rejected payload is kept as a dead letter and answered 400 with its reason, as
OsmAnd servers do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import psycopg
from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from api.deps import ConnDep, SettingsDep
from api.errors import problem
from core.errors import Unauthenticated
from core.settings import Settings
from devices import service as devices
from ingest import pipeline, service

router = APIRouter(prefix="/v1/ingest", tags=["ingest"])
_basic = HTTPBasic(auto_error=False, description="Device id and device password")


def _ingest(
    conn: psycopg.Connection, settings: Settings, credentials: HTTPBasicCredentials, body: bytes
) -> pipeline.DeadLetter | None:
    device = devices.authenticate(conn, credentials.username, credentials.password)
    if device is None:
        raise Unauthenticated("unknown device or wrong password", code="bad_credentials")
    message = pipeline.Message(f"osmand/{device.device_id}", body, datetime.now(UTC))
    prepared = service.prepare(
        [message], {device.device_id: device}.get, service.Rules.from_settings(settings)
    )
    with conn.transaction():
        service.write(conn, prepared)
    return prepared.outcomes[0].dead_letter


_RESPONSES: dict[int | str, dict[str, str]] = {
    400: {"description": "Rejected payload (kept as a dead letter)"},
    401: {"description": "Unknown device or wrong password"},
}


@router.get(
    "/osmand",
    operation_id="ingest_osmand_query",
    summary="Receive an OsmAnd-protocol location in the query string",
    responses=_RESPONSES,
)
@router.post(
    "/osmand",
    operation_id="ingest_osmand_body",
    summary="Receive an OsmAnd-protocol location as a JSON or form body",
    responses=_RESPONSES,
)
async def osmand(
    request: Request,
    conn: ConnDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
) -> Response:
    if credentials is None:
        raise Unauthenticated("device credentials required (HTTP Basic)", code="no_credentials")
    body = await request.body()
    payload = body if body.strip() else request.url.query.encode()
    letter = await run_in_threadpool(_ingest, conn, settings, credentials, payload)
    if letter is not None:
        return problem(400, "Rejected", letter.detail or letter.reason.value, letter.reason.value)
    return Response(status_code=200)
