"""The mall's end of the shipment webhooks: an HTTP listener that checks what it hears.

`waybill webhooks run` POSTs `shipment.shipped`, `.delivered`, `.delivery_failed` and
`.returned` to the URL in `WAYBILL_MALL__WEBHOOK_URL`; here the mall verifies each
signature (`orders.webhooks.verify`, HMAC-SHA256 of the raw body), drops a delivery it has
already taken (same `Waybill-Delivery` id: at-least-once means repeats), notes any order
whose events arrive out of sequence, and answers 204 (401 to a bad signature). Counts by
event go into the simulator's summary.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson

from orders.webhooks import verify

log = logging.getLogger(__name__)


class MallWebhooks:
    def __init__(self, host: str, port: int, secret: str) -> None:
        self.secret = secret
        self.events: Counter[str] = Counter()
        self.bad_signatures = 0
        self.out_of_order = 0
        self._seen: set[str] = set()
        self._last_seq: dict[str, int] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server hook's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.take(body, self.headers.get("Waybill-Signature", ""),
                                       self.headers.get("Waybill-Delivery", ""))  # fmt: skip
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass  # one line per delivery comes from `take`

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> MallWebhooks:
        self.thread.start()
        log.info("the mall hears webhooks on http://%s:%d/", *self.server.server_address[:2])
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def take(self, body: bytes, signature: str, delivery_id: str) -> int:
        if not verify(self.secret, body, signature):
            with self._lock:
                self.bad_signatures += 1
            log.warning("the mall refused a webhook with a bad signature")
            return 401
        message = orjson.loads(body)
        order, seq = message.get("mall_order_id", ""), int(message.get("sequence", 0))
        with self._lock:
            if delivery_id in self._seen:
                return 204
            self._seen.add(delivery_id)
            if seq <= self._last_seq.get(order, 0):
                self.out_of_order += 1
            self._last_seq[order] = max(seq, self._last_seq.get(order, 0))
            self.events[message.get("event", "?")] += 1
        log.debug("the mall heard %s of %s (%s)", message.get("event"), order,
                 message.get("shipment_id"))  # fmt: skip
        return 204

    def summary(self) -> dict[str, object]:
        with self._lock:
            return {"events": dict(self.events), "bad_signatures": self.bad_signatures,
                    "out_of_order": self.out_of_order}  # fmt: skip
