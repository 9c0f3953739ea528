"""Liveness and readiness."""

from __future__ import annotations

import socket

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.errors import problem
from core.settings import MqttSettings

router = APIRouter(tags=["health"])

# MQTT 3.1.1 CONNECT with client id "waybill-readyz", clean session, keepalive 5 s.
_CONNECT = bytes([0x10, 26, 0, 4]) + b"MQTT" + bytes([4, 2, 0, 5, 0, 14]) + b"waybill-readyz"


def broker_reachable(settings: MqttSettings, timeout_s: float = 2.0) -> bool:
    """The broker answers an MQTT CONNECT with a CONNACK (refused or not: it is alive)."""
    try:
        with socket.create_connection((settings.host, settings.port), timeout=timeout_s) as sock:
            sock.sendall(_CONNECT)
            return sock.recv(4)[:1] == b"\x20"
    except OSError:
        return False


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database and the broker are reachable",
    responses={503: {"description": "A dependency is unreachable (`checks` says which)"}},
)
def readyz(request: Request) -> JSONResponse:
    checks = {"database": False, "broker": broker_reachable(request.app.state.settings.mqtt)}
    try:
        with request.app.state.db.connection(timeout=2.0) as conn:
            checks["database"] = conn.execute("SELECT 1").fetchone() == (1,)
    except Exception:  # any failure means not ready; the answer says which check failed
        checks["database"] = False
    if all(checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    down = ", ".join(name for name, ok in checks.items() if not ok)
    return problem(503, "Not ready", f"unreachable: {down}", "not_ready", checks=checks)
