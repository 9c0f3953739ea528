"""A numbered stream of GPS fixes from one device, published at least once each.

Message i carries device time base + i × 100 ms, so every message is one distinct row;
`stored == count` means nothing was lost, and the primary key makes duplicates impossible
to hide. Publishing retries (reconnecting if need be) until the broker acknowledged each
message, as a real device with a persistent outbox does.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import orjson

from core.settings import Settings
from tests.support.mqtt import ConnectRefused, Publisher


class NumberedStream:
    def __init__(self, settings: Settings, device_id: str, password: str, count: int,
                 rate_per_s: float) -> None:  # fmt: skip
        self.settings = settings
        self.device_id = device_id
        self.password = password
        self.count = count
        self.interval_s = 1.0 / rate_per_s
        self.base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        self.acked = 0
        self.retries = 0
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def topic(self) -> str:
        return f"waybill/v1/devices/{self.device_id}/telemetry"

    def payload(self, number: int) -> bytes:
        when = self.base + timedelta(milliseconds=100 * number)
        return orjson.dumps({"ts": when.isoformat(), "lat": 30.2, "lon": 120.1, "seq": number})

    def start(self) -> NumberedStream:
        self._thread.start()
        return self

    def join(self, timeout_s: float = 120.0) -> None:
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            raise AssertionError(f"publisher stuck after {self.acked} of {self.count}")
        if self.error is not None:
            raise AssertionError(f"publisher failed: {self.error!r}")

    def _connect(self) -> Publisher:
        while True:
            try:
                return Publisher(self.settings, self.device_id, self.password,
                                 client_id=f"stream-{self.device_id}")  # fmt: skip
            except (ConnectRefused, OSError):
                self.retries += 1
                time.sleep(0.2)

    def _run(self) -> None:
        try:
            publisher = self._connect()
            number = 0
            next_at = time.monotonic()
            while number < self.count:
                try:
                    code = publisher.try_publish(self.topic, self.payload(number), timeout_s=3.0)
                    if code.is_failure:
                        raise AssertionError(f"broker refused message {number}: {code}")
                except AssertionError as exc:
                    if "refused message" in str(exc):
                        raise
                    self.retries += 1  # no PUBACK: the broker went away; send it again
                    publisher.close()
                    publisher = self._connect()
                    continue
                number += 1
                self.acked = number
                next_at += self.interval_s
                time.sleep(max(0.0, next_at - time.monotonic()))
            publisher.close()
        except BaseException as exc:  # reported by join()
            self.error = exc
