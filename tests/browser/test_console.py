"""The web console in a real browser (Debian's chromium, headless) against a real API
server process on the test database: each role signs in and sees its pages, the
dispatcher's map moves a van as fixes arrive, a plan runs and is approved from the page,
a buyer sees the timeline and ETA, and a public link shows nothing more than it may."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import orjson
import psycopg
import pytest
from playwright.sync_api import Page, expect

from core.settings import Settings
from ingest import pipeline, service
from tests.browser.conftest import screenshot
from tests.browser.market import (
    MARKET,
    PASSWORD,
    Market,
    en_route,
    solve_in_background,
    status_of,
)
from tests.conftest import wait_for
from tests.support.data import position_count, register

pytestmark = pytest.mark.slow  # a real server process and a real browser


def sign_in(page: Page, market: Market, role: str) -> None:
    page.goto(f"{market.base}/")
    page.get_by_test_id("username").fill(market.users[role])
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    expect(page.locator("#who")).to_contain_text(role)


def test_sign_in_lands_each_role_on_its_pages(page: Page, market: Market) -> None:
    """A wrong password is refused on the page; each role lands on its own first page and
    sees only its own navigation."""
    page.goto(f"{market.base}/")
    expect(page).to_have_url(re.compile(r"/console/#/signin$"))
    page.get_by_test_id("username").fill(market.users["buyer"])
    page.get_by_test_id("password").fill("not-the-password")
    page.get_by_test_id("sign-in").click()
    expect(page.locator("#signin-error")).to_be_visible()
    screenshot(page, "signin")
    expected = {
        "dispatcher": ("map", ["map", "plans", "devices", "replay", "shipments"]),
        "seller": ("shipments", ["shipments"]),
        "buyer": ("orders", ["orders"]),
    }
    for role, (home, nav) in expected.items():
        sign_in(page, market, role)
        expect(page).to_have_url(re.compile(rf"#/{home}$"))
        links = page.locator("#nav a")
        expect(links).to_have_count(len(nav))
        assert [links.nth(i).get_attribute("data-nav") for i in range(len(nav))] == nav
        page.locator("#signout").click()
        expect(page).to_have_url(re.compile(r"#/signin$"))


def test_dispatcher_map_moves_the_van_as_fixes_arrive(page: Page, market: Market) -> None:
    """The live map shows the depot, the day's approved route with its stops and the van; a
    new fix moves the van on the map without a reload, and its panel shows route and ETA."""
    sign_in(page, market, "dispatcher")
    page.goto(f"{market.base}/console/#/map?depot={market.depot}")
    van = page.locator(f'[data-testid="vehicle"][data-id="{market.device}"]')
    expect(van).to_have_count(1)
    expect(page.get_by_test_id("live")).to_have_attribute("data-state", "open")
    expect(page.locator('[data-testid="stop"]')).to_have_count(len(market.buyer_shipments) + 1)
    before = van.get_attribute("transform")
    van.click()
    panel = page.get_by_test_id("vehicle-panel")
    expect(panel).to_contain_text(f"{market.plan_id}-{market.vehicle}")
    # Four stops, the first delivered: three to go.
    expect(panel.locator("tbody tr")).to_have_count(len(market.buyer_shipments))
    expect(page.locator('[data-testid="stop"][data-status="delivered"]')).to_have_count(1)
    market.drive(900.0, 600.0)
    wait_for(
        lambda: van.get_attribute("transform") != before,
        timeout_s=15,
        what="the van to move on the map",
    )
    expect(panel.get_by_test_id("panel-speed")).to_contain_text("32 km/h")
    screenshot(page, "dispatcher-map")


def test_plan_builder_runs_and_approves_a_plan(page: Page, market: Market) -> None:
    """The plan builder shows the depot's ready shipments, runs the optimizer with a progress
    bar to the end, lists the plan with its cost, distance and vehicles, and approves it."""
    sign_in(page, market, "dispatcher")
    page.goto(f"{market.base}/console/#/plans?depot={market.plan_depot}&date={market.today}")
    expect(page.get_by_test_id("ready-count")).to_have_text("4")
    page.get_by_test_id("time-limit").fill("2")
    page.get_by_test_id("run").click()
    expect(page.locator("#progress-text")).to_contain_text("pln_")
    plan_id = re.search(r"pln_[0-9a-f]+", page.locator("#progress-text").inner_text()).group(0)
    solver = solve_in_background(market.db_url, plan_id, f"browser-ui-{market.uid}")
    progress = page.get_by_test_id("progress")
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=30000)
    solver.join(30)
    row = page.locator(f'tr[data-plan="{plan_id}"]')
    expect(row).to_have_attribute("data-status", "succeeded")
    cells = row.locator("td")
    assert cells.nth(3).inner_text().endswith("km") and cells.nth(5).inner_text() in ("1", "2")
    expect(page.locator('[data-testid="shown-routes"] tbody tr').first).to_be_visible()
    screenshot(page, "plan-builder")
    row.get_by_test_id("approve").click()
    expect(page.locator(f'tr[data-plan="{plan_id}"]')).to_have_attribute("data-status", "approved")
    assert market.api("GET", f"/v1/plans/{plan_id}").json()["status"] == "approved"
    expect(page.get_by_test_id("ready-count")).to_have_text("0")


def test_device_health_and_trip_replay(page: Page, market: Market) -> None:
    """Dispatchers see each device's last fix and dead letters, and replay the van's trip
    with a time slider that moves it along its track."""
    sign_in(page, market, "dispatcher")
    page.goto(f"{market.base}/console/#/devices")
    expect(page.locator(f'tr[data-device="{market.device}"]')).to_be_visible()
    screenshot(page, "device-health")
    page.goto(f"{market.base}/console/#/replay?device={market.device}")
    expect(page.get_by_test_id("replay-vehicle")).to_have_count(1)
    expect(page.locator('[data-testid="replay-stops"] tbody tr')).to_have_count(2)
    last = page.get_by_test_id("cursor-time").inner_text()
    page.get_by_test_id("slider").fill("0")
    first = page.get_by_test_id("cursor-time").inner_text()
    assert first != last
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("cursor-time")).not_to_have_text(first)
    screenshot(page, "trip-replay")


def test_seller_sees_problems_first_and_searches(page: Page, market: Market) -> None:
    """A seller sees the shop's shipments, the one with a problem first, and can search."""
    sign_in(page, market, "seller")
    rows = page.locator('[data-testid="shipments"] tbody tr')
    expect(rows).to_have_count(len(market.buyer_shipments) + 2)
    expect(rows.first).to_have_attribute("data-shipment", market.problem_shipment)
    screenshot(page, "seller-shipments")
    page.get_by_test_id("search").fill(market.other_buyer_shipment)
    expect(rows).to_have_count(1)


