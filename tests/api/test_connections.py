"""The API's connections under pressure, on a real `waybill serve` with a pool of two: open
event streams hold none, and a burst of requests far larger than the pool and the worker
threads queues for connections instead of locking up."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from tests.conftest import TEST_ADMIN_TOKEN
from tests.support.processes import serve_api

POOL = 2
ADMIN = {"Authorization": f"Bearer {TEST_ADMIN_TOKEN}"}


@pytest.fixture(scope="module")
def small_pool_api(
    settings: Settings, database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log: Path = tmp_path_factory.mktemp("api") / "api.log"
    yield from serve_api(settings, log, WAYBILL_DB__POOL_MAX=str(POOL))


def test_open_streams_hold_no_connection(small_pool_api: str) -> None:
    with ExitStack() as streams:
        for _ in range(POOL + 2):
            client = streams.enter_context(httpx.Client(base_url=small_pool_api, headers=ADMIN))
            response = streams.enter_context(client.stream("GET", "/v1/console/fleet/stream"))
            assert response.status_code == 200
            assert next(response.iter_lines()).startswith("event: update")
        # Each stream has sent its first event and polls on; reads still get connections.
        for _ in range(3):
            answer = httpx.get(f"{small_pool_api}/v1/devices", headers=ADMIN, timeout=5)
            assert answer.status_code == 200


def test_a_burst_beyond_pool_and_threads_is_served(small_pool_api: str) -> None:
    # 150 at once: more than the pool (2) and the worker threads (40) together.
    async def burst() -> list[int]:
        limits = httpx.Limits(max_connections=150)
        async with httpx.AsyncClient(
            base_url=small_pool_api, headers=ADMIN, limits=limits, timeout=20
        ) as client:
            answers = await asyncio.gather(*(client.get("/v1/devices") for _ in range(150)))
        return [a.status_code for a in answers]

    assert asyncio.run(burst()) == [200] * 150
