"""The EPCIS 2.0 REST binding: capture (documents as jobs, single events) and the events
query, for the integration and admin roles.

Follows GS1's `openapi.yaml` of the EPCIS 2.0 REST bindings: `POST /capture` answers 202
with the job's `Location`; `POST /events` 201 with the event's; `GET /events` an
EPCISQueryDocument, paged by `perPage`/`nextPageToken` with a `Link: <...>; rel="next"`
header. Every answer carries `GS1-EPCIS-Version` and `GS1-CBV-Version`. Errors are RFC 7807
problem JSON whose `type` is the binding's exception (`epcisException:ValidationException`
...), besides our stable `code`. Bodies are JSON or JSON-LD, at most
`epcis.max_capture_bytes`. Owns only the HTTP shape; `tracking.epcis.service` does the work.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from api.deps import Caller, ConnDep, SettingsDep, require
from api.errors import problem
from core.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unavailable,
    WaybillError,
)
from tracking.epcis import service
from tracking.epcis.emit import epcis_query_document
from tracking.epcis.errors import CaptureLimitExceeded, EpcisErrorCode
from tracking.epcis.query import PARAMETERS
from tracking.epcis.store import CaptureJobRow
from tracking.epcis.timestamps import format_timestamp

VERSION_HEADERS = {"GS1-EPCIS-Version": "2.0", "GS1-CBV-Version": "2.0"}
JSON_TYPES = ("application/json", "application/ld+json")
QUERY_ERRORS = {EpcisErrorCode.BAD_QUERY_PARAMETER.value}


def _limits(request: Request) -> dict[str, str]:
    epcis = request.app.state.settings.epcis
    return {
        "GS1-EPCIS-Capture-Limit": str(epcis.max_capture_events),
        "GS1-EPCIS-Capture-File-Size-Limit": str(epcis.max_capture_bytes),
    }


def epcis_problem(exc: Exception, request: Request) -> JSONResponse:
    """The binding's problem answer for an error; anything unexpected is re-raised."""
    if isinstance(exc, RequestValidationError):
        detail = "; ".join(
            f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg', '')}" for e in exc.errors()
        )
        return problem(
            400,
            "Invalid request",
            detail,
            "invalid_request",
            type="epcisException:ValidationException",
        )
    if not isinstance(exc, WaybillError):
        raise exc
    extra: dict[str, Any] = {k: v for k, v in exc.details.items() if k not in ("type", "status")}
    headers: dict[str, str] = {}
    if isinstance(exc, CaptureLimitExceeded):
        status, kind = 413, "CaptureLimitExceededException"
        headers = _limits(request)
    elif isinstance(exc, Unauthenticated):
        status, kind = 401, "SecurityException"
    elif isinstance(exc, PermissionDenied):
        status, kind = 403, "SecurityException"
    elif isinstance(exc, NotFound):
        status, kind = 404, "NoSuchNameException"
    elif isinstance(exc, InvalidInput) and exc.code in QUERY_ERRORS:
        status, kind = 400, "QueryParameterException"
    elif isinstance(exc, Unavailable):
        status, kind = 503, "ImplementationException"
    else:  # InvalidInput, Conflict (an eventID naming another event) and the rest
        status, kind = 400, "ValidationException"
    answer = problem(
        status, type(exc).__name__, exc.message, exc.code, type=f"epcisException:{kind}", **extra
    )
    answer.headers.update(headers)
    return answer


def _too_large(request: Request, detail: str) -> JSONResponse:
    return epcis_problem(CaptureLimitExceeded(detail), request)


