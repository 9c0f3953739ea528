"""The plan specification: a planning problem as plain JSON data with coordinates.

A spec is what a plan stores and what a dispatcher may send explicitly: depots and visits
carry longitude and latitude, times are whole seconds from the spec's `epoch` (an ISO
UTC time, usually local midnight of the planning day). `to_problem` turns it into the
immutable `Problem` (the travel matrix comes from a `MatrixProvider`) and keeps the
coordinates of every matrix location. Pure: no database, no clock.

Shape::

    {"epoch": "...", "depot_id": "main", "date": "2026-12-01",
     "depots": [{"id", "lon", "lat"}],
     "vehicles": [{"id", "start_depot", "end_depot"?, "capacity": [kg, l], "shift": [s, e],
                   "max_shift_s"?, "fixed_cost"?, "cost_per_km"?, "cost_per_hour"?,
                   "skills"?, "device_id"?}],
     "jobs": [{"id", "shipment_id"?, "demand": [kg, l], "priority"?, "skills"?,
               "optional"?, "penalty"?, "delivery": VISIT, "pickup"?: VISIT}]}
    VISIT = {"lon", "lat", "service_s"?, "windows"?: [[s, e], ...]}
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.errors import InvalidInput
from gis.matrix import GreatCircleProvider, MatrixProvider
from routing.models import Depot, Job, Problem, TimeWindow, Vehicle, Visit

Spec = dict[str, Any]


@dataclass(frozen=True)
class Built:
    """The problem, the coordinates (lon, lat) of each matrix location, and the epoch."""

    problem: Problem
    coords: tuple[tuple[float, float], ...]
    epoch: datetime
    shipment_of: dict[str, str]  # job id -> shipment id
    device_of: dict[str, str]  # vehicle id -> GPS device id


def epoch_of(spec: Spec) -> datetime:
    try:
        moment = datetime.fromisoformat(str(spec["epoch"]))
    except (KeyError, ValueError) as exc:
        raise InvalidInput(
            "the spec needs an ISO `epoch` with an offset", code="bad_epoch"
        ) from exc
    if moment.tzinfo is None:
        raise InvalidInput("the spec's epoch needs a UTC offset", code="bad_epoch")
    return moment


def _point(raw: dict[str, Any], what: str) -> tuple[float, float]:
    try:
        lon, lat = float(raw["lon"]), float(raw["lat"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"{what}: lon and lat are required", code="bad_location") from exc
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"{what}: coordinates out of range", code="bad_location")
    return lon, lat


def _windows(raw: list[Any]) -> tuple[TimeWindow, ...]:
    return tuple(TimeWindow(int(s), int(e)) for s, e in raw)


def to_problem(spec: Spec, provider: MatrixProvider | None = None) -> Built:
    """The spec as a validated `Problem`; InvalidInput with a code when it is not one."""
    try:
        return _build(spec, provider or GreatCircleProvider())
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"malformed plan spec: {exc!r}", code="bad_spec") from exc


def _build(spec: Spec, provider: MatrixProvider) -> Built:
    epoch = epoch_of(spec)
    coords: list[tuple[float, float]] = []

    def locate(raw: dict[str, Any], what: str) -> int:
        coords.append(_point(raw, what))
        return len(coords) - 1

    depots = tuple(Depot(str(d["id"]), locate(d, f"depot {d['id']}")) for d in spec["depots"])
    vehicles = tuple(
        Vehicle(
            id=str(v["id"]),
            start_depot=str(v["start_depot"]),
            end_depot=v.get("end_depot"),
            capacity=tuple(int(c) for c in v["capacity"]),
            shift=TimeWindow(int(v["shift"][0]), int(v["shift"][1])),
            max_shift_s=v.get("max_shift_s"),
            fixed_cost=float(v.get("fixed_cost", 0.0)),
            cost_per_km=float(v.get("cost_per_km", 1.0)),
            cost_per_hour=float(v.get("cost_per_hour", 0.0)),
            skills=frozenset(v.get("skills", ())),
        )
        for v in spec["vehicles"]
    )
    jobs = []
    for j in spec["jobs"]:
        visits = {}
        for key in ("pickup", "delivery"):
            raw = j.get(key)
            if raw is not None:
                visits[key] = Visit(
                    locate(raw, f"job {j['id']}"),
                    int(raw.get("service_s", 0)),
                    _windows(raw.get("windows", ())),
                )
        jobs.append(
            Job(
                id=str(j["id"]),
                delivery=visits["delivery"],
                pickup=visits.get("pickup"),
                demand=tuple(int(d) for d in j["demand"]),
                skills=frozenset(j.get("skills", ())),
                priority=int(j.get("priority", 0)),
                optional=bool(j.get("optional", False)),
                penalty=float(j.get("penalty", 0.0)),
            )
        )
    day = date.fromisoformat(spec["date"]) if spec.get("date") else epoch.date()
    matrix = provider.matrix([(lat, lon) for lon, lat in coords], day)
    problem = Problem(
        depots=depots,
        vehicles=vehicles,
        jobs=tuple(jobs),
        matrix=matrix,
        dimensions=tuple(spec.get("dimensions", ("kg", "l"))),
    )
    return Built(
        problem,
        tuple(coords),
        epoch,
        {str(j["id"]): j["shipment_id"] for j in spec["jobs"] if j.get("shipment_id")},
        {str(v["id"]): v["device_id"] for v in spec["vehicles"] if v.get("device_id")},
    )
