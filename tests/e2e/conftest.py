"""Real ingest workers on the test broker, each test in its own shared-subscription group."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from tests.support.processes import WorkerProcess

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def start_worker(
    mqtt_broker: Settings, database: str, uid: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `waybill ingest` processes in a share group of this test; all stop at the end."""
    workers: list[WorkerProcess] = []

    def start(worker_id: int = 1, **env: str) -> WorkerProcess:
        log = ARTIFACTS / f"{request.node.name}-{uid}-w{worker_id}.log"
        worker = WorkerProcess(mqtt_broker, f"g{uid}", worker_id, log, env).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
