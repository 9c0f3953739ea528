"""A platform of real processes for the market simulator: its own broker, the API, an
ingest worker, the EPCIS and tracking projections and a plan worker, on the test database.

The broker is this directory's own (port and state apart from the other tests' broker), so
the simulator's devices and downlinks meet nobody else's. Accounts are real rows: the
dispatcher signs in with its password, the mall uses an API key.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest

from core.settings import Settings
from tests.conftest import ARTIFACTS, REPO, fresh_broker
from tests.support.accounts import bearer, create_user
from tests.support.processes import WAYBILL, WorkerProcess, service_env

SIM_BROKER_PORT = 18846


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def sim_broker(settings: Settings, database: str) -> Iterator[Settings]:
    """A fresh broker of this directory's own; the settings carry the ingest account."""
    mine = settings.model_copy(
        update={
            "mqtt": settings.mqtt.model_copy(update={"port": SIM_BROKER_PORT}),
            "broker": settings.broker.model_copy(
                update={"state_dir": str(REPO / ".run" / "mosquitto-test-sim")}
            ),
        }
    )
    with fresh_broker(mine) as running:
        yield running


@dataclass
class Platform:
    settings: Settings
    uid: str
    api: str
    credentials: Path
    logs: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        return service_env(self.settings, **extra)

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen([WAYBILL, *args], env=self.env(**env), cwd=REPO,
                                stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        log.close()
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


@pytest.fixture
def platform(sim_broker: Settings, tmp_path: Path) -> Iterator[Platform]:
    uid = uuid.uuid4().hex[:6]
    port = free_port()
    logs = ARTIFACTS / f"sim-{uid}"
    logs.mkdir(parents=True, exist_ok=True)
    db = sim_broker.db.url
    password = uuid.uuid4().hex
    create_user(db, f"disp-{uid}", password, "dispatcher")
    creds = tmp_path / "sim-credentials.json"
    creds.write_bytes(orjson.dumps({
        "api": f"http://127.0.0.1:{port}",
        "integration_key": bearer(db, "integration"),
        "dispatcher": {"username": f"disp-{uid}", "password": password},
    }))  # fmt: skip
    p = Platform(sim_broker, uid, f"http://127.0.0.1:{port}", creds, logs)
    worker = WorkerProcess(sim_broker, f"sim{uid}", 1, logs / "ingest.log")
    try:
        worker.start()
        p.start("api", "serve", "--port", str(port))
        prefix = f"t{uid}-"
        readers = [f"--reader={prefix}rfid-sijiqing-{r}" for r in ("dock", "pack")]
        p.start("epcis", "epcis", "project", *readers, WAYBILL_EPCIS__SETTLE_S="2",
                WAYBILL_EPCIS__PROJECT_INTERVAL_S="0.5")  # fmt: skip
        p.start("track", "track", "run")
        p.start("plan", "plan", "worker", "--poll-s", "0.2", "--name", f"sim-{uid}")
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{p.api}/healthz", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the API did not start:\n{p.log('api')[-3000:]}")
                time.sleep(0.2)
        yield p
    finally:
        for proc in p.procs:
            proc.terminate()
        for proc in p.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        worker.stop()
