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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

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
    # Per zone: the number of reads and the sum of their read times (POSIX seconds). The
    # direction needs only the means, and sums keep a session's state small however long
    # a tag stays in the field (the state is stored between projection runs).
    inside_n: int = 0
    inside_sum: float = 0.0
    outside_n: int = 0
    outside_sum: float = 0.0


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
            s.inside_n += 1
            s.inside_sum += offset
        elif r.antenna in self.params.outside_antennas:
            s.outside_n += 1
            s.outside_sum += offset
        if not s.present:
            s.recent.append(r.read_time)
            while s.recent and r.read_time - s.recent[0] > self._window:
                s.recent.popleft()
            if len(s.recent) >= self.params.min_reads:
                s.present = True
                s.recent.clear()
                out.append(Arrived(r.reader_id, r.epc, s.first_seen, r.read_time))
        return out

    @property
    def now(self) -> datetime | None:
        """The latest time the smoother has seen (a read's, or one given to `advance`)."""
        return self._now

    def snapshot(self) -> dict[str, Any]:
        """The whole state as JSON values, for `restore` (a projection stores it between
        runs, so a pass that spans two runs is still one session)."""
        return {
            "now": self._now.isoformat() if self._now else None,
            "ignored_weak": self.ignored_weak,
            "ignored_late": self.ignored_late,
            "never_present": self.never_present,
            "sessions": [
                {
                    "reader_id": reader_id,
                    "epc": epc,
                    "first_seen": s.first_seen.isoformat(),
                    "last_seen": s.last_seen.isoformat(),
                    "count": s.count,
                    "peak_rssi_dbm": s.peak_rssi_dbm,
                    "present": s.present,
                    "recent": [t.isoformat() for t in s.recent],
                    "zones": [s.inside_n, s.inside_sum, s.outside_n, s.outside_sum],
                }
                for (reader_id, epc), s in self._sessions.items()
            ],
        }

    @classmethod
    def restore(cls, params: ReadPointParams, state: Mapping[str, Any]) -> ReadPointSmoother:
        """A smoother in the state `snapshot` gave (an empty mapping: a fresh one)."""
        smoother = cls(params)
        now = state.get("now")
        smoother._now = datetime.fromisoformat(now) if now else None
        smoother.ignored_weak = int(state.get("ignored_weak", 0))
        smoother.ignored_late = int(state.get("ignored_late", 0))
        smoother.never_present = int(state.get("never_present", 0))
        for item in state.get("sessions", ()):
            inside_n, inside_sum, outside_n, outside_sum = item["zones"]
            smoother._sessions[(item["reader_id"], item["epc"])] = _Session(
                first_seen=datetime.fromisoformat(item["first_seen"]),
                last_seen=datetime.fromisoformat(item["last_seen"]),
                count=int(item["count"]),
                peak_rssi_dbm=item["peak_rssi_dbm"],
                present=bool(item["present"]),
                recent=deque(datetime.fromisoformat(t) for t in item["recent"]),
                inside_n=int(inside_n),
                inside_sum=float(inside_sum),
                outside_n=int(outside_n),
                outside_sum=float(outside_sum),
            )
        return smoother

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
        if not p.has_direction or min(s.inside_n, s.outside_n) < p.min_zone_reads:
            return Direction.UNKNOWN
        gap = s.outside_sum / s.outside_n - s.inside_sum / s.inside_n
        if abs(gap) < p.min_zone_separation_s:
            return Direction.UNKNOWN
        return Direction.OUTBOUND if gap > 0 else Direction.INBOUND
