"""A stand-in for the mall's webhook endpoint: a real HTTP server on 127.0.0.1 that checks
every signature and the order of deliveries, and fails some requests on purpose."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from orders.webhooks import SIGNATURE_HEADER, verify

# How an attempt fails: an error status, a dropped connection, or an answer too late.
Failure = str | None


def flaky(delivery_id: str, attempt: int) -> Failure:
    """Fails about a third of attempts, in every way, deterministically per (id, attempt)."""
    roll = int(hashlib.sha256(f"{delivery_id}/{attempt}".encode()).hexdigest(), 16) % 12
    return {0: "503", 1: "500", 2: "drop", 3: "slow"}.get(roll)


class Mall:
    def __init__(
        self, secret: str, policy: Callable[[str, int], Failure] = flaky, slow_s: float = 0.5
    ) -> None:
        self.secret = secret
        self.policy = policy
        self.slow_s = slow_s
        self.lock = threading.Lock()
        self.attempts: Counter[str] = Counter()
        self.successes: Counter[str] = Counter()
        self.delivered: dict[str, list[dict[str, Any]]] = defaultdict(list)  # by order
        self.failures = 0
        self.bad_signatures: list[str] = []
        self.out_of_order: list[str] = []
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/waybill"
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)

    def __enter__(self) -> Mall:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def receive(self, headers: Any, body: bytes) -> Failure:
        """Check one request; the failure to answer with, or None to accept it."""
        with self.lock:
            delivery_id = headers["Waybill-Delivery"]
            if not verify(self.secret, body, headers.get(SIGNATURE_HEADER, "")):
                self.bad_signatures.append(delivery_id)
                return "401"
            document = json.loads(body)
            assert document["delivery_id"] == delivery_id
            assert document["event"] == headers["Waybill-Event"]
            seen = self.delivered[document["mall_order_id"]]
            previous = seen[-1]["sequence"] if seen else None
            if previous is not None and document["sequence"] > previous + 1:
                self.out_of_order.append(delivery_id)
            self.attempts[delivery_id] += 1
            failure = self.policy(delivery_id, self.attempts[delivery_id])
            if failure is None:
                self.successes[delivery_id] += 1
                seen.append(document)
            else:
                self.failures += 1
            return failure

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mall = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                failure = mall.receive(self.headers, body)
                if failure == "drop":
                    self.close_connection = True
                    return
                if failure == "slow":
                    time.sleep(mall.slow_s)
                code = 200 if failure is None else 503 if failure == "slow" else int(failure)
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
