"""The load generator (`waybill sim --devices N --rate R`) publishes at its rate as
provisioned devices, and every message it reports acknowledged is stored once."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, datetime

import orjson
import psycopg

from core.settings import Settings
from tests.conftest import ARTIFACTS, REPO, wait_for
from tests.support.processes import WAYBILL, WorkerProcess, service_env


def test_the_load_generator_reaches_its_rate_and_loses_nothing(
    sim_broker: Settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Three devices at 300 msgs/s for two seconds: about 600 sent, all acknowledged, all
    stored as positions of those devices."""
    uid = uuid.uuid4().hex[:6]
    worker = WorkerProcess(sim_broker, f"load{uid}", 1, ARTIFACTS / f"sim-load-{uid}.log").start()
    state = tmp_path / "load.json"
    started = datetime.now(UTC)
    try:
        # devices are named load-00001...: a state file of this test's own gives them fresh
        # passwords, so earlier runs' devices are rotated, not reused
        done = subprocess.run(
            [WAYBILL, "sim", "--devices", "3", "--rate", "300", "--duration", "2",
             "--state", str(state)],
            env=service_env(sim_broker), cwd=REPO, capture_output=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        report = orjson.loads(done.stdout.splitlines()[-1])
        assert report["acked"] == report["sent"] and 500 <= report["sent"] <= 610, report
        devices = sorted(orjson.loads(state.read_bytes()))
        assert devices == ["load-00001", "load-00002", "load-00003"]

        def stored() -> int | None:
            with psycopg.connect(sim_broker.db.url) as conn:
                n = conn.execute(
                    """SELECT count(*) FROM positions p JOIN devices d ON d.pk = p.device_pk
                       WHERE d.device_id = ANY(%s) AND p.device_time >= %s""",
                    (devices, started),
                ).fetchone()[0]
            return n if n >= report["sent"] else None

        assert wait_for(stored, timeout_s=20, what="the generator's fixes") == report["sent"]
    finally:
        worker.stop()
