"""A short accelerated market day through real processes: the mall's orders reach the API,
the readers' reads land as tag reads and become EPCIS events, a plan is approved and sent
to the vans, the vans' fixes arrive, and deliveries are confirmed."""

from __future__ import annotations

import subprocess

import httpx
import orjson
import psycopg

from tests.sim.conftest import Platform
from tests.support.accounts import bearer


def test_a_wave_of_the_market_runs_end_to_end(platform: Platform, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One wave at one warehouse with two vans: every step leaves its evidence behind."""
    prefix = f"t{platform.uid}-"
    summary_file = tmp_path / "summary.json"
    sim = platform.start(
        "sim", "sim", "--prefix", prefix, "--warehouses", "1", "--vans", "2",
        "--orders", "3", "--waves", "1", "--speed", "800", "--interval", "0.25",
        "--plan-seconds", "3", "--plan-iterations", "300", "--load-wait", "15",
        "--fail-rate", "0", "--dropout-rate", "0.05", "--duration", "100",
        "--credentials", str(platform.credentials), "--state", str(tmp_path / "sim.json"),
        "--summary", str(summary_file),
    )  # fmt: skip
    try:
        code = sim.wait(110)
    except subprocess.TimeoutExpired as exc:
        sim.kill()
        log = platform.log("sim")[-4000:]
        raise AssertionError(f"the simulator did not finish:\n{log}") from exc
    assert code == 0, platform.log("sim")[-4000:]
    summary = orjson.loads(summary_file.read_bytes())
    assert summary["orders"] == 3, summary
    assert summary["plans"] == 1 and summary["routes"] >= 1, summary

    with httpx.Client(base_url=platform.api, timeout=10) as api:
        auth = {"Authorization": f"Bearer {bearer(platform.settings.db.url, 'dispatcher')}"}
        # the mall's orders became shipments with cartons
        shipments = [api.get(f"/v1/shipments/{s}", headers=auth).json()
                     for s in summary["shipment_ids"]]  # fmt: skip
        assert len(shipments) == 3 and all(s["packages"] for s in shipments), shipments
        # the plan was approved and its routes sent
        plan = api.get(f"/v1/plans/{summary['plan_ids'][0]}", headers=auth).json()
        assert plan["status"] == "approved", plan["status"]
        # deliveries confirmed by the drivers
        statuses = {s["shipment_id"]: s["status"] for s in shipments}
        assert summary["delivered"] >= 1, (summary, platform.log("sim")[-4000:])
        assert "delivered" in statuses.values(), statuses
        timeline = [e["kind"] for s in shipments for e in s["timeline"]]
        assert "proof_of_delivery" in timeline, timeline

    with psycopg.connect(platform.settings.db.url) as conn:
        reads = conn.execute(
            """SELECT d.device_id, count(*) FROM tag_reads r JOIN devices d ON d.pk = r.device_pk
               WHERE d.device_id LIKE %s GROUP BY 1""",
            (prefix + "rfid-%",),
        ).fetchall()
        assert {name.rsplit("-", 1)[1] for name, n in reads if n > 0} == {"dock", "pack"}, reads
        fixes = conn.execute(
            """SELECT count(*) FROM positions p JOIN devices d ON d.pk = p.device_pk
               WHERE d.device_id LIKE %s""",
            (prefix + "%",),
        ).fetchone()[0]
        assert fixes >= 10, fixes
    # packing and the dock door made EPCIS evidence on at least one shipment
    assert "epcis_event" in timeline, timeline
