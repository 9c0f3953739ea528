"""Browser tests: a real `waybill serve` process on the test database, Debian's chromium
driven headless by Playwright (the system browser; no browser is ever downloaded), and a
small market of this run's own (see `market.py`).

Screenshots of every page go to `test-artifacts/browser/`; with
`WAYBILL_UPDATE_SCREENSHOTS=1` they also replace the README's ones in `docs/screenshots/`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from tests.browser.market import Market, build_market
from tests.conftest import ARTIFACTS, REPO, START_HINT
from tests.support.processes import serve_api

CHROMIUM = os.environ.get("WAYBILL_TEST_CHROMIUM", "/usr/bin/chromium")
SHOTS = ARTIFACTS / "browser"
DOCS_SHOTS = REPO / "docs" / "screenshots"


def _serve(settings: Settings, name: str, **env: str) -> Iterator[str]:
    """`waybill serve` on a free port; its log is kept beside the screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Every sign-in of the suite comes from 127.0.0.1 within a minute or two.
    yield from serve_api(
        settings, SHOTS / f"{name}.log", WAYBILL_AUTH__LOGIN_PER_MINUTE="1000", **env
    )


@pytest.fixture(scope="session")
def api_server(mqtt_broker: Settings, database: str) -> Iterator[str]:
    yield from _serve(mqtt_broker, "api-server")


@pytest.fixture(scope="session")
def tiled_server(mqtt_broker: Settings, database: str) -> Iterator[str]:
    """A second server whose console draws over GCJ-02 tiles (served by nobody: the test
    looks at what the page asks for, not at pictures)."""
    yield from _serve(
        mqtt_broker,
        "api-server-tiled",
        WAYBILL_CONSOLE__TILE_URL="/tiles-test/{z}/{x}/{y}.png",
        WAYBILL_CONSOLE__TILE_CRS="gcj02",
        WAYBILL_CONSOLE__LANGUAGE="en",
    )


@pytest.fixture(scope="session")
def market(api_server: str, mqtt_broker: Settings, database: str) -> Market:
    return build_market(api_server, database)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium is not installed at {CHROMIUM}; {START_HINT}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser context (no session) in the market's zone; uncaught page errors fail
    the test; the last state of the page is kept as a screenshot."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(15000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        tab.screenshot(path=str(SHOTS / f"{request.node.name}-last.png"))
    finally:
        context.close()
    assert not errors, f"errors in the page: {errors}"


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Keep a screenshot of the page as a test artifact (and as the README's, when asked)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    if os.environ.get("WAYBILL_UPDATE_SCREENSHOTS") == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SHOTS / f"{name}.png")
