"""A small market for the browser tests, built through the running API and the real write
paths, with ids unique to the run:

- depot `D-<uid>` ("Sijiqing") with a warehouse geofence and van `V1-<uid>`, whose GPS unit
  `gps-<uid>` carries three shipments of buyer `B0-<uid>` (packed and loaded on RFID
  evidence, planned, approved: out for delivery) and has fixes projected near the depot;
- shop `S0-<uid>` also has a shipment of buyer `B1-<uid>` marked `exception` (a problem);
- depot `P-<uid>` with two vans and four ready shipments, for the plan builder;
- an account per role that signs in with `PASSWORD`.
"""

from __future__ import annotations

import math
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg

from devices.models import DeviceKind
from gis.geodesy import offset
from ingest.records import Position
from orders import service as orders
from orders.models import Evidence
from orders.status import EvidenceKind, ShipmentStatus
from routing import jobs
from tests.conftest import wait_for
from tests.orders.conftest import order_body
from tests.support.accounts import bearer, create_user
from tests.support.data import register
from tests.tracking_projection.helpers import project, write

PASSWORD = "console-test-password"
MARKET = (30.2905, 120.2105)  # Sijiqing garment market, Hangzhou (lat, lon)
ZONE = ZoneInfo("Asia/Shanghai")
PLAN_PARAMS = {"time_limit_s": None, "iteration_limit": 150, "seed": 7}


@dataclass
class Market:
    base: str
    db_url: str
    uid: str
    depot: str
    plan_depot: str
    device: str
    device_pk: int
    vehicle: str
    buyer_shipments: list[str]
    other_buyer_shipment: str
    problem_shipment: str
    plan_id: str
    users: dict[str, str] = field(default_factory=dict)  # role -> username
    staff_token: str = ""
    delivered: str = ""
    last_fix: tuple[float, float] = MARKET

    @property
    def today(self) -> str:
        return datetime.now(ZONE).date().isoformat()

    def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.staff_token}"}
        return httpx.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kw)

    def drive(self, east_m: float, north_m: float, at: datetime | None = None) -> None:
        """A fix of the van this far from its last one, written and projected as ingest and
        the tracking projector do."""
        lat, lon = offset(*self.last_fix, north_m, east_m)
        heading = math.degrees(math.atan2(east_m, north_m)) % 360
        fix = Position(at or datetime.now(UTC), lat, lon, 9.0, heading, 6.0)
        write(self.db_url, self.device_pk, [fix])
        project(self.db_url, self.device_pk)
        self.last_fix = (lat, lon)


