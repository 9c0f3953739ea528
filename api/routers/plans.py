"""Route plans over HTTP: depots and fleet, planning as a job, approval and dispatch, re-plans.

Dispatchers and admins only. A plan is queued here (202 with its Location) and solved by
`waybill plan worker`; GET shows its progress and, once solved, its routes.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime, time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from api.deps import Caller, ConnDep, SettingsDep, audit, require
from core.errors import InvalidInput
from routing import dispatch, plan_service, replan

router = APIRouter(prefix="/v1", tags=["plans"])
Staff = Annotated[Caller, Depends(require("admin", "dispatcher"))]
NOT_FOUND = {404: {"description": "Unknown plan"}}


class PointIn(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float] = Field(description="[longitude, latitude]")


class DepotIn(BaseModel):
    name: str = Field("", max_length=200)
    location: PointIn


class VehicleIn(BaseModel):
    depot_id: str = Field(min_length=1, max_length=64)
    capacity_kg: int = Field(ge=0, le=100_000)
    capacity_l: int = Field(ge=0, le=1_000_000, description="Load volume in litres.")
    shift_start: time = Field(description="Local time of the warehouses.")
    shift_end: time
    max_shift_s: int | None = Field(None, gt=0, le=48 * 3600)
    skills: list[str] = []
    fixed_cost: float = Field(0.0, ge=0)
    cost_per_km: float = Field(1.0, ge=0)
    cost_per_hour: float = Field(0.0, ge=0)
    device_id: str | None = Field(None, description="The GPS unit that receives the route.")
    active: bool = True


class ParamsIn(BaseModel):
    backend: Literal["auto", "ortools", "pyvrp"] = "auto"
    time_limit_s: float | None = Field(10.0, description="null: stop on the iteration limit only")
    iteration_limit: int | None = Field(None, ge=1, le=10**9)
    seed: int = Field(0, ge=0, le=2**31 - 1)


class PlanIn(BaseModel):
    depot_id: str | None = Field(None, description="Plan this depot's ready shipments ...")
    date: dt.date | None = Field(None, description="... for this day (local to the warehouses).")
    service_s: int = Field(plan_service.DEFAULT_SERVICE_S, ge=0, le=7200)
    extra_jobs: list[dict[str, Any]] = Field(
        [], description="More jobs in the spec's shape (for example pick-ups at stalls)."
    )
    problem: dict[str, Any] | None = Field(
        None, description="An explicit problem spec instead of the depot's shipments."
    )
    params: ParamsIn = ParamsIn()


class ReplanIn(BaseModel):
    at: datetime | None = Field(None, description="The moment to re-plan from (default now).")
    broken_vehicles: list[str] = Field([], description="Vans out of service from `at` on.")
    include_new: bool = Field(True, description="Add shipments that became ready since.")
    service_s: int = Field(plan_service.DEFAULT_SERVICE_S, ge=0, le=7200)
    params: ParamsIn = ParamsIn()


class Queued(BaseModel):
    plan_id: str
    status: str


class Approved(BaseModel):
    plan_id: str
    status: str
    dispatched: list[str] = Field(description="Devices the broker accepted the route for.")
    not_dispatched: list[str] = Field(description="Devices whose push failed; approve again.")


@router.put("/depots/{depot_id}", status_code=204, summary="Create or change a depot")
def put_depot(depot_id: str, body: DepotIn, conn: ConnDep, caller: Staff) -> None:
    lon, lat = body.location.coordinates
    plan_service.put_depot(conn, depot_id, body.name, lon, lat)


@router.put("/fleet/{vehicle_id}", status_code=204, summary="Create or change a fleet vehicle")
def put_vehicle(vehicle_id: str, body: VehicleIn, conn: ConnDep, caller: Staff) -> None:
    plan_service.put_vehicle(conn, body.model_dump() | {"vehicle_id": vehicle_id})


def _queued(response: Response, plan_id: str) -> Queued:
    response.headers["Location"] = f"/v1/plans/{plan_id}"
    return Queued(plan_id=plan_id, status="queued")


@router.post(
    "/plans",
    status_code=202,
    response_model=Queued,
    summary="Queue a plan of a depot's day, or of an explicit problem",
)
def create_plan(
    body: PlanIn, response: Response, conn: ConnDep, settings: SettingsDep, caller: Staff
) -> Queued:
    params = body.params.model_dump()
    if body.problem is not None:
        spec = body.problem
    else:
        if body.depot_id is None or body.date is None:
            raise InvalidInput("give depot_id and date, or a problem", code="no_problem")
        spec = plan_service.spec_from_shipments(
            conn, body.depot_id, body.date, settings.epcis.site_utc_offset, body.service_s,
            body.extra_jobs,
        )  # fmt: skip
    return _queued(response, plan_service.create_plan(conn, spec, params, by=caller.subject))


@router.get("/plans/{plan_id}", summary="A plan: progress, routes, stops, verdict, GeoJSON",
            responses=NOT_FOUND)  # fmt: skip
def get_plan(plan_id: str, conn: ConnDep, caller: Staff) -> dict[str, Any]:
    return plan_service.get_plan(conn, plan_id)


@router.post("/plans/{plan_id}/cancel", status_code=202, response_model=Queued,
             responses=NOT_FOUND | {409: {"description": "Already finished"}})  # fmt: skip
def cancel_plan(plan_id: str, conn: ConnDep, caller: Staff) -> Queued:
    return Queued(plan_id=plan_id, status=plan_service.cancel(conn, plan_id))


@router.post("/plans/{plan_id}/approve", response_model=Approved,
             summary="Assign routes, set planned ETAs, push each route to its van",
             responses=NOT_FOUND | {409: {"description": "Not solved yet"}})  # fmt: skip
def approve_plan(
    plan_id: str, request: Request, conn: ConnDep, settings: SettingsDep, caller: Staff
) -> Approved:
    with conn.transaction():
        approved = plan_service.approve(conn, plan_id, by=caller.subject)
        audit(request, conn, caller, "plan.approve", plan_id, {"devices": approved["devices"]})
    messages = dispatch.payloads(plan_id, approved["stops"], approved["devices"])
    sent = dispatch.publish(settings, messages)
    return Approved(
        plan_id=plan_id,
        status="approved",
        dispatched=sorted(sent),
        not_dispatched=sorted(set(messages) - set(sent)),
    )


@router.post("/plans/{plan_id}/replan", status_code=202, response_model=Queued,
             summary="Re-plan an approved plan from now: done and current stops stay",
             responses=NOT_FOUND | {409: {"description": "Not approved"}})  # fmt: skip
def replan_plan(
    plan_id: str, body: ReplanIn, response: Response, conn: ConnDep, settings: SettingsDep,
    caller: Staff,
) -> Queued:  # fmt: skip
    spec = replan.spec(
        conn, plan_id, at=body.at, broken=set(body.broken_vehicles),
        include_new=body.include_new, service_s=body.service_s,
        site_offset=settings.epcis.site_utc_offset,
    )  # fmt: skip
    new_id = plan_service.create_plan(
        conn, spec, body.params.model_dump(), by=caller.subject, parent_plan_id=plan_id
    )
    return _queued(response, new_id)