def test_buyer_sees_timeline_eta_and_the_van(page: Page, market: Market) -> None:
    """A buyer's order shows its timeline with the evidence of each step, the ETA, and the
    van's position with its time while out for delivery; another buyer's shipment is not
    found."""
    sign_in(page, market, "buyer")
    rows = page.locator('[data-testid="shipments"] tbody tr')
    expect(rows).to_have_count(len(market.buyer_shipments))
    sid = en_route(market)
    status = status_of(market, sid)
    page.locator(f'tr[data-shipment="{sid}"] a').click()
    expect(page.get_by_test_id("shipment-id")).to_have_text(sid)
    # packed, loaded (RFID reads at the dock), out for delivery (the plan), maybe arriving
    timeline = page.locator('[data-testid="timeline"] li')
    expect(timeline.first).to_be_visible()
    assert timeline.count() >= 3
    expect(timeline.locator('[data-status="packed"]')).to_have_count(1)
    expect(page.get_by_test_id("timeline")).to_contain_text("RFID")
    expect(page.get_by_test_id("eta")).not_to_have_text("—")
    expect(
        page.get_by_test_id("shipment-status").locator(f'[data-status="{status}"]')
    ).to_be_visible()
    expect(page.get_by_test_id("position-as-of")).to_be_visible()
    expect(page.get_by_test_id("shipment-van")).to_have_count(1)
    screenshot(page, "buyer-shipment")
    page.get_by_test_id("lang-switch").click()
    english = {"out_for_delivery": "out for delivery", "arriving": "arriving"}[status]
    expect(page.get_by_test_id("shipment-status")).to_contain_text(english)
    page.goto(f"{market.base}/console/#/shipment/{market.other_buyer_shipment}")
    expect(page.locator("main .error")).to_be_visible()


def test_public_link_shows_status_eta_and_coarse_position_only(page: Page, market: Market) -> None:
    """The public page of a link shows status, ETA and a coarse position; no shipment, order,
    buyer, address or vehicle, and it asks the API for nothing but the link's answer."""
    sid = en_route(market)
    sign_in(page, market, "dispatcher")
    page.goto(f"{market.base}/console/#/shipment/{sid}")
    page.get_by_test_id("make-link").click()
    expect(page.get_by_test_id("public-link")).to_have_attribute("href", re.compile("/track/"))
    href = page.get_by_test_id("public-link").get_attribute("href")
    page.locator("#signout").click()
    expect(page).to_have_url(re.compile(r"#/signin$"))
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url.removeprefix(market.base)))
    page.goto(href)
    card = page.get_by_test_id("public-card")
    status = status_of(market, sid)
    expect(
        page.get_by_test_id("public-status").locator(f'[data-status="{status}"]')
    ).to_be_visible()
    expect(page.get_by_test_id("public-eta")).not_to_have_text("—")
    expect(page.get_by_test_id("public-position")).to_contain_text(",")
    text = page.locator("body").inner_text()
    shipment = market.api("GET", f"/v1/shipments/{sid}").json()
    private = (
        sid, shipment["mall_order_id"], shipment["buyer_id"], shipment["shop_id"],
        shipment["delivery"]["address"], market.device, market.vehicle, "九堡路",
    )  # fmt: skip
    for secret in private:
        assert secret not in text, secret
    lat, lon = page.get_by_test_id("public-position").inner_text().split(" ")[0:2]
    assert len(lat.rstrip(",").split(".")[1]) == 2 and len(lon.split(".")[1]) == 2
    api_calls = [u for u in asked if u.startswith("/v1/")]
    assert api_calls and all(u.startswith("/v1/public/track/") for u in api_calls), api_calls
    expect(card).to_be_visible()
    screenshot(page, "public-tracking")
    page.goto(f"{market.base}/track/not-a-token")
    expect(page.get_by_test_id("public-error")).to_be_visible()


