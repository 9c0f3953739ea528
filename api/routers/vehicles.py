"""Where vehicles are and where they have been."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import Caller, ConnDep, SettingsDep, require
from core.settings import Settings
from tracking import service
from tracking.models import Fix

router = APIRouter(prefix="/v1", tags=["vehicles"])
Staff = Annotated[Caller, Depends(require("admin", "dispatcher"))]


class PositionPublic(BaseModel):
    device_id: str
    lat: float
    lon: float
    speed_mps: float | None
    heading_deg: float | None
    accuracy_m: float | None
    altitude_m: float | None
    device_time: datetime = Field(description="When the device took the fix.")
    received_at: datetime = Field(description="When the platform received it.")
    as_of: datetime = Field(description="The time this position describes (the fix's time).")
    stale: bool = Field(description="True when the fix is older than the staleness limit.")
    late: bool = Field(description="True when the fix reached us long after it was taken.")


class LineString(BaseModel):
    type: Literal["LineString"] = "LineString"
    coordinates: list[list[float]]


class TrackProperties(BaseModel):
    device_id: str
    start: datetime
    end: datetime
    count: int
    truncated: bool = Field(description="More fixes exist in the range than were returned.")
    times: list[datetime] = Field(description="Device time of each coordinate, in order.")
    speeds_mps: list[float | None]


class TrackFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    geometry: LineString
    properties: TrackProperties


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[TrackFeature]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _public(device_id: str, fix: Fix, settings: Settings) -> PositionPublic:
    age = datetime.now(UTC) - fix.device_time
    delay = fix.received_at - fix.device_time
    return PositionPublic(
        device_id=device_id,
        lat=fix.lat,
        lon=fix.lon,
        speed_mps=fix.speed_mps,
        heading_deg=fix.heading_deg,
        accuracy_m=fix.accuracy_m,
        altitude_m=fix.altitude_m,
        device_time=fix.device_time,
        received_at=fix.received_at,
        as_of=fix.device_time,
        stale=age.total_seconds() > settings.api.stale_after_s,
        late=delay.total_seconds() > settings.telemetry.late_after_s,
    )


@router.get(
    "/vehicles/{device_id}/position",
    response_model=PositionPublic,
    summary="The vehicle's latest position by device time",
    responses={404: {"description": "Unknown device, or no position yet"}},
)
def vehicle_position(
    device_id: str, conn: ConnDep, settings: SettingsDep, caller: Staff
) -> PositionPublic:
    fix = service.latest_position(conn, device_id)
    return _public(device_id, fix, settings)


@router.get(
    "/devices/{device_id}/track",
    response_model=FeatureCollection,
    summary="The device's track between two times, as GeoJSON",
    description=(
        "A FeatureCollection with one LineString feature (none when the range holds no fix). "
        "`from` defaults to 24 hours before `to`, `to` to now; the range may span 31 days."
    ),
    responses={404: {"description": "Unknown device"}, 422: {"description": "Bad time range"}},
)
def device_track(
    device_id: str,
    conn: ConnDep,
    settings: SettingsDep,
    caller: Staff,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
) -> Any:
    end = _utc(end) if end else datetime.now(UTC)
    start = _utc(start) if start else end - timedelta(hours=24)
    track = service.track(conn, device_id, start, end, settings.api.max_track_points)
    features = []
    if track.fixes:
        features.append(
            TrackFeature(
                geometry=LineString(coordinates=[[f.lon, f.lat] for f in track.fixes]),
                properties=TrackProperties(
                    device_id=device_id,
                    start=start,
                    end=end,
                    count=len(track.fixes),
                    truncated=track.truncated,
                    times=[f.device_time for f in track.fixes],
                    speeds_mps=[f.speed_mps for f in track.fixes],
                ),
            )
        )
    return FeatureCollection(features=features)
