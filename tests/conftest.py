"""Shared fixtures: the real test database, a test broker of our own, and helpers.

Tests that need PostgreSQL or Mosquitto fail (not skip) with the command that starts
them. The test broker runs on its own port with its own state, started fresh per run, so
a demo running beside the tests never shares messages with them.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest

from core.settings import Settings
from devices import broker
from tests.support.accounts import install_token
from tests.support.processes import WorkerProcess

# Tests never touch the demo database unless told to.
os.environ.setdefault("WAYBILL_DB__URL", "postgresql://waybill:waybill@127.0.0.1:5432/waybill_test")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
START_HINT = "run `make test` (or `scripts/setup.sh test`) to install and start the services"
TEST_BROKER_PORT = int(os.environ.get("WAYBILL_TEST_BROKER_PORT", "18840"))
TEST_ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex

T = TypeVar("T")


def wait_for(
    probe: Callable[[], T | None], *, timeout_s: float = 20.0, what: str = "condition"
) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout_s
    delay = 0.02
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


def base_settings() -> Settings:
    """The settings every test starts from: the test database and the test broker."""
    base = Settings()
    return base.model_copy(
        update={
            "mqtt": base.mqtt.model_copy(update={"port": TEST_BROKER_PORT}),
            "broker": base.broker.model_copy(
                update={"state_dir": str(REPO / ".run" / f"mosquitto-test-{TEST_BROKER_PORT}")}
            ),
        }
    )


@pytest.fixture(scope="session")
def settings() -> Settings:
    return base_settings()


@pytest.fixture(scope="session")
def database(settings: Settings) -> str:
    try:
        with psycopg.connect(settings.db.url, connect_timeout=5) as conn:
            conn.execute("SELECT 1 FROM positions LIMIT 0")
    except psycopg.Error as exc:
        pytest.fail(f"the test database is not ready ({exc}); {START_HINT}")
    install_token(settings.db.url, TEST_ADMIN_TOKEN, "admin")
    return settings.db.url


@pytest.fixture
def conn(database: str) -> Iterator[psycopg.Connection]:
    """A connection whose work is rolled back at the end of the test."""
    with psycopg.connect(database) as connection:
        yield connection
        connection.rollback()


@contextmanager
def fresh_broker(settings: Settings) -> Iterator[Settings]:
    """A broker started afresh on the settings' port and state directory, stopped at the end;
    yields the settings with the ingest account's credentials."""
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        pytest.fail(f"mosquitto is not installed; {START_HINT}")
    broker.stop(settings)
    shutil.rmtree(broker.state_dir(settings), ignore_errors=True)
    broker.start(settings)
    try:
        password = broker.account_password(settings, broker.INGEST_ACCOUNT)
        mqtt = settings.mqtt.model_copy(
            update={"username": broker.INGEST_ACCOUNT, "password": password}
        )
        yield settings.model_copy(update={"mqtt": mqtt})
    finally:
        broker.stop(settings)


@pytest.fixture(scope="session")
def mqtt_broker(settings: Settings) -> Iterator[Settings]:
    """A fresh broker for this test run, on its own port and state; stopped at the end."""
    with fresh_broker(settings) as running:
        yield running


@pytest.fixture
def uid() -> str:
    """A short unique token for names of rows that tests must commit."""
    return uuid.uuid4().hex[:10]


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