def receive(settings: Settings, topic: str, payload: bytes) -> None:
    """What an ingest worker does with one message, as the dead-letter API tests do."""
    message = pipeline.Message(topic, payload, datetime.now(UTC))
    prepared = service.prepare([message], {}.get, service.Rules.from_settings(settings))
    with psycopg.connect(settings.db.url) as conn, conn.transaction():
        service.write(conn, prepared)


def test_admin_replays_a_devices_dead_letters(
    page: Page, market: Market, settings: Settings
) -> None:
    """Fixes of a device registered late are dead letters listed on the health page; an
    admin replays them from there and they are stored."""
    device_id = f"late-{market.uid}"
    fix = {"ts": datetime.now(UTC).isoformat(), "lat": 30.29, "lon": 120.21}
    receive(settings, f"waybill/v1/devices/{device_id}/telemetry", orjson.dumps(fix))
    register(market.db_url, device_id)
    sign_in(page, market, "admin")
    page.goto(f"{market.base}/console/#/devices")
    row = page.locator(f'tr[data-device="{device_id}"]')
    expect(row.locator("td").nth(6)).to_have_text("1")
    row.locator("button").click()
    expect(page.locator("#replay-note")).to_contain_text("已入库 1")
    expect(row.locator("td").nth(6)).to_have_text("")
    assert position_count(market.db_url, device_id) == 1


def test_session_refreshes_and_an_invalid_one_returns_to_sign_in(
    page: Page, market: Market
) -> None:
    """A token about to expire is refreshed before the next request (the refresh token
    rotates); a session the API no longer accepts sends the page back to sign-in."""
    sign_in(page, market, "seller")
    before = page.evaluate("JSON.parse(sessionStorage.getItem('waybill.session'))")
    page.evaluate(
        """() => { const s = JSON.parse(sessionStorage.getItem('waybill.session'));
                   s.expires_at = Date.now() + 1000;
                   sessionStorage.setItem('waybill.session', JSON.stringify(s)); }"""
    )
    with page.expect_response(lambda r: r.url.endswith("/v1/auth/refresh")) as refreshed:
        page.get_by_test_id("search").fill("MO-")
    assert refreshed.value.status == 200
    after = wait_for(
        lambda: (
            (s := page.evaluate("JSON.parse(sessionStorage.getItem('waybill.session'))"))[
                "access_token"
            ]
            != before["access_token"]
            and s
        ),
        timeout_s=5,
        what="the refreshed session to be kept",
    )
    assert after["refresh_token"] != before["refresh_token"]
    expect(page.locator('[data-testid="shipments"] tbody tr')).to_have_count(
        len(market.buyer_shipments) + 2
    )
    page.evaluate(
        """() => sessionStorage.setItem('waybill.session', JSON.stringify(
                 {access_token: 'wbs_not-a-token', refresh_token: 'not-either', role: 'seller',
                  expires_at: Date.now() + 600000}))"""
    )
    page.get_by_test_id("search").fill("MO-x")
    expect(page).to_have_url(re.compile(r"#/signin$"))
    assert page.evaluate("sessionStorage.getItem('waybill.session')") is None


def test_tiles_and_their_coordinate_system_from_the_settings(
    page: Page, market: Market, tiled_server: str
) -> None:
    """With a tile URL in GCJ-02, the map asks for tiles of that template and draws our
    WGS-84 geometry shifted into GCJ-02 (by hundreds of metres in Hangzhou); the language
    setting applies before anyone chooses."""
    tiles: list[str] = []
    page.on("request", lambda r: tiles.append(r.url) if "/tiles-test/" in r.url else None)
    page.goto(f"{tiled_server}/")
    expect(page.get_by_test_id("sign-in")).to_have_text("Sign in")
    page.get_by_test_id("username").fill(market.users["dispatcher"])
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    expect(page.locator("#who")).to_contain_text("dispatcher")
    page.goto(f"{tiled_server}/console/#/map?depot={market.depot}")
    expect(page.get_by_test_id("depot")).to_have_count(1)
    expect(page.locator(".map .legend")).to_contain_text("GCJ02")
    wait_for(lambda: tiles, what="tile requests")
    assert all(re.search(r"/tiles-test/\d+/\d+/\d+\.png$", url) for url in tiles), tiles
    shift = page.evaluate(
        """async ([lat, lon]) => {
             const crs = await import('/console/assets/js/crs.js');
             const [glat, glon] = crs.fromWgs84(lat, lon, 'gcj02');
             return [(glat - lat) * 111320, (glon - lon) * 111320 * Math.cos(lat * Math.PI / 180)];
           }""",
        list(MARKET),
    )
    assert 200 < math.hypot(*shift) < 1000, shift
