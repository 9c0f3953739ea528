"""The tuning of one read point's read smoothing, with defaults for UHF dock doors and
packing stations. Owns only values and their sanity checks; `smoother` owns the logic.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReadPointParams:
    """How one read point decides that a tag is there, has gone, and which way it went.

    The defaults are for a UHF dock-door portal: one reader, two antenna zones (inside
    and outside the door), pallets and cartons moving through at walking or forklift
    speed (1-2 m/s), the reader seeing each tag ten or more times a second per antenna
    while it is in the field, yet missing it in 30-40 % of cycles, and hearing tags at
    the next door now and then.

    - `min_reads = 3` within `presence_window_s = 2.0`: a carton crossing a ~3 m field
      stays in it 1.5-3 s and collects dozens of reads even at 40 % misses, so it is
      present within half a second; one or two reflections off a passing truck do not
      make a tag present.
    - `rssi_floor_dbm = -65`: tags in the portal (1-3 m from an antenna at ~30 dBm EIRP)
      read at about -40 to -60 dBm; tags at the neighbouring door, 4-6 m away and off
      the antenna's axis, read at -70 dBm or weaker. Reads below the floor are ignored
      altogether: they neither make a tag present nor keep it present. `None` turns the
      floor off (for readers that do not report RSSI, reads without RSSI always count).
    - `quiet_period_s = 3.0`: a tag is gone when no qualifying read came for this long.
      Missed cycles leave gaps of a few hundred milliseconds and a forklift mast can
      shadow a tag for a second; three seconds bridges both, and a carton does not come
      back through the same door within three seconds.
    - `inside_antennas = {1}`, `outside_antennas = {2}`: the zones whose order gives the
      direction; seen inside then outside is outbound, the reverse inbound. A read point
      without zones (a packing station) reports no direction.
    - `min_zone_reads = 2`: each zone must have seen the tag at least twice before its
      timing is trusted, else the direction is unknown.
    - `min_zone_separation_s = 0.05`: the mean read times of the two zones must differ
      by at least this much, else the direction is unknown (a tag parked in the doorway
      is read by both zones at once and went nowhere).
    - `pack_window_s = 3.0` (packing stations): items whose last read lies within this of
      a carton's last read, and that were there before it left, left with it, packed
      inside (see `readpoints.packing`). Carried away together, their last reads differ
      by the second or so the reader needs to lose each of them.
    """

    min_reads: int = 3
    presence_window_s: float = 2.0
    rssi_floor_dbm: float | None = -65.0
    quiet_period_s: float = 3.0
    inside_antennas: frozenset[int] = frozenset({1})
    outside_antennas: frozenset[int] = frozenset({2})
    min_zone_reads: int = 2
    min_zone_separation_s: float = 0.05
    pack_window_s: float = 3.0

    def __post_init__(self) -> None:
        if self.min_reads < 1:
            raise ValueError("min_reads must be at least 1")
        if self.presence_window_s <= 0 or self.quiet_period_s <= 0:
            raise ValueError("presence_window_s and quiet_period_s must be positive")
        if self.inside_antennas & self.outside_antennas:
            raise ValueError("an antenna cannot be both inside and outside")
        if bool(self.inside_antennas) != bool(self.outside_antennas):
            raise ValueError("a direction needs both zones, or neither")
        if self.min_zone_reads < 1 or self.min_zone_separation_s < 0:
            raise ValueError("min_zone_reads must be >= 1 and the separation >= 0")
        if self.pack_window_s <= 0:
            raise ValueError("pack_window_s must be positive")

    @property
    def has_direction(self) -> bool:
        return bool(self.inside_antennas)


DOCK_DOOR = ReadPointParams()

# A packing station: a near-field or short-range antenna under the bench, items put down
# and picked up by hand. Strong signal at close range, so a higher floor keeps out the
# next bench; two reads suffice because strays at -60 dBm are rare this close; items sit
# under the operator's hands for a while, so the quiet period is longer; no direction.
PACKING_STATION = ReadPointParams(
    min_reads=2,
    presence_window_s=1.0,
    rssi_floor_dbm=-60.0,
    quiet_period_s=5.0,
    inside_antennas=frozenset(),
    outside_antennas=frozenset(),
)
