"""A device's history for dispatchers: trips and stops (with the odometer), its track as
GPX or as a GeoJSON line simplified for display, and the vehicle's projected state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.deps import Caller, ConnDep, SettingsDep, require
from gis.crs import Crs
from tracking import history
from tracking.export import track_to_geojson, track_to_gpx
from tracking.simplify import simplify_track

router = APIRouter(prefix="/v1/devices", tags=["vehicles"])
Staff = Annotated[Caller, Depends(require("admin", "dispatcher"))]
From = Annotated[datetime | None, Query(alias="from", description="Default: 24 h before `to`.")]
To = Annotated[datetime | None, Query(alias="to", description="Default: now.")]


def _range(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    end = (end or datetime.now(UTC)).astimezone(UTC)
    return (start.astimezone(UTC) if start else end - timedelta(hours=24)), end


@router.get("/{device_id}/trips", summary="Trips and stops of the device, and its odometer")
def trips(
    device_id: str, conn: ConnDep, caller: Staff, start: From = None, end: To = None
) -> dict[str, Any]:
    a, b = _range(start, end)
    found = history.segments(conn, device_id, a, b)
    return {
        "device_id": device_id,
        "from": a,
        "to": b,
        "trips": found["trips"],
        "stops": found["stops"],
        "odometer_m": found["odometer_m"][0]["value"],
    }


@router.get(
    "/{device_id}/track.gpx",
    summary="The device's track as GPX 1.1 (WGS-84)",
    response_class=Response,
    responses={200: {"content": {"application/gpx+xml": {}}}},
)
def track_gpx(
    device_id: str,
    conn: ConnDep,
    settings: SettingsDep,
    caller: Staff,
    start: From = None,
    end: To = None,
) -> Response:
    a, b = _range(start, end)
    fixes, _ = history.track(conn, device_id, a, b, settings.api.max_track_points)
    body = track_to_gpx(fixes, name=f"{device_id} {a.isoformat()}")
    return Response(body, media_type="application/gpx+xml")


@router.get("/{device_id}/track.geojson", summary="The track as GeoJSON, simplified for display")
def track_geojson(
    device_id: str,
    conn: ConnDep,
    settings: SettingsDep,
    caller: Staff,
    start: From = None,
    end: To = None,
    crs: Crs = "wgs84",
    tolerance_m: Annotated[float, Query(ge=0, le=1000)] = 10.0,
) -> dict[str, Any]:
    a, b = _range(start, end)
    fixes, keep = history.track(conn, device_id, a, b, settings.api.max_track_points)
    shown = simplify_track(fixes, tolerance_m, keep_times=keep) if tolerance_m else fixes
    feature = track_to_geojson(shown, crs=crs)
    feature.setdefault("properties", {}).update({"fixes": len(fixes), "shown": len(shown)})
    return feature
