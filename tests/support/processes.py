"""Real worker processes for end-to-end and fault tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from core.settings import Settings

REPO = Path(__file__).resolve().parents[2]
WAYBILL = str(Path(sys.executable).parent / "waybill")


def service_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "WAYBILL_DB__URL": settings.db.url,
            "WAYBILL_MQTT__HOST": settings.mqtt.host,
            "WAYBILL_MQTT__PORT": str(settings.mqtt.port),
            "WAYBILL_INGEST__METRICS_PORT": "0",
        }
    )
    if settings.mqtt.username:
        env["WAYBILL_MQTT__USERNAME"] = settings.mqtt.username
        env["WAYBILL_MQTT__PASSWORD"] = settings.mqtt.password or ""
    env["WAYBILL_BROKER__STATE_DIR"] = settings.broker.state_dir
    env.update(extra)
    return env


@dataclass
class WorkerProcess:
    """One `waybill ingest` process; its log is kept in a file for assertions and failures."""

    settings: Settings
    group: str
    worker_id: int
    log_path: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self, wait_subscribed: bool = True, timeout_s: float = 20.0) -> WorkerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        env = service_env(
            self.settings,
            WAYBILL_INGEST__SHARE_GROUP=self.group,
            WAYBILL_INGEST__CLIENT_ID=f"t-{self.group}",
            **self.env_extra,
        )
        log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [WAYBILL, "ingest", "--worker-id", str(self.worker_id)],
            env=env,
            cwd=REPO,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        log_file.close()
        if wait_subscribed:
            self.wait_for_log("subscribed to", offset, timeout_s)
        return self

    def log(self, offset: int = 0) -> str:
        return self.log_path.read_bytes()[offset:].decode(errors="replace")

    def wait_for_log(self, text: str, offset: int = 0, timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if text in self.log(offset):
                return
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"worker exited early:\n{self.log(offset)[-3000:]}")
            time.sleep(0.05)
        raise AssertionError(f"worker log never said {text!r}:\n{self.log(offset)[-3000:]}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self, timeout_s: float = 20.0) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout_s)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_api(settings: Settings, log_path: Path, **env: str) -> Iterator[str]:
    """`waybill serve` on a free port for the life of a fixture; yields its base URL. Its
    log goes to `log_path`."""
    port = free_port()
    environment = service_env(
        settings, WAYBILL_API__HOST="127.0.0.1", WAYBILL_API__PORT=str(port), **env
    )
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [WAYBILL, "serve"], env=environment, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the API server exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(
                f"the API server did not answer /healthz:\n{log_path.read_text()[-3000:]}"
            )
        time.sleep(0.05)
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
