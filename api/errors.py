"""The one place where errors become HTTP answers: RFC 7807 problem JSON, never a 500 for input."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
    Unavailable,
    WaybillError,
)

log = logging.getLogger(__name__)

STATUS: dict[type[WaybillError], int] = {
    InvalidInput: 422,
    Unauthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    Unavailable: 503,
}


def problem(
    status: int,
    title: str,
    detail: str,
    code: str,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"} | (headers or {})
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail, "code": code}
        | extra,
        status_code=status,
        media_type="application/problem+json",
        headers=headers,
    )


def _status_of(exc: WaybillError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 500


def install(app: FastAPI) -> None:
    @app.exception_handler(WaybillError)
    async def domain_error(request: Request, exc: WaybillError) -> JSONResponse:
        status = _status_of(exc)
        if status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, exc.message)
        headers = None
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": str(exc.details["retry_after_s"])}
        return problem(status, type(exc).__name__, exc.message, exc.code, headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(422, "Invalid request", detail, "invalid_request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "body_too_large" if exc.status_code == 413 else f"http_{exc.status_code}"
        return problem(exc.status_code, "HTTP error", str(exc.detail), code)
