"""Rate limits, body limits, CORS and forwarded addresses, each set from settings."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from tests.accounts.conftest import ADMIN, Person, fast, sign_in


def test_sign_in_is_rate_limited_per_username_and_per_address(
    client: TestClient, person: Callable[..., Person], settings: Settings
) -> None:
    """The eleventh attempt in a minute is 429 with Retry-After, even with the right
    password; attempts on another account from the same address are limited too."""
    who = person()
    limit = settings.auth.login_per_minute
    for _ in range(limit):
        assert sign_in(client, who, password="wrong password").status_code == 401
    blocked = sign_in(client, who)
    assert (blocked.status_code, blocked.json()["code"]) == (429, "rate_limited")
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    other = sign_in(client, Person("nobody-" + who.username, "x"))
    assert other.status_code == 429


def test_refresh_is_rate_limited_per_address(client: TestClient, settings: Settings) -> None:
    answers = [
        client.post("/v1/auth/refresh", json={"refresh_token": "wbr_x"}).status_code
        for _ in range(settings.auth.refresh_per_minute + 1)
    ]
    assert answers[:-1] == [401] * settings.auth.refresh_per_minute and answers[-1] == 429


def test_public_links_are_rate_limited_per_address(settings: Settings, database: str) -> None:
    limited = fast(settings).model_copy(
        update={"auth": fast(settings).auth.model_copy(update={"public_link_per_minute": 3})}
    )
    address = (f"10.200.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}", 1)
    with TestClient(create_app(limited), raise_server_exceptions=False, client=address) as c:
        codes = [c.get(f"/v1/public/track/no-such-{n}").status_code for n in range(4)]
    assert codes == [404, 404, 404, 429]


def test_a_body_over_the_limit_is_413_declared_or_streamed(client: TestClient) -> None:
    """Content-Length over the limit is refused before reading; a chunked body is cut off
    when it passes the limit. Neither creates anything."""
    big = b"{" + b" " * (1024 * 1024) + b"}"
    declared = client.post(
        "/v1/users", content=big, headers=ADMIN | {"Content-Type": "application/json"}
    )
    assert (declared.status_code, declared.json()["code"]) == (413, "body_too_large")

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 32768

    streamed = client.post(
        "/v1/users", content=chunks(), headers=ADMIN | {"Content-Type": "application/json"}
    )
    assert (streamed.status_code, streamed.json()["code"]) == (413, "body_too_large")


@pytest.fixture
def configured(settings: Settings, database: str) -> Iterator[TestClient]:
    tuned = fast(settings, cors_origins=["https://mall.example"], trusted_proxies=["10.9.9.9"])
    with TestClient(
        create_app(tuned), raise_server_exceptions=False, client=("10.9.9.9", 1)
    ) as test_client:
        yield test_client


def test_cors_allows_only_configured_origins(configured: TestClient) -> None:
    ask = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    ok = configured.options("/v1/me", headers=ask | {"Origin": "https://mall.example"})
    assert ok.headers["access-control-allow-origin"] == "https://mall.example"
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    other = configured.options("/v1/me", headers=ask | {"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_only_a_trusted_proxy_may_name_the_client(
    configured: TestClient, settings: Settings, database: str, uid: str
) -> None:
    """Behind the configured proxy, the audit log (and the rate limits) see the forwarded
    address; from anyone else, X-Forwarded-For is ignored."""
    since = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    configured.post("/v1/api-keys", json={"name": f"via-proxy-{uid}"}, headers=ADMIN | forwarded)
    with TestClient(
        create_app(fast(settings, trusted_proxies=["10.9.9.9"])),
        raise_server_exceptions=False,
        client=("10.8.8.8", 1),
    ) as direct:
        direct.post("/v1/api-keys", json={"name": f"direct-{uid}"}, headers=ADMIN | forwarded)
        log = direct.get(
            "/v1/audit", params={"action": "api_key.create", "since": since}, headers=ADMIN
        ).json()["entries"]
    by_name = {e["details"]["name"]: e["remote_addr"] for e in log}
    assert by_name[f"via-proxy-{uid}"] == "203.0.113.7"
    assert by_name[f"direct-{uid}"] == "10.8.8.8"
