"""Live updates as Server-Sent Events: one stream per shipment (scoped like orders) and one
per vehicle (staff). Each stream sends the current state at once, then a new event each
time it changes, polled from the projection's tables every `interval_s`; a comment line
keeps idle connections open. `max_events` ends a stream after that many events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from prometheus_client import Gauge

from api.deps import Caller, ConnDep, SettingsDep, require
from api.openapi import SSE
from api.routers.tracking_schemas import tracking_out
from gis.crs import Crs, from_wgs84
from orders import access
from tracking import service as positions
from tracking import shipment_tracking

router = APIRouter(prefix="/v1", tags=["streams"])
Reader = Annotated[Caller, Depends(require(*access.READERS))]
Staff = Annotated[Caller, Depends(require("admin", "dispatcher"))]
MaxEvents = Annotated[int | None, Query(ge=1, le=100000, description="End after this many.")]
STREAMS = Gauge("waybill_sse_streams", "Open Server-Sent Event streams past their first event")
POLL_S = 0.5
KEEPALIVE_S = 15.0


async def _events(
    request: Request,
    read: Callable[[Any], dict[str, Any]],
    first: dict[str, Any],
    limit: int | None,
) -> AsyncIterator[str]:
    db = request.app.state.db

    def poll() -> dict[str, Any]:
        with db.connection() as conn:
            return read(conn)

    sent, last, idle = 0, first, 0.0
    yield f"event: update\ndata: {json.dumps(first, default=str)}\n\n"
    sent += 1
    STREAMS.inc()
    try:
        while limit is None or sent < limit:
            await asyncio.sleep(POLL_S)
            if await request.is_disconnected():
                return
            now = await asyncio.to_thread(poll)
            if now != last:
                last, idle = now, 0.0
                sent += 1
                yield f"event: update\ndata: {json.dumps(now, default=str)}\n\n"
            else:
                idle += POLL_S
                if idle >= KEEPALIVE_S:
                    idle = 0.0
                    yield ": keep-alive\n\n"
    finally:
        STREAMS.dec()


def _sse(body: AsyncIterator[str]) -> StreamingResponse:
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)


@router.get(
    "/shipments/{shipment_id}/events/stream",
    summary="Server-Sent Events: the shipment's status, ETA and position as they change",
    responses={404: {"description": "No such shipment, or not yours"}} | SSE,
)
def shipment_stream(
    shipment_id: str,
    request: Request,
    conn: ConnDep,
    settings: SettingsDep,
    caller: Reader,
    crs: Crs = "wgs84",
    max_events: MaxEvents = None,
) -> StreamingResponse:
    scope = access.scope_for(caller.role, caller.shop_id, caller.buyer_id)
    stale = settings.api.stale_after_s

    def read(c: Any) -> dict[str, Any]:
        t = shipment_tracking.shipment(c, shipment_id, scope, stale)
        return tracking_out(t, crs).model_dump(mode="json")

    return _sse(_events(request, read, read(conn), max_events))


@router.get(
    "/vehicles/{device_id}/stream",
    summary="Server-Sent Events: the vehicle's latest position as it moves",
    responses={404: {"description": "Unknown device, or no position yet"}} | SSE,
)
def vehicle_stream(
    device_id: str,
    request: Request,
    conn: ConnDep,
    settings: SettingsDep,
    caller: Staff,
    crs: Crs = "wgs84",
    max_events: MaxEvents = None,
) -> StreamingResponse:
    def read(c: Any) -> dict[str, Any]:
        fix = positions.latest_position(c, device_id)
        lat, lon = from_wgs84(fix.lat, fix.lon, crs)
        return {
            "device_id": device_id,
            "lat": lat,
            "lon": lon,
            "crs": crs,
            "speed_mps": fix.speed_mps,
            "heading_deg": fix.heading_deg,
            "as_of": fix.device_time.isoformat(),
        }

    return _sse(_events(request, read, read(conn), max_events))
