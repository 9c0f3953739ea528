"""Read endpoints the web console needs that the domain routers do not answer: the fleet
on one map, depots, plans of a day to compare, the day's approved routes with each stop's
shipment status, device health, and shipments with their ETA and problems first.

Staff-only except the shipment list, which is scoped like every shipment read
(`orders.access`). Read-only: every change goes through the domain routers.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from api.deps import Caller, ConnDep, SettingsDep, require
from api.openapi import SSE
from api.routers.console_schemas import (
    ApprovedRoute,
    Depot,
    DevicesHealth,
    FleetVehicle,
    PlanSummary,
    ReadyShipment,
    ShipmentRow,
)
from console import store
from orders import access, planning
from orders.status import ShipmentStatus
from routing.plan_service import local_midnight

router = APIRouter(prefix="/v1/console", tags=["console"])
Staff = Annotated[Caller, Depends(require(*access.STAFF))]
Reader = Annotated[Caller, Depends(require(*access.READERS))]
# PostgreSQL text cannot hold NUL: refused here as bad input rather than failing in the query.
NO_NUL = r"^[^\x00]*$"


def _stale(as_of: datetime | None, stale_after_s: int) -> bool:
    return as_of is None or (datetime.now(UTC) - as_of).total_seconds() > stale_after_s


def _with_state(rows: list[dict[str, Any]], seen: str, stale_after_s: int) -> list[dict[str, Any]]:
    """Rows of trackers with `stale` (by their `seen` time)."""
    for row in rows:
        row["stale"] = _stale(row[seen], stale_after_s)
    return rows


def _json(value: Any) -> str:
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))


DepotFilter = Annotated[
    str | None,
    Query(max_length=64, pattern=NO_NUL, description="Only this depot's (default: all)."),
]


@router.get(
    "/fleet",
    response_model=list[FleetVehicle],
    summary="Every vehicle tracker in service with its latest fix",
)
def fleet(
    conn: ConnDep, settings: SettingsDep, caller: Staff, depot_id: DepotFilter = None
) -> list[dict[str, Any]]:
    return _with_state(store.fleet(conn, depot_id), "as_of", settings.api.stale_after_s)


FLEET_POLL_S = 1.0
KEEPALIVE_S = 15.0


@router.get(
    "/fleet/stream",
    summary="Server-Sent Events: the whole fleet once, then each vehicle whose fix changed",
    description="One connection for the dispatcher's map (a browser opens only a few per "
    "host, so one stream per van does not scale to a fleet). Each `update` event is a JSON "
    "list of vehicles in the shape of `GET /v1/console/fleet`.",
    responses=SSE,
)
def fleet_stream(
    request: Request,
    conn: ConnDep,
    settings: SettingsDep,
    caller: Staff,
    depot_id: DepotFilter = None,
    max_events: Annotated[int | None, Query(ge=1, le=100000)] = None,
) -> StreamingResponse:
    db = request.app.state.db
    stale_after = settings.api.stale_after_s

    def read(c: Any) -> dict[str, dict[str, Any]]:
        rows = _with_state(store.fleet(c, depot_id), "as_of", stale_after)
        return {r["device_id"]: r for r in rows}

    first = read(conn)

    async def events() -> Any:
        def poll() -> dict[str, dict[str, Any]]:
            with db.connection() as c:
                return read(c)

        last, sent, idle = first, 1, 0.0
        yield f"event: update\ndata: {_json(list(first.values()))}\n\n"
        while max_events is None or sent < max_events:
            await asyncio.sleep(FLEET_POLL_S)
            if await request.is_disconnected():
                return
            now = await asyncio.to_thread(poll)
            changed = [v for k, v in now.items() if last.get(k) != v]
            last = now
            if changed:
                sent, idle = sent + 1, 0.0
                yield f"event: update\ndata: {_json(changed)}\n\n"
            else:
                idle += FLEET_POLL_S
                if idle >= KEEPALIVE_S:
                    idle = 0.0
                    yield ": keep-alive\n\n"

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get(
    "/depots",
    response_model=list[Depot],
    summary="Depots (warehouses) with their active vehicle count",
)
def depots(conn: ConnDep, caller: Staff) -> list[dict[str, Any]]:
    return store.depots(conn)


@router.get(
    "/plans",
    response_model=list[PlanSummary],
    summary="Plans of a depot and day, newest first, with their totals",
)
def plans(
    conn: ConnDep,
    caller: Staff,
    depot_id: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    day: Annotated[date | None, Query(alias="date")] = None,
) -> list[dict[str, Any]]:
    return store.plans(conn, depot_id, day)


@router.get(
    "/ready",
    response_model=list[ReadyShipment],
    summary="A depot's shipments ready to plan for a day (what a new plan would take)",
)
def ready(
    conn: ConnDep,
    settings: SettingsDep,
    caller: Staff,
    depot_id: Annotated[str, Query(min_length=1, max_length=64, pattern=NO_NUL)],
    day: Annotated[date, Query(alias="date")],
) -> list[dict[str, Any]]:
    start = local_midnight(day, settings.epcis.site_utc_offset)
    found = planning.ready_for_planning(conn, depot_id, start, start + timedelta(days=1))
    return [
        {
            "shipment_id": s.shipment_id,
            "priority": s.priority,
            "lat": s.lat,
            "lon": s.lon,
            "weight_kg": s.weight_kg,
            "volume_m3": s.volume_m3,
            "windows": [[a.isoformat(), b.isoformat()] for a, b in s.windows],
        }
        for s in found
    ]


@router.get(
    "/routes",
    response_model=list[ApprovedRoute],
    summary="The day's approved routes; each stop with its shipment status",
)
def routes(
    conn: ConnDep,
    settings: SettingsDep,
    caller: Staff,
    day: Annotated[date | None, Query(alias="date", description="Default: today, local.")] = None,
    depot_id: DepotFilter = None,
) -> list[dict[str, Any]]:
    if day is None:
        day = datetime.now(ZoneInfo(settings.console.time_zone)).date()
    return store.approved_routes(conn, day, depot_id)


@router.get(
    "/devices",
    response_model=DevicesHealth,
    summary="Device health: last heard of, link, pending dead letters",
)
def devices(conn: ConnDep, settings: SettingsDep, caller: Staff) -> dict[str, Any]:
    items = _with_state(store.device_health(conn), "last_seen_at", settings.api.stale_after_s)
    return {"devices": items, "dead_letters_by_reason": store.dead_letter_counts(conn)}


@router.get(
    "/shipments",
    response_model=list[ShipmentRow],
    summary="Shipments you may see with ETA and a problem tag (late, failed, exception)",
)
def shipments(
    conn: ConnDep,
    caller: Reader,
    status: ShipmentStatus | None = None,
    q: Annotated[
        str | None, Query(max_length=100, pattern=NO_NUL, description="Id, order or address.")
    ] = None,
    problems_first: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[dict[str, Any]]:
    scope = access.scope_for(caller.role, caller.shop_id, caller.buyer_id)
    return store.shipments(
        conn,
        scope,
        status=status.value if status else None,
        query=q,
        problems_first=problems_first,
        now=datetime.now(UTC),
        limit=limit,
    )
