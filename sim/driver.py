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
from datetime import UTC, datetime

from sim.api_client import Api, ApiError
from sim.paths import Point
from sim.world import Van

log = logging.getLogger(__name__)
ON_THE_WAY = {"in_transit", "out_for_delivery", "arriving"}
LOADED_OR_LATER = ON_THE_WAY | {"loaded", "delivered", "delivery_failed", "returned"}


class DriverApp:
    def __init__(self, api: Api, load_wait_s: float = 30.0) -> None:
        self.api = api
        self.load_wait_s = load_wait_s
        self.confirmed = 0
        self.failed = 0
        self.errors = 0
        self._lock = threading.Lock()

    def status(self, shipment_id: str) -> str:
        return self.api.get(f"/v1/shipments/{shipment_id}")["status"]

    def _mark(self, shipment_id: str, status: str, reason: str) -> None:
        try:
            self.api.post(f"/v1/shipments/{shipment_id}/events",
                          {"status": status, "reason": reason})  # fmt: skip
        except ApiError as exc:
            if exc.status != 409:
                raise

    def wait_loaded(self, van: Van, shipment_ids: list[str], stop: threading.Event) -> None:
        deadline = time.monotonic() + self.load_wait_s
        waiting = set(shipment_ids)
        while waiting and time.monotonic() < deadline and not stop.wait(1.0):
            waiting = {s for s in waiting if self.status(s) not in LOADED_OR_LATER}
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
