"""The tracking projector: claimed dirty devices -> vehicle state, trips and stops, geofence
transitions, shipment evidence and ETAs.

Owns the per-device step and the runner loop. A step runs in one transaction: claim the
device's mark (`tracking.queue`, FOR UPDATE SKIP LOCKED), read its fixes after the
watermark in device-time order, advance the pure machines (`tracking.trips`,
`tracking.geofence_state`), write their output, feed shipment statuses through
`orders.service.record_evidence`, refresh ETAs, save progress, delete the mark, commit. A
mark older than the watermark (a late flush) replays from the newest checkpoint before it
with the machines' `recompute`, replacing what they decided after that checkpoint.
Statuses already recorded stay (they never move backwards); re-decided transitions carry
the same evidence ids, so recording them again changes nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg

from core.errors import Conflict, InvalidInput, NotFound
from core.settings import TrackingSettings
from gis.geofence import CircleFence, Fence
from orders import service as orders
from orders.models import Evidence
from orders.status import TERMINAL, EvidenceKind, ShipmentStatus
from tracking import epcis_feed, eta, fence_store, geofence_state, queue, trips
from tracking import projection_store as store
from tracking.geofence_state import FenceParams, FenceState, FenceTransition
from tracking.models import Fix
from tracking.trips import TripParams, TripState

log = logging.getLogger(__name__)
CHECKPOINT_EVERY = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Params:
    trips: TripParams = TripParams()
    fences: FenceParams = FenceParams()
    eta: eta.EtaParams = eta.EtaParams()
    arriving_radius_m: float = 500.0  # a van this close to the door is "arriving"
    batch_fixes: int = 20000  # most fixes of one device in one transaction
    fence_margin_deg: float = 0.05  # fences looked up within ~5 km of the batch
    devices_per_step: int = 16  # devices claimed and committed together (a savepoint each)

    @classmethod
    def from_settings(cls, s: TrackingSettings) -> Params:
        return cls(
            trips=TripParams(
                stop_radius_m=s.stop_radius_m, stop_min_duration_s=s.stop_min_duration_s,
                gap_s=s.gap_s,
            ),
            fences=FenceParams(
                enter_dwell_s=s.enter_dwell_s, exit_dwell_s=s.exit_dwell_s,
                exit_buffer_m=s.exit_buffer_m,
            ),
            eta=eta.EtaParams(road_factor=s.road_factor, default_speed_mps=s.default_speed_mps),
            arriving_radius_m=s.arriving_radius_m,
        )  # fmt: skip


@dataclass(slots=True)
class Progress:
    watermark: datetime | None = None
    trip: TripState = field(default_factory=TripState)
    fences: dict[str, FenceState] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "watermark": None if self.watermark is None else self.watermark.isoformat(),
            "trip": self.trip.to_dict(),
            "fences": {k: v.to_dict() for k, v in self.fences.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Progress:
        if d is None:
            return cls()
        mark = d.get("watermark")
        return cls(
            None if mark is None else datetime.fromisoformat(mark),
            TripState.from_dict(d["trip"]),
            {k: FenceState.from_dict(v) for k, v in d["fences"].items()},
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    device_pk: int
    fixes: int
    late: bool
    transitions: int
    evidence: int


def project_device(
    conn: psycopg.Connection, device_pk: int, since: datetime, params: Params
) -> Outcome:
    """One device's step, inside the caller's transaction that holds its mark."""
    current = Progress.from_dict(store.progress(conn, device_pk))
    late = current.watermark is not None and since < current.watermark
    base = current
    if late:
        base = Progress.from_dict(store.checkpoint_before(conn, device_pk, since))
        store.drop_checkpoints_from(conn, device_pk, since)
    fixes = store.fixes_after(conn, device_pk, base.watermark, params.batch_fixes)
    if not fixes:
        queue.done(conn, device_pk)
        return Outcome(device_pk, 0, late, 0, 0)
    loads = store.loads_of(conn, device_pk)
    fences = _fences(conn, base, fixes, loads, params)

    trip_run = trips.recompute(base.trip, fixes, params.trips)
    store.delete_segments_after(conn, device_pk, trip_run.replaces_after)
    store.insert_segments(conn, device_pk, trip_run.segments)
    after = Progress(fixes[-1].device_time, trip_run.state, dict(base.fences))
    decided: list[tuple[str, FenceTransition]] = []
    runs: dict[str, geofence_state.Recomputed] = {}
    for key, (fence, _) in fences.items():
        start = base.fences.get(key) or FenceState(watermark=base.watermark)
        runs[key] = geofence_state.recompute(start, fence, fixes, params.fences)
    store.delete_transitions_after(conn, device_pk, {k: r.replaces_after for k, r in runs.items()})
    for key, run in runs.items():
        for t in run.transitions:
            store.insert_transition(conn, device_pk, key, t)
            decided.append((key, t))
        after.fences[key] = run.state

    device_id = _device_id(conn, device_pk)
    newest = fixes[-1]
    evidence = _feed_shipments(conn, device_id, loads, fences, decided, newest)
    speed = store.recent_speed(conn, device_pk)
    if not late:
        speed = eta.recent_speed(speed, fixes, params.eta)
    store.upsert_vehicle_state(conn, device_pk, newest, speed)
    _refresh_etas(conn, device_pk, loads, newest, speed, params)

    store.save_progress(conn, device_pk, after.watermark, after.to_dict())
    last_cp = store.newest_checkpoint(conn, device_pk)
    if last_cp is None or newest.device_time - last_cp >= CHECKPOINT_EVERY:
        store.save_checkpoint(conn, device_pk, newest.device_time, after.to_dict())
    if len(fixes) >= params.batch_fixes:
        queue.resume_at(conn, device_pk, newest.device_time)  # the rest in the next step
    else:
        queue.done(conn, device_pk)
    return Outcome(device_pk, len(fixes), late, len(decided), evidence)


def _fences(
    conn: psycopg.Connection,
    base: Progress,
    fixes: list[Fix],
    loads: list[store.Load],
    params: Params,
) -> dict[str, tuple[Fence, fence_store.StoredFence | store.Load]]:
    """Fences this batch is checked against: stored ones near it, fences the device has
    state for, and a circle around the delivery point of each shipment on board."""
    lats, lons = [f.lat for f in fixes], [f.lon for f in fixes]
    found: dict[str, tuple[Fence, fence_store.StoredFence | store.Load]] = {}
    stored = fence_store.near(
        conn, min(lons), min(lats), max(lons), max(lats), params.fence_margin_deg
    )
    for key in base.fences:
        if key.startswith("gf:") and all("gf:" + s.fence_id != key for s in stored):
            extra = fence_store.get(conn, key[3:])
            if extra is not None:
                stored.append(extra)
    for s in stored:
        try:
            found["gf:" + s.fence_id] = (s.fence(), s)
        except InvalidInput:
            log.warning("geofence %s no longer validates; skipped", s.fence_id)
    for load in loads:
        circle = CircleFence(load.lat, load.lon, params.arriving_radius_m)
        found["shp:" + load.shipment_id] = (circle, load)
    return found


def _feed_shipments(
    conn: psycopg.Connection,
    device_id: str,
    loads: list[store.Load],
    fences: dict[str, tuple[Fence, fence_store.StoredFence | store.Load]],
    decided: list[tuple[str, FenceTransition]],
    newest: Fix,
) -> int:
    """Evidence from transitions and plans, for the shipments on board."""
    out: list[tuple[store.Load, Evidence]] = []
    for key, t in decided:
        what = fences[key][1]
        eid = f"geofence:{device_id}:{key}:{t.kind}:{t.confirmed_at.isoformat()}"
        detail = {"fence": key, "transition": t.kind, "lat": t.lat, "lon": t.lon}
        detail |= {"confirmed_at": t.confirmed_at.isoformat()}
        if isinstance(what, store.Load):
            if t.kind == "enter":
                ev = Evidence(
                    EvidenceKind.GEOFENCE, eid, ShipmentStatus.ARRIVING, t.at, device_id, detail
                )
                out.append((what, ev))
        elif what.kind == "warehouse" and t.kind == "exit":
            for load in loads:
                if what.depot_id in (None, load.depot_id):
                    status = ShipmentStatus.IN_TRANSIT
                    ev = Evidence(EvidenceKind.GEOFENCE, eid, status, t.at, device_id, detail)
                    out.append((load, ev))
    for load in loads:
        departs = load.planned_departure_at
        if load.route_id and departs is not None and newest.device_time >= departs:
            eid = f"route_plan:{load.route_id}:{load.shipment_id}"
            detail = {"route_id": load.route_id, "planned_departure_at": departs.isoformat()}
            status = ShipmentStatus.OUT_FOR_DELIVERY
            out.append(
                (load, Evidence(EvidenceKind.ROUTE_PLAN, eid, status, departs, device_id, detail))
            )
    recorded = 0
    for load, ev in sorted(out, key=lambda p: (p[0].order_pk, p[1].occurred_at)):
        if load.status in TERMINAL:
            continue
        try:
            if orders.record_evidence(conn, load.shipment_id, ev).outcome == "applied":
                recorded += 1
        except (Conflict, NotFound) as exc:
            log.info("evidence %s for %s not recorded: %s", ev.evidence_id, load.shipment_id, exc)
    return recorded


def _refresh_etas(
    conn: psycopg.Connection,
    device_pk: int,
    loads: list[store.Load],
    newest: Fix,
    speed: float | None,
    params: Params,
) -> None:
    rows = []
    for load in loads:
        if load.status in TERMINAL:
            continue
        e = eta.estimate(newest, speed, load.lat, load.lon, load.planned_arrival_at, params.eta)
        rows.append(store.EtaRow(load.shipment_pk, e.eta, e.method, e.distance_m, e.as_of))
    store.upsert_etas(conn, device_pk, rows)


def _device_id(conn: psycopg.Connection, device_pk: int) -> str:
    row = conn.execute("SELECT device_id FROM devices WHERE pk = %s", (device_pk,)).fetchone()
    return str(row[0]) if row else str(device_pk)


def step(conn: psycopg.Connection, params: Params) -> tuple[list[Outcome], int] | None:
    """Claim up to `params.devices_per_step` dirty devices and project each, in one
    transaction with a savepoint per device: (outcomes, devices that failed); None: nothing
    to do.

    One commit (a WAL flush) and one claim serve several devices. A device whose projection
    fails is rolled back to its savepoint and stays dirty; the others commit.

    The connection must be in autocommit mode: the step opens its own REPEATABLE READ
    transaction, which `tracking.queue` relies on.
    """
    with conn.transaction():
        queue.begin_step(conn)
        claimed = queue.claim(conn, params.devices_per_step)
        if not claimed:
            return None
        outcomes, failed = [], 0
        for device_pk, since in claimed:
            try:
                with conn.transaction():
                    outcomes.append(project_device(conn, device_pk, since, params))
            except psycopg.errors.SerializationFailure:
                failed += 1
                log.info("device %s: a concurrent change to the same rows; stays dirty", device_pk)
            except psycopg.OperationalError:
                raise
            except Exception:
                failed += 1
                log.exception("device %s: projection failed; it stays dirty", device_pk)
        return outcomes, failed


def run_once(conn: psycopg.Connection, params: Params, max_devices: int = 10000) -> int:
    """Project every device dirty now (and EPCIS evidence); the number of device steps."""
    epcis_feed.run(conn)
    done = 0
    while done < max_devices:
        try:
            result = step(conn, params)
        except psycopg.errors.SerializationFailure:
            log.info("a concurrent change to the same rows; the devices stay dirty")
            break
        except psycopg.OperationalError:
            raise  # the connection is gone: the caller reconnects
        except Exception:
            log.exception("projection step failed; the devices stay dirty")
            break
        if result is None:
            break
        outcomes, failed = result
        done += len(outcomes)
        if failed:
            break  # the failed devices wait for the next run, not a tight retry loop
    return done


def run_forever(conn: psycopg.Connection, params: Params, idle_s: float = 0.05) -> None:
    while True:
        if run_once(conn, params) == 0:
            time.sleep(idle_s)
