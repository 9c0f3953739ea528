"""Which items went into which carton at a packing station, from departures alone.

The rule: a carton (an SSCC) and the items (SGTINs) that left the station with it were
packed together. An item belongs to a carton when

- its last read lies within `window_s` of the carton's last read (they were carried off
  together), and
- it was first seen no later than the carton's last read (it was there before it left).

An item goes to at most one carton: cartons are settled in order of their last read, and
the first that can take an item takes it. A carton with no items makes no packing. A carton
is settled once every item that could still join it has departed, that is when the
smoother has closed all sessions up to `last read + window_s`.

Owns only this rule and its state (JSON-able, so a projection can store it between runs).
Pure: departures and times in, `Packed` out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tracking.readpoints.smoother import Departed

SSCC = "urn:epc:id:sscc:"
SGTIN = "urn:epc:id:sgtin:"


@dataclass(frozen=True, slots=True)
class Packed:
    parent: str  # the carton's SSCC URN
    children: tuple[str, ...]  # the items' SGTIN URNs, in order of their last read
    packed_at: datetime  # the carton's last read: when it left with them


@dataclass(frozen=True, slots=True)
class _Seen:
    epc: str
    first_seen: datetime
    last_seen: datetime


class PackingGrouper:
    def __init__(self, window_s: float) -> None:
        self._window = timedelta(seconds=window_s)
        self._cartons: list[_Seen] = []
        self._items: list[_Seen] = []

    def departed(self, d: Departed) -> None:
        seen = _Seen(d.epc, d.first_seen, d.last_seen)
        if d.epc.startswith(SSCC):
            self._cartons.append(seen)
        elif d.epc.startswith(SGTIN):
            self._items.append(seen)

    def settle(self, closed_until: datetime) -> list[Packed]:
        """Settle the cartons no later departure can change: every session that ended by
        `closed_until` has been handed to `departed`."""
        out: list[Packed] = []
        self._cartons.sort(key=lambda c: (c.last_seen, c.epc))
        while self._cartons and self._cartons[0].last_seen + self._window <= closed_until:
            carton = self._cartons.pop(0)
            taken = [
                item
                for item in self._items
                if abs(item.last_seen - carton.last_seen) <= self._window
                and item.first_seen <= carton.last_seen
            ]
            if taken:
                taken.sort(key=lambda i: (i.last_seen, i.epc))
                gone = {id(item) for item in taken}
                self._items = [item for item in self._items if id(item) not in gone]
                out.append(Packed(carton.epc, tuple(i.epc for i in taken), carton.last_seen))
        # An item can still join a carton whose last read is at most a window after its
        # own; unknown cartons end after `closed_until`, known ones within a window of it.
        horizon = closed_until - 2 * self._window
        self._items = [item for item in self._items if item.last_seen >= horizon]
        return out

    def snapshot(self) -> dict[str, Any]:
        def rows(items: list[_Seen]) -> list[list[str]]:
            return [[s.epc, s.first_seen.isoformat(), s.last_seen.isoformat()] for s in items]

        return {"cartons": rows(self._cartons), "items": rows(self._items)}

    @classmethod
    def restore(cls, window_s: float, state: Mapping[str, Any]) -> PackingGrouper:
        grouper = cls(window_s)
        for key, target in (("cartons", grouper._cartons), ("items", grouper._items)):
            for epc, first, last in state.get(key, ()):
                target.append(
                    _Seen(epc, datetime.fromisoformat(first), datetime.fromisoformat(last))
                )
        return grouper
