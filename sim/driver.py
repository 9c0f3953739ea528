"""The driver's app: what a van's driver tells the API, as the dispatcher account.

Before leaving, the driver waits (a bounded time) for the dock door to have reported the
cartons loaded; if RFID missed them, the driver marks them loaded by hand, as a real app's
"loaded" button would. At each door the driver confirms the delivery, or a failed attempt
with its reason, through `POST /v1/shipments/{id}/proof-of-delivery`. A confirmation the
status machine refuses because no tracking evidence has moved the shipment on its way yet
(the geofence exit needs a minute of fixes outside the warehouse) is preceded by the
driver's own "out for delivery" marking and sent again.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sim.api_client import Api, ApiError
from sim.paths import Point
from sim.world import Van

log = logging.getLogger(__name__)
POLL_S = 2.0
ON_THE_WAY = {"in_transit", "out_for_delivery", "arriving"}
LOADED_OR_LATER = ON_THE_WAY | {"loaded", "delivered", "delivery_failed", "returned"}


class DriverApp:
    """The drivers' app; `read_at_dock` says which shipments' cartons the dock door reads
    (others, such as a shipment left over from an earlier run, are marked by hand)."""

    def __init__(self, api: Api, load_wait_s: float = 30.0,
                 read_at_dock: Callable[[str], bool] = lambda _: True) -> None:  # fmt: skip
        self.api = api
        self.load_wait_s = load_wait_s
        self.read_at_dock = read_at_dock
        self.confirmed = 0
        self.failed = 0
        self.errors = 0
        self._lock = threading.Lock()
        self._poll_lock = threading.Lock()
        self._loaded: set[str] = set()
        self._polled_at = 0.0

    def status(self, shipment_id: str) -> str:
        return self.api.get(f"/v1/shipments/{shipment_id}")["status"]

    def _mark(self, shipment_id: str, status: str, reason: str) -> None:
        try:
            self.api.post(f"/v1/shipments/{shipment_id}/events",
                          {"status": status, "reason": reason})  # fmt: skip
        except ApiError as exc:
            if exc.status != 409:
                raise

    def loaded(self) -> set[str]:
        """Shipments now `loaded`: one list for every van waiting, at most every 2 s."""
        with self._poll_lock:
            if time.monotonic() - self._polled_at >= POLL_S:
                found: set[str] = set()
                params: dict[str, str | int] = {"status": "loaded", "limit": 500}
                while True:
                    page = self.api.get("/v1/shipments", params=params)
                    found |= {s["shipment_id"] for s in page["items"]}
                    if not page["next_cursor"]:
                        break
                    params["cursor"] = page["next_cursor"]
                self._loaded, self._polled_at = found, time.monotonic()
            return self._loaded

    def wait_loaded(self, van: Van, shipment_ids: list[str], stop: threading.Event) -> None:
        deadline = time.monotonic() + self.load_wait_s
        waiting = {s for s in shipment_ids if self.read_at_dock(s)}
        while waiting and time.monotonic() < deadline and not stop.wait(POLL_S):
            waiting -= self.loaded()
        waiting |= {s for s in shipment_ids if not self.read_at_dock(s)}
        for shipment_id in sorted(waiting):
            if self.status(shipment_id) not in LOADED_OR_LATER:
                log.info("%s: %s not seen at the dock door; marked loaded by the driver",
                         van.device_id, shipment_id)  # fmt: skip
                self._mark(shipment_id, "loaded", f"loaded onto {van.vehicle_id} (not read)")

    def confirm(self, van: Van, shipment_id: str, where: Point, failed: str | None) -> None:
        body = {
            "pod_id": f"pod-{uuid.uuid4().hex[:12]}",
            "outcome": "failed" if failed else "delivered",
            "method": "driver_confirmation",
            "confirmed_at": datetime.now(UTC).isoformat(),
            "location": {"type": "Point", "coordinates": [where[1], where[0]]},
            "device_id": van.device_id,
            "driver_id": f"driver-{van.vehicle_id}",
        }
        if failed:
            body["failure_reason"] = failed
        else:
            body["recipient_name"] = "shop staff"
            body["photo_ref"] = f"pod/{body['pod_id']}.jpg"
        path = f"/v1/shipments/{shipment_id}/proof-of-delivery"
        try:
            try:
                self.api.post(path, body)
            except ApiError as exc:
                if exc.status != 409 or self.status(shipment_id) in ON_THE_WAY:
                    raise
                self._mark(shipment_id, "out_for_delivery", f"on board {van.vehicle_id}")
                self.api.post(path, body)
        except ApiError as exc:
            with self._lock:
                self.errors += 1
            log.warning("%s: confirming %s failed: %s", van.device_id, shipment_id, exc)
            return
        with self._lock:
            if failed:
                self.failed += 1
            else:
                self.confirmed += 1
        log.info("%s: %s %s", van.device_id, shipment_id,
                 f"delivery failed ({failed})" if failed else "delivered")  # fmt: skip
