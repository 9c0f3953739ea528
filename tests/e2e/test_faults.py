"""Nothing lost, nothing doubled, while real processes fail under a numbered stream."""

from __future__ import annotations

import subprocess

import pytest

from core.settings import Settings
from devices import broker
from tests.conftest import wait_for
from tests.support.data import position_count, provision
from tests.support.stream import NumberedStream

pytestmark = pytest.mark.slow
COUNT = 1500
RATE = 300.0


def _stream(settings: Settings, device_id: str) -> NumberedStream:
    return NumberedStream(settings, device_id, provision(settings, device_id), COUNT, RATE)


def _all_stored(database: str, stream: NumberedStream) -> None:
    stream.join()
    wait_for(
        lambda: position_count(database, stream.device_id) >= COUNT,
        timeout_s=60,
        what=f"{COUNT} rows of {stream.device_id}",
    )
    assert position_count(database, stream.device_id) == COUNT


def test_worker_killed_and_restarted(
    mqtt_broker: Settings, database: str, uid: str, start_worker
) -> None:  # type: ignore[no-untyped-def]
    """kill -9 of the only worker mid-stream: after a restart every message is stored once."""
    worker = start_worker()
    stream = _stream(mqtt_broker, f"kill-{uid}").start()
    wait_for(lambda: position_count(database, stream.device_id) > 200, what="some rows")
    worker.kill()
    stored_at_kill = position_count(database, stream.device_id)
    wait_for(lambda: stream.acked > stored_at_kill + 200, what="more messages while down")
    worker.start()
    _all_stored(database, stream)


def _cluster() -> tuple[str, str]:
    line = subprocess.run(
        ["pg_lsclusters", "-h"], capture_output=True, text=True, check=True
    ).stdout.split("\n")[0]
    version, name = line.split()[:2]
    return version, name


def test_postgresql_restarted(mqtt_broker: Settings, database: str, uid: str, start_worker) -> None:  # type: ignore[no-untyped-def]
    """A PostgreSQL restart mid-stream: the worker stops acking, retries, and stores all once."""
    worker = start_worker()
    stream = _stream(mqtt_broker, f"pg-{uid}").start()
    wait_for(lambda: position_count(database, stream.device_id) > 200, what="some rows")
    version, name = _cluster()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart", "-m", "fast"],
        check=True,
    )
    _all_stored(database, stream)
    assert "database error, retrying" in worker.log()


def test_mosquitto_restarted(mqtt_broker: Settings, database: str, uid: str, start_worker) -> None:  # type: ignore[no-untyped-def]
    """A broker restart with persistence mid-stream: worker and device reconnect, none lost."""
    worker = start_worker()
    stream = _stream(mqtt_broker, f"mq-{uid}").start()
    wait_for(lambda: position_count(database, stream.device_id) > 200, what="some rows")
    before = broker.running_pid(mqtt_broker)
    assert broker.stop(mqtt_broker)
    assert broker.start(mqtt_broker)
    assert broker.running_pid(mqtt_broker) not in (None, before)
    _all_stored(database, stream)
    assert worker.log().count("subscribed to") >= 2  # the worker reconnected
    # Mosquitto 2.0 forgets shared subscriptions over a restart: the guard kept the gap.
    wait_for(lambda: "restart guard drained" in worker.log(), what="the guard to be drained")


def test_sigterm_drains_and_exits_cleanly(
    mqtt_broker: Settings, database: str, uid: str, start_worker
) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM mid-stream: the worker commits what it has, exits 0, and a restart finishes."""
    worker = start_worker()
    stream = _stream(mqtt_broker, f"term-{uid}").start()
    wait_for(lambda: position_count(database, stream.device_id) > 200, what="some rows")
    assert worker.stop() == 0
    assert "worker stopped" in worker.log()
    worker.start()
    _all_stored(database, stream)


def test_two_workers_share_the_stream(
    mqtt_broker: Settings, database: str, uid: str, start_worker
) -> None:  # type: ignore[no-untyped-def]
    """Two workers in one share group split the messages and store each exactly once."""
    first, second = start_worker(1), start_worker(2)
    stream = _stream(mqtt_broker, f"two-{uid}").start()
    _all_stored(database, stream)
    assert first.process and second.process
    assert first.process.poll() is None and second.process.poll() is None
