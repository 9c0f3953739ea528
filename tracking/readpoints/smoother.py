"""Read smoothing for one read point: raw tag reads in, `Arrived` and `Departed` out.

Owns the per-(reader, EPC) session: reads at or above the RSSI floor are merged into one
session (first seen, last seen, count, peak RSSI, per-zone read times); the tag becomes
present after `min_reads` of them within the presence window; the session closes when the
tag has been quiet for the quiet period, and a present tag then departs once, with its
direction through the door. Time comes only with the reads and with `advance(now)`; a read
also advances time to its own read time, so the output depends on the stream alone.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from tracking.readpoints.params import ReadPointParams


class Direction(StrEnum):
    INBOUND = "inbound"  # outside zone first, then inside
    OUTBOUND = "outbound"  # inside zone first, then outside
    UNKNOWN = "unknown"  # no zones, one zone only, or no clear order


@dataclass(frozen=True, slots=True)
class TagRead:
    reader_id: str
    antenna: int
    epc: str  # pure identity URI (or urn:epc:raw:... for an undecodable tag)
    read_time: datetime  # UTC-aware
    rssi_dbm: float | None = None


@dataclass(frozen=True, slots=True)
class Arrived:
    reader_id: str
    epc: str
    first_seen: datetime
    present_at: datetime  # the read that made the tag present


@dataclass(frozen=True, slots=True)
class Departed:
    reader_id: str
    epc: str
    direction: Direction
    first_seen: datetime
    last_seen: datetime
    count: int  # qualifying reads in the session
    peak_rssi_dbm: float | None


Observation = Arrived | Departed


@dataclass(slots=True)
class _Session:
    first_seen: datetime
    last_seen: datetime
    count: int = 0
    peak_rssi_dbm: float | None = None
    present: bool = False
    recent: deque[datetime] = field(default_factory=deque)  # until present
    inside: list[float] = field(default_factory=list)  # read times, POSIX seconds
    outside: list[float] = field(default_factory=list)


class ReadPointSmoother:
    """One read point's smoothing state. Feed reads with `read`, let time pass with
    `advance`, and call `flush` at the end of a stream to close what is still open."""

    def __init__(self, params: ReadPointParams) -> None:
        self.params = params
        self._quiet = timedelta(seconds=params.quiet_period_s)
        self._window = timedelta(seconds=params.presence_window_s)
        self._sessions: dict[tuple[str, str], _Session] = {}
        self._now: datetime | None = None
        self.ignored_weak = 0  # reads below the RSSI floor
        self.ignored_late = 0  # out-of-order reads with no open session to take them
        self.never_present = 0  # sessions that closed without reaching presence

    def read(self, r: TagRead) -> list[Observation]:
        out = self.advance(r.read_time) if self._now is None or r.read_time > self._now else []
        assert self._now is not None
        floor = self.params.rssi_floor_dbm
        if floor is not None and r.rssi_dbm is not None and r.rssi_dbm < floor:
            self.ignored_weak += 1
            return out
        key = (r.reader_id, r.epc)
        s = self._sessions.get(key)
        if s is None and r.read_time < self._now:
            # Out of order, and no session open to take it: its session may already have
            # closed, and opening one in the past could make a tag depart twice.
            self.ignored_late += 1
            return out
        if s is None:
            s = self._sessions[key] = _Session(first_seen=r.read_time, last_seen=r.read_time)
        s.first_seen = min(s.first_seen, r.read_time)
        s.last_seen = max(s.last_seen, r.read_time)
        s.count += 1
        if r.rssi_dbm is not None and (s.peak_rssi_dbm is None or r.rssi_dbm > s.peak_rssi_dbm):
            s.peak_rssi_dbm = r.rssi_dbm
        offset = r.read_time.timestamp()
        if r.antenna in self.params.inside_antennas:
            s.inside.append(offset)
        elif r.antenna in self.params.outside_antennas:
            s.outside.append(offset)
        if not s.present:
            s.recent.append(r.read_time)
            while s.recent and r.read_time - s.recent[0] > self._window:
                s.recent.popleft()
            if len(s.recent) >= self.params.min_reads:
                s.present = True
                s.recent.clear()
                out.append(Arrived(r.reader_id, r.epc, s.first_seen, r.read_time))
        return out

    def advance(self, now: datetime) -> list[Observation]:
        """Let time pass to `now`: close every session quiet since `now - quiet_period`."""
        if self._now is not None and now <= self._now:
            return []
        self._now = now
        due = [k for k, s in self._sessions.items() if s.last_seen + self._quiet <= now]
        return self._close(due)

    def flush(self) -> list[Observation]:
        """End of stream: close every open session, as if the quiet period had passed."""
        return self._close(list(self._sessions))

    def _close(self, keys: list[tuple[str, str]]) -> list[Observation]:
        out: list[Departed] = []
        for key in keys:
            s = self._sessions.pop(key)
            if not s.present:
                self.never_present += 1
                continue
            reader_id, epc = key
            out.append(
                Departed(
                    reader_id,
                    epc,
                    self._direction(s),
                    s.first_seen,
                    s.last_seen,
                    s.count,
                    s.peak_rssi_dbm,
                )
            )
        out.sort(key=lambda d: (d.last_seen, d.reader_id, d.epc))
        return list[Observation](out)

    def _direction(self, s: _Session) -> Direction:
        """Compare when each zone saw the tag, on average: robust to missed cycles, which
        shift a zone's first read but hardly its mean."""
        p = self.params
        if not p.has_direction or min(len(s.inside), len(s.outside)) < p.min_zone_reads:
            return Direction.UNKNOWN
        gap = sum(s.outside) / len(s.outside) - sum(s.inside) / len(s.inside)
        if abs(gap) < p.min_zone_separation_s:
            return Direction.UNKNOWN
        return Direction.OUTBOUND if gap > 0 else Direction.INBOUND