def ok(answer: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, f"{answer.request.url}: {answer.status_code} {answer.text}"
    return answer.json() if answer.content else {}


def _order(m: Market, token: str, n: int, depot: str, buyer: str, shop: str, *, spread: int) -> str:
    angle = n * 2.399963
    radius = 1500 + 400 * (n % 6)
    lat, lon = offset(*MARKET, radius * math.sin(angle) * spread, radius * math.cos(angle))
    now = datetime.now(UTC).replace(microsecond=0)
    body = order_body(f"MO-{m.uid}-{n}", buyer, shop)
    body["depot_id"] = depot
    body["delivery"]["address"] = f"杭州市上城区九堡路 {8 + n} 号"
    body["delivery"]["location"]["coordinates"] = [lon, lat]
    body["delivery"]["windows"] = [
        {"start": (now - timedelta(minutes=30)).isoformat(),
         "end": (now + timedelta(hours=6)).isoformat()}
    ]  # fmt: skip
    answer = ok(m.api("POST", "/v1/orders", token, json=body), 201)
    return answer["shipments"][0]["shipment_id"]


def _evidence(db_url: str, shipment_id: str, status: str, at: datetime) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        orders.record_evidence(
            conn,
            shipment_id,
            Evidence(
                EvidenceKind.EPCIS_EVENT, f"urn:uuid:{uuid.uuid4()}", ShipmentStatus(status), at,
                source="urn:epc:id:sgln:0614141.00001.dock-1",
                detail={"bizStep": "loading" if status == "loaded" else "packing"},
            ),
        )  # fmt: skip


def solve(db_url: str, plan_id: str, worker: str) -> str:
    """Solve this plan's job and return its final status. Claims only this job (a general
    worker would take other tests' jobs from the shared database); when a worker of
    someone else's took it first, waits for that one to finish it."""
    final = ("succeeded", "failed", "cancelled", "approved")

    def claim_or_done() -> tuple[str, int | None] | None:
        with psycopg.connect(db_url, autocommit=True) as conn:
            row = conn.execute(
                """UPDATE plan_jobs j SET state = 'running', worker = %s,
                          attempts = attempts + 1, lease_until = now() + interval '5 minutes'
                   FROM plans p WHERE p.pk = j.plan_pk AND p.plan_id = %s AND j.state = 'queued'
                   RETURNING j.plan_pk""",
                (worker, plan_id),
            ).fetchone()
            if row is not None:
                conn.execute(
                    "UPDATE plans SET status = 'running', started_at = now() WHERE pk = %s",
                    (row[0],),
                )
                return "claimed", row[0]
            status = conn.execute(
                "SELECT status FROM plans WHERE plan_id = %s", (plan_id,)
            ).fetchone()
            return (status[0], None) if status and status[0] in final else None

    outcome, pk = wait_for(claim_or_done, timeout_s=60, what=f"plan {plan_id} to be solved")
    return jobs.run(db_url, pk, worker) if pk is not None else outcome


def solve_in_background(db_url: str, plan_id: str, worker: str) -> threading.Thread:
    thread = threading.Thread(target=solve, args=(db_url, plan_id, worker), daemon=True)
    thread.start()
    return thread


def _leg(a: tuple[float, float], b: tuple[float, float], start: datetime,
         speed_mps: float = 9.0, every_s: float = 15.0) -> list[Position]:  # fmt: skip
    """Fixes driving from a to b (lat, lon) at a steady speed, the first one after `start`."""
    north = (b[0] - a[0]) * 111_320.0
    east = (b[1] - a[1]) * 111_320.0 * math.cos(math.radians(a[0]))
    heading = math.degrees(math.atan2(east, north)) % 360
    steps = max(1, int(math.hypot(north, east) / speed_mps / every_s))
    return [
        Position(start + timedelta(seconds=every_s * i), a[0] + (b[0] - a[0]) * i / steps,
                 a[1] + (b[1] - a[1]) * i / steps, speed_mps, heading, 6.0)
        for i in range(1, steps + 1)
    ]  # fmt: skip


def _parked(at: tuple[float, float], start: datetime, minutes: int) -> list[Position]:
    return [
        Position(start + timedelta(seconds=30 * i), at[0], at[1], 0.0, None, 6.0)
        for i in range(1, minutes * 2 + 1)
    ]


def _morning(m: Market) -> None:
    """The van's morning so far: parked at the warehouse, out to its first stop, parked
    there while the parcel is handed over (proof of delivery), then on its way to the
    second stop, its last fix a few seconds ago."""
    plan = m.api("GET", f"/v1/plans/{m.plan_id}").json()
    stops = [s for s in plan["routes"][0]["stops"] if s["shipment_id"]]
    first, second = (stops[0]["lat"], stops[0]["lon"]), (stops[1]["lat"], stops[1]["lon"])
    legs = _leg(MARKET, first, datetime.now(UTC))
    halfway = ((first[0] + second[0]) / 2, (first[1] + second[1]) / 2)
    onward = _leg(first, halfway, datetime.now(UTC))
    span = timedelta(seconds=15 * (len(legs) + len(onward)) + 30 * 2 * (5 + 4) + 10)
    start = datetime.now(UTC) - span
    fixes = _parked(MARKET, start, 5)
    fixes += _leg(MARKET, first, fixes[-1].device_time)
    fixes += _parked(first, fixes[-1].device_time, 4)
    handed_over = fixes[-3].device_time
    fixes += _leg(first, halfway, fixes[-1].device_time)
    write(m.db_url, m.device_pk, fixes)
    project(m.db_url, m.device_pk)
    m.last_fix = (fixes[-1].lat, fixes[-1].lon)
    proof = {
        "confirmed_at": handed_over.isoformat(), "recipient_name": "王女士",
        "location": {"type": "Point", "coordinates": [first[1], first[0]]},
        "device_id": m.device,
    }  # fmt: skip
    ok(m.api("POST", f"/v1/shipments/{stops[0]['shipment_id']}/proof-of-delivery", json=proof))
    m.delivered = stops[0]["shipment_id"]


def build_market(base: str, db_url: str) -> Market:
    uid = uuid.uuid4().hex[:8]
    staff = bearer(db_url, "dispatcher")
    mall = bearer(db_url, "integration")
    device = register(db_url, f"gps-{uid}", DeviceKind.GPS_UNIT)
    m = Market(
        base=base, db_url=db_url, uid=uid, depot=f"D-{uid}", plan_depot=f"P-{uid}",
        device=device.device_id, device_pk=device.pk, vehicle=f"V1-{uid}",
        buyer_shipments=[], other_buyer_shipment="", problem_shipment="", plan_id="",
        staff_token=staff,
    )  # fmt: skip
    local_now = datetime.now(ZONE)
    shift = {"shift_start": f"{local_now.hour:02d}:00", "shift_end": "23:59"}
    for depot, name, (north, east) in ((m.depot, "四季青仓库", (0, 0)),
                                       (m.plan_depot, "九堡仓库", (-2500, 6000))):  # fmt: skip
        lat, lon = offset(*MARKET, north, east)
        point = {"type": "Point", "coordinates": [lon, lat]}
        ok(m.api("PUT", f"/v1/depots/{depot}", json={"name": name, "location": point}), 204)
        fence = {
            "fence_id": f"wh-{depot}", "name": name, "kind": "warehouse", "depot_id": depot,
            "geometry": {"type": "Feature", "geometry": point, "properties": {"radius_m": 250}},
        }  # fmt: skip
        ok(m.api("POST", "/v1/geofences", json=fence), 201)
    van = {"depot_id": m.depot, "capacity_kg": 800, "capacity_l": 8000, "device_id": m.device}
    ok(m.api("PUT", f"/v1/fleet/{m.vehicle}", json=van | shift), 204)
    for k in (2, 3):
        van = {"depot_id": m.plan_depot, "capacity_kg": 500, "capacity_l": 6000}
        ok(m.api("PUT", f"/v1/fleet/V{k}-{uid}", json=van | shift), 204)

    buyer, other, shop = f"B0-{uid}", f"B1-{uid}", f"S0-{uid}"
    m.buyer_shipments = [_order(m, mall, n, m.depot, buyer, shop, spread=1) for n in range(3)]
    m.other_buyer_shipment = _order(m, mall, 3, m.depot, other, shop, spread=1)
    m.problem_shipment = _order(m, mall, 4, m.depot, other, shop, spread=1)
    for n in range(5, 9):
        _order(m, mall, n, m.plan_depot, f"B2-{uid}", f"S1-{uid}", spread=-1)

    packed_at = datetime.now(UTC) - timedelta(minutes=40)
    for sid in m.buyer_shipments + [m.other_buyer_shipment]:
        _evidence(db_url, sid, "packed", packed_at)
        _evidence(db_url, sid, "loaded", packed_at + timedelta(minutes=15))
        ok(m.api("PUT", f"/v1/shipments/{sid}/vehicle", json={"device_id": m.device}), 204)
    mark = {"status": "exception", "reason": "纸箱破损 / carton damaged at the dock"}
    ok(m.api("POST", f"/v1/shipments/{m.problem_shipment}/events", json=mark))

    plan = {"depot_id": m.depot, "date": m.today, "params": PLAN_PARAMS}
    m.plan_id = ok(m.api("POST", "/v1/plans", json=plan), 202)["plan_id"]
    assert solve(db_url, m.plan_id, f"browser-{uid}") == "succeeded"
    ok(m.api("POST", f"/v1/plans/{m.plan_id}/approve"))

    _morning(m)

    for role, extra in (
        ("admin", {}), ("dispatcher", {}), ("seller", {"shop_id": shop}),
        ("buyer", {"buyer_id": buyer}),
    ):  # fmt: skip
        username = f"{role}-{uid}"
        create_user(db_url, username, PASSWORD, role, **extra)
        m.users[role] = username
    return m


def status_of(m: Market, shipment_id: str) -> str:
    return ok(m.api("GET", f"/v1/shipments/{shipment_id}"))["status"]


def en_route(m: Market) -> str:
    """A shipment of buyer B0 the van is still carrying."""
    return next(
        sid for sid in m.buyer_shipments
        if status_of(m, sid) in ("out_for_delivery", "arriving")
    )  # fmt: skip
