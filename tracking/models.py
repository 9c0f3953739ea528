"""Typed records of what tracking answers. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Fix:
    device_time: datetime
    received_at: datetime
    lat: float
    lon: float
    speed_mps: float | None
    heading_deg: float | None
    accuracy_m: float | None
    altitude_m: float | None
    battery_pct: int | None = None


@dataclass(frozen=True, slots=True)
class Track:
    device_id: str
    start: datetime
    end: datetime
    fixes: list[Fix]
    truncated: bool
