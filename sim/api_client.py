"""The simulator's HTTP client of the Waybill API, and the credentials it runs with.

The credentials file (`.run/sim-credentials.json` by default, written by `scripts/demo.sh`):

    {"api": "http://127.0.0.1:8000", "integration_key": "wbk_...",
     "dispatcher": {"username": "...", "password": "..."},
     "mall_webhooks": {"listen": "127.0.0.1:8099", "secret": "..."}}

(`mall_webhooks` is optional: where the mall listens for shipment webhooks, and their key.)

The mall sends its API key as a bearer token. The dispatcher logs in with the OAuth2
password flow (`POST /v1/auth/token`) and refreshes (`POST /v1/auth/refresh`) a minute
before the access token expires, logging in again if the refresh is refused. A
`{"token": ...}` in place of a username and password is sent as it is (a bearer token made
elsewhere, as the tests do).

Transient failures (connection refused, 5xx, 429) are retried with a short backoff; any
other answer outside the expected statuses raises `ApiError` with the status and problem.
Knows HTTP only: no database, no MQTT.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

log = logging.getLogger(__name__)
REFRESH_BEFORE_S = 60.0


class ApiError(Exception):
    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        self.code = body.get("code") if isinstance(body, dict) else None
        super().__init__(f"{method} {path}: {status} {body}")


@dataclass(frozen=True, slots=True)
class Credentials:
    api: str
    integration_key: str
    dispatcher: dict[str, str]
    mall_webhooks: dict[str, str] | None = None


def load_credentials(path: Path) -> Credentials:
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise SystemExit(
            f"no credentials file {path}: write one (see sim/api_client.py) "
            "or start the demo with `make demo`"
        ) from None
    return Credentials(
        data["api"].rstrip("/"),
        data["integration_key"],
        data["dispatcher"],
        data.get("mall_webhooks"),
    )


class Api:
    """One caller of the API: a static bearer token, or a user who logs in and refreshes."""

    def __init__(self, base_url: str, *, token: str | None = None, username: str | None = None,
                 password: str | None = None, timeout_s: float = 15.0,
                 transport: httpx.BaseTransport | None = None) -> None:  # fmt: skip
        if token is None and (username is None or password is None):
            raise ValueError("give a token, or a username and a password")
        self.base_url = base_url.rstrip("/")
        self._static = token
        self._username, self._password = username, password
        self._access: str | None = token
        self._refresh: str | None = None
        self._expires_at = float("inf")
        self._lock = threading.Lock()
        self._stopping = False
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s, transport=transport)

    @classmethod
    def of(cls, base_url: str, entry: dict[str, str]) -> Api:
        if "token" in entry:
            return cls(base_url, token=entry["token"])
        return cls(base_url, username=entry["username"], password=entry["password"])

    def stopping(self) -> None:
        """From now on a failed request is not retried (the simulator is shutting down)."""
        self._stopping = True

    def close(self) -> None:
        self._http.close()

    # -- tokens -------------------------------------------------------------------

    def _take(self, answer: httpx.Response, what: str) -> None:
        if answer.status_code != 200:
            raise ApiError("POST", what, answer.status_code, _body(answer))
        body = answer.json()
        self._access = body["access_token"]
        self._refresh = body.get("refresh_token")
        self._expires_at = time.monotonic() + float(body.get("expires_in", 900))

    def login(self) -> None:
        answer = self._send(
            "POST", "/v1/auth/token",
            data={"grant_type": "password", "username": self._username,
                  "password": self._password},
        )  # fmt: skip
        self._take(answer, "/v1/auth/token")
        log.info("logged in as %s", self._username)

    def _bearer(self) -> str:
        with self._lock:
            if self._static is not None:
                return self._static
            if self._access is None:
                self.login()
            elif time.monotonic() > self._expires_at - REFRESH_BEFORE_S:
                answer = None
                if self._refresh:
                    answer = self._send(
                        "POST", "/v1/auth/refresh", json={"refresh_token": self._refresh}
                    )
                if answer is not None and answer.status_code == 200:
                    self._take(answer, "/v1/auth/refresh")
                else:
                    self.login()
            assert self._access is not None
            return self._access

    # -- requests -----------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        delay = 0.2
        for attempt in range(8):
            try:
                answer = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                if attempt == 7 or self._stopping:
                    raise
                log.warning("%s %s: %s; retrying", method, path, exc)
            else:
                if answer.status_code < 500 and answer.status_code != 429:
                    return answer
                if attempt == 7 or self._stopping:
                    return answer
                log.warning("%s %s: %s; retrying", method, path, answer.status_code)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200, 201, 202, 204),
    ) -> Any:
        sent = {"Authorization": f"Bearer {self._bearer()}", **(headers or {})}
        answer = self._send(method, path, json=json, params=params, headers=sent)
        if answer.status_code == 401 and self._static is None:
            with self._lock:
                self._access = None  # revoked or expired early: log in again, once
            sent["Authorization"] = f"Bearer {self._bearer()}"
            answer = self._send(method, path, json=json, params=params, headers=sent)
        if answer.status_code not in expect:
            raise ApiError(method, path, answer.status_code, _body(answer))
        return _body(answer) if answer.content else None

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, json=json, **kwargs)


def _body(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return answer.text
