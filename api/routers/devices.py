"""The device registry: provision, list, change, rotate and revoke credentials, retire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import Caller, ConnDep, SettingsDep, audit, require
from devices import broker
from devices import service as devices
from devices.models import Antenna, AntennaRole, DeviceDetail, DeviceKind, Provisioned

router = APIRouter(prefix="/v1/devices", tags=["devices"])
Admin = Annotated[Caller, Depends(require("admin"))]


class AntennaIn(BaseModel):
    antenna: int = Field(ge=0, le=64, description="Antenna port; 0 when the reader has one.")
    read_point: str = Field(description="EPCIS readPoint, an SGLN URN.", max_length=200)
    role: AntennaRole
    biz_location: str | None = Field(None, description="EPCIS bizLocation URN.", max_length=200)


class DeviceCreate(BaseModel):
    device_id: str = Field(description="1-64 of A-Z a-z 0-9 _ . : -", max_length=64)
    kind: DeviceKind
    format: str = Field(description="Wire format: native, owntracks, osmand, zebra, impinj...")
    name: str = Field("", max_length=200)
    vehicle_id: str | None = Field(None, max_length=64)
    antennas: list[AntennaIn] = Field(default_factory=list, max_length=64)


class DeviceUpdate(BaseModel):
    format: str | None = None
    name: str | None = Field(None, max_length=200)
    vehicle_id: str | None = Field(None, max_length=64, description="Empty string unbinds.")
    antennas: list[AntennaIn] | None = Field(None, max_length=64)


class DevicePublic(BaseModel):
    device_id: str
    kind: DeviceKind
    format: str
    name: str
    vehicle_id: str | None
    antennas: list[AntennaIn]
    created_at: datetime
    retired_at: datetime | None
    credentials_issued_at: datetime | None
    credentials_revoked_at: datetime | None


class BrokerAccess(BaseModel):
    host: str
    port: int
    username: str
    password: str = Field(description="Shown only in this answer; only a digest is kept.")
    publish: list[str]
    subscribe: list[str]


class ProvisionedPublic(BaseModel):
    device: DevicePublic
    credentials: BrokerAccess


class DevicePage(BaseModel):
    items: list[DevicePublic]
    next_after: str | None = Field(description="Pass as `after` for the next page.")


def _public(detail: DeviceDetail) -> DevicePublic:
    d = detail.device
    return DevicePublic(
        device_id=d.device_id,
        kind=d.kind,
        format=d.format,
        name=d.name,
        vehicle_id=d.vehicle_id,
        antennas=[
            AntennaIn(
                antenna=a.antenna, read_point=a.read_point, role=a.role, biz_location=a.biz_location
            )
            for a in detail.antennas
        ],  # fmt: skip
        created_at=d.created_at,
        retired_at=d.retired_at,
        credentials_issued_at=detail.credentials_issued_at,
        credentials_revoked_at=detail.credentials_revoked_at,
    )


def _provisioned(result: Provisioned, settings: SettingsDep) -> ProvisionedPublic:
    own = f"waybill/v1/devices/{result.username}"
    return ProvisionedPublic(
        device=_public(result.detail),
        credentials=BrokerAccess(
            host=settings.mqtt.host,
            port=settings.mqtt.port,
            username=result.username,
            password=result.password,
            publish=[f"{own}/telemetry", f"{own}/status", f"owntracks/{result.username}/+"],
            subscribe=[f"{own}/route"],
        ),
    )


def _antennas(items: list[AntennaIn]) -> list[Antenna]:
    return [Antenna(a.antenna, a.read_point, a.role, a.biz_location) for a in items]


@router.post(
    "",
    status_code=201,
    response_model=ProvisionedPublic,
    summary="Provision a device and issue its broker credentials (shown once)",
    responses={409: {"description": "The id is taken"}, 422: {"description": "Invalid"}},
)
def provision(
    body: DeviceCreate, request: Request, conn: ConnDep, settings: SettingsDep, caller: Admin
) -> ProvisionedPublic:
    with conn.transaction():
        result = devices.provision(
            conn,
            broker.control_account(settings),
            device_id=body.device_id,
            kind=body.kind,
            format=body.format,
            name=body.name,
            vehicle_id=body.vehicle_id,
            antennas=_antennas(body.antennas),
        )
        details = {"kind": body.kind, "format": body.format, "vehicle_id": body.vehicle_id}
        audit(request, conn, caller, "device.provision", body.device_id, details)
    return _provisioned(result, settings)


@router.get("", response_model=DevicePage, summary="List devices, ordered by id")
def list_devices(
    conn: ConnDep,
    caller: Admin,
    kind: DeviceKind | None = None,
    include_retired: bool = False,
    after: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DevicePage:
    details = devices.page(
        conn, kind=kind, include_retired=include_retired, after=after, limit=limit
    )
    items = [_public(d) for d in details]
    return DevicePage(items=items, next_after=items[-1].device_id if len(items) == limit else None)


@router.get(
    "/{device_id}",
    response_model=DevicePublic,
    summary="One device",
    responses={404: {"description": "Unknown device"}},
)
def get_device(device_id: str, conn: ConnDep, caller: Admin) -> DevicePublic:
    return _public(devices.detail(conn, device_id))


@router.patch(
    "/{device_id}",
    response_model=DevicePublic,
    summary="Change a device's format, name, vehicle or antennas",
    responses={404: {"description": "Unknown device"}, 409: {"description": "Retired"}},
)
def update_device(device_id: str, body: DeviceUpdate, conn: ConnDep, caller: Admin) -> DevicePublic:
    changes = devices.DeviceChanges(
        format=body.format,
        name=body.name,
        vehicle_id=body.vehicle_id or None,
        clear_vehicle=body.vehicle_id == "",
        antennas=None if body.antennas is None else _antennas(body.antennas),
    )
    return _public(devices.update(conn, device_id, changes))


@router.post(
    "/{device_id}/credentials",
    status_code=201,
    response_model=ProvisionedPublic,
    summary="Rotate the device's credentials (the new password is shown once)",
    responses={404: {"description": "Unknown device"}, 409: {"description": "Retired"}},
)
def rotate_credentials(
    device_id: str, request: Request, conn: ConnDep, settings: SettingsDep, caller: Admin
) -> ProvisionedPublic:
    with conn.transaction():
        result = devices.rotate(conn, broker.control_account(settings), device_id)
        audit(request, conn, caller, "device.rotate", device_id)
    return _provisioned(result, settings)


@router.delete(
    "/{device_id}/credentials",
    status_code=204,
    summary="Revoke the device's credentials; it is disconnected at once",
    responses={404: {"description": "Unknown device"}},
)
def revoke_credentials(
    device_id: str, request: Request, conn: ConnDep, settings: SettingsDep, caller: Admin
) -> Response:
    with conn.transaction():
        devices.revoke(conn, broker.control_account(settings), device_id)
        audit(request, conn, caller, "device.revoke", device_id)
    return Response(status_code=204)


@router.delete(
    "/{device_id}",
    response_model=DevicePublic,
    summary="Retire a device: credentials revoked, later messages dead-lettered",
    responses={404: {"description": "Unknown device"}},
)
def retire_device(
    device_id: str, request: Request, conn: ConnDep, settings: SettingsDep, caller: Admin
) -> DevicePublic:
    with conn.transaction():
        devices.retire(conn, broker.control_account(settings), device_id)
        audit(request, conn, caller, "device.retire", device_id)
    return _public(devices.detail(conn, device_id))
