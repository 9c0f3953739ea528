"""What a reader's antennas make: its read points, their smoothing parameters, and the
business meaning (CBV bizStep and disposition) of what passes them.

Owns the rules that turn antenna roles into read points and observations into the why of
an EPCIS event. Pure: antenna records in, configurations and contexts out.

- Antennas sharing a read point URN form one read point. With `dock_inside` /
  `dock_outside` antennas it is a dock door (`DOCK_DOOR`, its zones from those roles):
  outbound is `shipping` / `in_transit`, inbound `receiving` / `in_progress`, and a pass of
  unknown direction is still recorded, with no bizStep (seen at the door, nothing more).
- `packing_station`: `PACKING_STATION`, `packing` / `in_progress`.
- `receiving` and `staging` (a single zone, no direction): `DOCK_DOOR` timing without
  zones, `receiving` / `in_progress` and `staging_outbound` / `in_progress`.
- `other`: `DOCK_DOOR` timing without zones, no bizStep.
- Only SGLN read points and business locations make events (the builders' rule); a read
  point with another URN is listed as unusable and its reads are not projected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from devices.models import Antenna, AntennaRole
from tracking.epcis.builders import ReadPointContext
from tracking.epcis.vocabulary import BizStep, Disposition
from tracking.readpoints.params import DOCK_DOOR, PACKING_STATION, ReadPointParams
from tracking.readpoints.smoother import Direction

SGLN = "urn:epc:id:sgln:"


class ReadPointKind(StrEnum):
    DOCK_DOOR = "dock_door"
    PACKING_STATION = "packing_station"
    RECEIVING = "receiving"
    STAGING = "staging"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ReadPointConfig:
    read_point: str  # SGLN URN
    biz_location: str | None
    kind: ReadPointKind
    antennas: frozenset[int]
    params: ReadPointParams


_NO_ZONES = dataclasses.replace(
    DOCK_DOOR, inside_antennas=frozenset(), outside_antennas=frozenset()
)
_WHY: dict[tuple[ReadPointKind, Direction], tuple[BizStep | None, Disposition | None]] = {
    (ReadPointKind.DOCK_DOOR, Direction.OUTBOUND): (BizStep.SHIPPING, Disposition.IN_TRANSIT),
    (ReadPointKind.DOCK_DOOR, Direction.INBOUND): (BizStep.RECEIVING, Disposition.IN_PROGRESS),
    (ReadPointKind.PACKING_STATION, Direction.UNKNOWN): (
        BizStep.PACKING,
        Disposition.IN_PROGRESS,
    ),
    (ReadPointKind.RECEIVING, Direction.UNKNOWN): (BizStep.RECEIVING, Disposition.IN_PROGRESS),
    (ReadPointKind.STAGING, Direction.UNKNOWN): (
        BizStep.STAGING_OUTBOUND,
        Disposition.IN_PROGRESS,
    ),
}


def read_points(antennas: Sequence[Antenna]) -> tuple[list[ReadPointConfig], list[str]]:
    """The reader's read points, and the read point URNs that cannot make events."""
    groups: dict[str, list[Antenna]] = {}
    for antenna in antennas:
        groups.setdefault(antenna.read_point, []).append(antenna)
    configs, unusable = [], []
    for urn, group in groups.items():
        location = next((a.biz_location for a in group if a.biz_location), None)
        if not urn.startswith(SGLN) or (location is not None and not location.startswith(SGLN)):
            unusable.append(urn)
            continue
        roles = {a.role for a in group}
        inside = frozenset(a.antenna for a in group if a.role is AntennaRole.DOCK_INSIDE)
        outside = frozenset(a.antenna for a in group if a.role is AntennaRole.DOCK_OUTSIDE)
        if inside and outside:
            kind = ReadPointKind.DOCK_DOOR
            params = dataclasses.replace(
                DOCK_DOOR, inside_antennas=inside, outside_antennas=outside
            )
        elif AntennaRole.PACKING_STATION in roles:
            kind, params = ReadPointKind.PACKING_STATION, PACKING_STATION
        elif inside or outside:  # half a door: timing without a direction
            kind, params = ReadPointKind.DOCK_DOOR, _NO_ZONES
        elif AntennaRole.RECEIVING in roles:
            kind, params = ReadPointKind.RECEIVING, _NO_ZONES
        elif AntennaRole.STAGING in roles:
            kind, params = ReadPointKind.STAGING, _NO_ZONES
        else:
            kind, params = ReadPointKind.OTHER, _NO_ZONES
        configs.append(
            ReadPointConfig(urn, location, kind, frozenset(a.antenna for a in group), params)
        )
    return configs, unusable


def context(config: ReadPointConfig, direction: Direction, utc_offset: str) -> ReadPointContext:
    """The why and where of an observation at this read point."""
    biz_step, disposition = _WHY.get((config.kind, direction), (None, None))
    return ReadPointContext(
        read_point=config.read_point,
        biz_location=config.biz_location,
        biz_step=biz_step,
        disposition=disposition,
        time_zone_offset=utc_offset,
    )
