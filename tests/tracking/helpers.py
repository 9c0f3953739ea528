"""Builders of fixes and synthetic tracks for the tracking tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gis.geodesy import offset
from tracking.models import Fix

T0 = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
LAT0, LON0 = 31.2304, 121.4737  # Shanghai


def fix(
    t_s: float,
    lat: float = LAT0,
    lon: float = LON0,
    accuracy_m: float | None = 5.0,
    speed_mps: float | None = None,
    altitude_m: float | None = None,
    heading_deg: float | None = None,
) -> Fix:
    at = T0 + timedelta(seconds=t_s)
    return Fix(at, at, lat, lon, speed_mps, heading_deg, accuracy_m, altitude_m)


def fix_at(t_s: float, north_m: float, east_m: float, accuracy_m: float | None = 5.0) -> Fix:
    """A fix at t_s seconds after T0, north_m/east_m metres from (LAT0, LON0)."""
    lat, lon = offset(LAT0, LON0, north_m, east_m)
    return fix(t_s, lat, lon, accuracy_m)