async def _checked_body(request: Request) -> JSONResponse | None:
    """Refuse a body of the wrong media type (415) or over the size limit (413), reading
    at most one byte past the limit; keep it on the request for the handler."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in JSON_TYPES:
        return problem(
            415,
            "Unsupported Media Type",
            f"send {' or '.join(JSON_TYPES)}, not {media or 'no content type'!r}",
            "unsupported_media_type",
            type="epcisException:ImplementationException",
        )
    limit = request.app.state.settings.epcis.max_capture_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return _too_large(request, f"{declared} bytes; at most {limit} per request")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return _too_large(request, f"more than {limit} bytes; at most {limit} per request")
    request._body = bytes(body)  # what Request.body() returns from now on
    return None


class EpcisRoute(APIRoute):
    """Routes that speak the binding's problem types and version headers, whatever fails
    (the caller's token, a parameter, the body, the service)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                refused = await _checked_body(request) if request.method == "POST" else None
                response = refused or await handler(request)
            except (WaybillError, RequestValidationError) as exc:
                response = epcis_problem(exc, request)
            response.headers.update(VERSION_HEADERS)
            return response

        return route


router = APIRouter(prefix="/epcis", tags=["EPCIS"], route_class=EpcisRoute)
Integration = Annotated[Caller, Depends(require("admin", "integration"))]


async def _body(request: Request) -> bytes:
    return await request.body()


Body = Annotated[bytes, Depends(_body)]


def _document_response(request: Request, content: Any, **kwargs: Any) -> JSONResponse:
    accept = request.headers.get("accept", "")
    media = "application/ld+json" if "application/ld+json" in accept else "application/json"
    return JSONResponse(content, media_type=media, **kwargs)


def _job_json(job: CaptureJobRow) -> dict[str, Any]:
    return {
        "captureID": job.id,
        "createdAt": format_timestamp(job.created_at.astimezone(UTC)),
        "finishedAt": format_timestamp(job.finished_at.astimezone(UTC))
        if job.finished_at
        else None,
        "running": job.state == "running",
        "success": job.state != "failed",
        "eventCount": job.event_count,
        "storedCount": job.stored_count,
        "errors": job.errors,
    }


def _next_link(request: Request, token: str | None) -> dict[str, str]:
    if token is None:
        return {}
    return {"Link": f'<{request.url.include_query_params(nextPageToken=token)}>; rel="next"'}


@router.post(
    "/capture",
    status_code=202,
    summary="Capture an EPCISDocument (all or nothing) as a capture job",
    responses={202: {"description": "Accepted; the job's URL is in Location"}},
)
def capture(
    request: Request, body: Body, conn: ConnDep, settings: SettingsDep, caller: Integration
) -> Response:
    job = service.capture(
        conn, body, created_by=caller.subject, max_events=settings.epcis.max_capture_events
    )
    headers = {
        "Location": f"/epcis/capture/{job.id}",
        "GS1-Capture-Error-Behaviour": "rollback",
        **_limits(request),
    }
    return JSONResponse(_job_json(job), status_code=202, headers=headers)


@router.get("/capture", summary="Capture jobs, newest first")
def list_captures(
    request: Request,
    conn: ConnDep,
    caller: Integration,
    per_page: Annotated[int, Query(alias="perPage")] = 30,
    next_page_token: Annotated[str | None, Query(alias="nextPageToken")] = None,
) -> Response:
    page = service.list_jobs(conn, per_page=per_page, token=next_page_token)
    return JSONResponse(
        [_job_json(job) for job in page.jobs], headers=_next_link(request, page.next_page_token)
    )


@router.get("/capture/{capture_id}", summary="The state of one capture job")
def get_capture(capture_id: str, conn: ConnDep, caller: Integration) -> Response:
    return JSONResponse(_job_json(service.get_job(conn, capture_id)))


@router.post("/events", status_code=201, summary="Capture one event")
def capture_event(request: Request, body: Body, conn: ConnDep, caller: Integration) -> Response:
    event = service.capture_event(conn, body)
    location = f"/epcis/events/{quote(event['eventID'], safe='')}"
    return _document_response(request, event, status_code=201, headers={"Location": location})


_QUERY_DOC = {
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in sorted(PARAMETERS)
    ]
}


@router.get(
    "/events",
    summary="Query events (SimpleEventQuery parameters), answered as an EPCISQueryDocument",
    openapi_extra=_QUERY_DOC,
)
def query_events(request: Request, conn: ConnDep, caller: Integration) -> Response:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    page = service.query_events(conn, params)
    doc = epcis_query_document(page.events, creation_date=datetime.now(UTC))
    return _document_response(request, doc, headers=_next_link(request, page.next_page_token))


@router.get(
    "/events/{event_id:path}",
    summary="One event by its eventID (URL-encoded), as an EPCISQueryDocument",
)
def get_event(request: Request, event_id: str, conn: ConnDep, caller: Integration) -> Response:
    event = service.get_event(conn, event_id)
    doc = epcis_query_document([event], creation_date=datetime.now(UTC))
    return _document_response(request, doc)
