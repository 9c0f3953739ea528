"""The OpenAPI document as the API really answers: every error is RFC 7807 problem JSON
(`application/problem+json`, schema `Problem`), and the errors any operation can give are
listed on it — 401/403 where a token is needed, 404 where an id is in the path, 413 where
there is a body, 422 for invalid input, 503 while the database is unreachable."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 7807 problem details with a stable machine-readable `code`.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object"},
            "description": "Invalid requests: each field that is wrong and why.",
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
}
# `responses=SSE` on a route that answers Server-Sent Events documents it as such.
SSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A stream of Server-Sent Events (`text/event-stream`)",
        "content": {
            "text/event-stream": {
                "schema": {
                    "type": "object",
                    "description": "One event: its name and its data (JSON text).",
                    "properties": {
                        "event": {"type": "string"},
                        "data": {"type": "string"},
                        "id": {"type": "string"},
                    },
                }
            }
        },
    }
}
GENERIC = {
    "401": "No token, or a token that is not valid or has expired",
    "403": "The caller's role may not do this",
    "404": "Not found, or not yours (the same answer)",
    "413": "The request body is too large",
    "422": "Invalid request",
    "503": "The database or the broker is unreachable; retry later",
}


def _errors_for(operation: dict[str, Any], path: str) -> list[str]:
    codes = ["422", "503"]
    if operation.get("security"):
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if "requestBody" in operation:
        codes.append("413")
    return codes


def problem_document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code in _errors_for(operation, path):
                responses.setdefault(code, {"description": GENERIC[code]})
            for code, response in responses.items():
                content = response.get("content", {})
                if "text/event-stream" in content:
                    content.pop("application/json", None)
                if code[0] in "45":
                    response["content"] = {PROBLEM: {"schema": ref}}
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    return document


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
