"""The console's pages and its read endpoints over HTTP: what is served without a token,
who may read what, shipments scoped and problems first, the fleet with its latest fix."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg

from devices.models import DeviceKind
from ingest import service as ingest
from ingest.records import TagRead
from tests.orders.conftest import World
from tests.support.data import register
from tests.tracking_projection.helpers import day, project, write

STAFF_ONLY = (
    "/v1/console/fleet",
    "/v1/console/fleet/stream?max_events=1",
    "/v1/console/depots",
    "/v1/console/plans",
    "/v1/console/routes",
    "/v1/console/devices",
    "/v1/console/ready?depot_id=main&date=2026-12-01",
)


def test_pages_and_config_are_served_without_a_token(world: World) -> None:
    """`/` leads to the console, its modules are served, and its configuration holds the map
    and time settings only."""
    root = world.client.get("/", follow_redirects=False)
    assert root.status_code == 307 and root.headers["location"] == "/console/"
    page = world.client.get("/console/")
    assert page.status_code == 200 and "/console/assets/js/app.js" in page.text
    module = world.client.get("/console/assets/js/app.js")
    assert module.status_code == 200 and "javascript" in module.headers["content-type"]
    config = world.client.get("/console/config.json").json()
    assert set(config) == {"tile_url", "tile_crs", "time_zone", "language", "stale_after_s"}
    assert config["time_zone"] == "Asia/Shanghai"
    public = world.client.get("/track/some-token")
    assert public.status_code == 200 and "/console/assets/js/public.js" in public.text
    assert "app.js" not in public.text


def test_staff_reads_refuse_buyers_sellers_and_strangers(world: World) -> None:
    """Every staff overview is 403 for a buyer or a seller and 401 without a token."""
    for path in STAFF_ONLY:
        for who in ("buyer0", "seller0"):
            answer = world.client.get(path, headers=world.auth(who))
            assert answer.status_code == 403, (who, path, answer.text)
        assert world.client.get(path).status_code == 401, path
        assert world.client.get(path, headers=world.auth("dispatcher")).status_code == 200, path


def test_shipments_are_scoped_with_problems_first(world: World) -> None:
    """A buyer sees only its own shipments, a seller only its shop's; a shipment marked
    `exception` comes first, tagged; search narrows by order id."""
    ids = [world.place(n)["shipments"][0]["shipment_id"] for n in range(2)]
    other = world.place(2, buyer=1, shop=1)["shipments"][0]["shipment_id"]
    marked = world.client.post(
        f"/v1/shipments/{ids[1]}/events",
        json={"status": "exception", "reason": "carton damaged"},
        headers=world.auth("dispatcher"),
    )
    assert marked.status_code == 200, marked.text

    def seen(who: str, **query: str) -> list[dict]:
        answer = world.client.get("/v1/console/shipments", params=query, headers=world.auth(who))
        assert answer.status_code == 200, answer.text
        return answer.json()

    mine = seen("buyer0")
    assert [s["shipment_id"] for s in mine] == [ids[1], ids[0]]
    assert mine[0]["problem"] == "exception" and mine[1]["problem"] is None
    assert {s["shipment_id"] for s in seen("seller1")} == {other}
    assert seen("buyer1", q=ids[0]) == []
    everyone = seen("dispatcher", q=f"MO-{world.uid}")
    assert {s["shipment_id"] for s in everyone} == {*ids, other}
    assert everyone[0]["shipment_id"] == ids[1]
    assert [s["shipment_id"] for s in seen("dispatcher", q=f"MO-{world.uid}-2")] == [other]


def test_an_old_problem_comes_before_a_page_of_newer_shipments(world: World) -> None:
    """Problems first holds across pages: the oldest of three shipments, marked `exception`,
    leads a page of two, ahead of newer shipments without a problem."""
    ids = [world.place(n)["shipments"][0]["shipment_id"] for n in range(3)]
    marked = world.client.post(
        f"/v1/shipments/{ids[0]}/events",
        json={"status": "exception", "reason": "carton damaged"},
        headers=world.auth("dispatcher"),
    )
    assert marked.status_code == 200, marked.text

    def page(**query: str) -> list[str]:
        answer = world.client.get(
            "/v1/console/shipments", params={"limit": "2", **query}, headers=world.auth("buyer0")
        )
        assert answer.status_code == 200, answer.text
        return [s["shipment_id"] for s in answer.json()]

    assert page() == [ids[0], ids[2]]
    assert page(problems_first="false") == [ids[2], ids[1]]


def test_fleet_and_its_stream_show_the_latest_fix(world: World, database: str) -> None:
    """A depot's van appears in the fleet with its latest projected fix, and the fleet stream
    starts with the same list."""
    depot, device = f"D-{world.uid}", f"gps-{world.uid}"
    staff = world.auth("dispatcher")
    point = {"type": "Point", "coordinates": [120.2105, 30.2905]}
    assert world.client.put(
        f"/v1/depots/{depot}", json={"location": point}, headers=staff
    ).status_code == 204  # fmt: skip
    registered = register(database, device, DeviceKind.GPS_UNIT)
    van = {"depot_id": depot, "capacity_kg": 500, "capacity_l": 5000, "shift_start": "08:00",
           "shift_end": "20:00", "device_id": device}  # fmt: skip
    assert world.client.put(f"/v1/fleet/V-{world.uid}", json=van, headers=staff).status_code == 204
    fixes = day()[:30]
    write(database, registered.pk, fixes)
    project(database, registered.pk)
    fleet = world.client.get(f"/v1/console/fleet?depot_id={depot}", headers=staff).json()
    assert [v["device_id"] for v in fleet] == [device]
    assert fleet[0]["vehicle_id"] == f"V-{world.uid}" and fleet[0]["depot_id"] == depot
    assert abs(fleet[0]["lat"] - fixes[-1].lat) < 1e-6 and fleet[0]["stale"] is True
    stream = world.client.get(
        f"/v1/console/fleet/stream?depot_id={depot}&max_events=1", headers=staff
    )
    assert stream.headers["content-type"].startswith("text/event-stream")
    data = next(line for line in stream.text.splitlines() if line.startswith("data: "))
    streamed = json.loads(data.removeprefix("data: "))
    assert [v["device_id"] for v in streamed] == [device]
    # ISO 8601, as the JSON answers have it (what every browser's Date parses)
    assert datetime.fromisoformat(streamed[0]["as_of"]) == datetime.fromisoformat(fleet[0]["as_of"])
    assert "T" in streamed[0]["as_of"]


def test_text_with_nul_is_bad_input_not_a_server_error(world: World) -> None:
    """PostgreSQL text cannot hold NUL; a query naming one answers 422 with the parameter."""
    staff = world.auth("dispatcher")
    for path in (
        "/v1/console/shipments?q=a%00b",
        "/v1/console/fleet?depot_id=%00",
        "/v1/console/routes?depot_id=%00",
        "/v1/console/ready?depot_id=%00&date=2026-12-01",
    ):
        answer = world.client.get(path, headers=staff)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["code"] == "invalid_request"


def test_device_health_hears_readers_by_their_tag_reads(world: World, database: str) -> None:
    """A reader that has read tags is last heard of at its latest read; a silent one is not
    heard of at all."""
    reader = register(database, f"rd-{world.uid}", DeviceKind.RFID_READER)
    silent = register(database, f"rs-{world.uid}", DeviceKind.RFID_READER)
    read_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    prepared = ingest.Prepared()
    epc = "3074257BF7194E4000001A85"
    prepared.batch.tag_reads.extend(
        (reader.pk, datetime.now(UTC), TagRead(read_at - timedelta(seconds=s), epc, 1))
        for s in (0, 30)
    )
    with psycopg.connect(database) as conn, conn.transaction():
        ingest.write(conn, prepared)
    health = world.client.get("/v1/console/devices", headers=world.auth("dispatcher")).json()
    seen = {d["device_id"]: d["last_seen_at"] for d in health["devices"]}
    assert datetime.fromisoformat(seen[reader.device_id]) == read_at
    assert seen[silent.device_id] is None


def test_pages_allow_only_our_own_scripts_and_api(world: World) -> None:
    """The console's pages carry a policy that loads only our modules and talks only to our
    API, and a public link's page sends no Referer with its token."""
    for path in ("/console/", "/track/some-token"):
        headers = world.client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "connect-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["referrer-policy"] == "no-referrer"
