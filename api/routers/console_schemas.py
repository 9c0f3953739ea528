"""Answer shapes of the console's read endpoints (`api/routers/console_reads.py`)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime

from pydantic import BaseModel, Field


class FleetVehicle(BaseModel):
    device_id: str
    kind: str = Field(description="gps_unit or phone")
    name: str
    vehicle_id: str | None
    depot_id: str | None = Field(description="The depot of the fleet vehicle it is on.")
    lat: float | None = Field(description="WGS-84; null before the first fix.")
    lon: float | None
    speed_mps: float | None
    heading_deg: float | None
    as_of: datetime | None = Field(description="Device time of the latest fix.")
    last_seen_at: datetime | None
    link_status: str | None = Field(description="online or offline, from the last will.")
    stale: bool = Field(description="No fix, or older than `api.stale_after_s`.")
    battery_pct: float | None = Field(
        description="Latest battery level in percent where the device reports it (OwnTracks, "
        "OsmAnd, native `battery_pct`)."
    )


class Depot(BaseModel):
    depot_id: str
    name: str
    lat: float
    lon: float
    vehicles: int = Field(description="Active fleet vehicles of the depot.")


class PlanSummary(BaseModel):
    plan_id: str
    depot_id: str
    date: dt.date
    status: str
    parent_plan_id: str | None
    backend: str | None
    elapsed_s: float | None
    best_cost: float | None
    created_at: datetime
    finished_at: datetime | None
    approved_at: datetime | None
    jobs: int | None
    distance_m: float | None
    duration_s: float | None
    cost: float | None
    unassigned: int | None
    stops: int | None = Field(description="Pick-ups and deliveries on its routes.")
    vehicles: int | None = Field(description="Vehicles with at least one stop.")


class ReadyShipment(BaseModel):
    shipment_id: str
    priority: int
    lat: float
    lon: float
    weight_kg: float
    volume_m3: float
    windows: list[list[datetime]] = Field(description="[start, end] pairs.")


class RouteStop(BaseModel):
    seq: int
    kind: str = Field(description="start, pickup, delivery or end")
    shipment_id: str | None
    lat: float
    lon: float
    arrival_at: datetime
    departure_at: datetime
    status: str | None = Field(description="The shipment's status now.")
    eta: datetime | None = Field(description="The shipment's current ETA.")


class ApprovedRoute(BaseModel):
    plan_id: str
    depot_id: str
    vehicle_id: str
    route_id: str
    distance_m: int
    duration_s: int
    device_id: str | None
    stops: list[RouteStop]


class DeviceHealth(BaseModel):
    device_id: str
    kind: str
    format: str
    name: str
    vehicle_id: str | None
    last_seen_at: datetime | None = Field(description="Its latest fix or device event.")
    link_status: str | None
    last_fix_at: datetime | None
    dead_letters: int = Field(description="Pending (not replayed) dead letters.")
    stale: bool
    battery_pct: float | None


class DevicesHealth(BaseModel):
    devices: list[DeviceHealth]
    dead_letters_by_reason: dict[str, int] = Field(description="Pending ones.")


class ShipmentRow(BaseModel):
    shipment_id: str
    mall_order_id: str
    buyer_id: str
    shop_id: str
    depot_id: str
    status: str
    status_since: datetime
    route_id: str | None
    planned_arrival_at: datetime | None
    created_at: datetime
    address: str
    eta: datetime | None
    window_end: datetime | None = Field(description="End of the last delivery window.")
    problem: str | None = Field(description="late, failed or exception; null when none.")
