"""An API client of its own per test, from an address of its own, so rate limits and the
audit log's addresses belong to the test; people with passwords made through the API."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from tests.conftest import TEST_ADMIN_TOKEN
from tests.support.accounts import FAST

ADMIN = {"Authorization": f"Bearer {TEST_ADMIN_TOKEN}"}


def fast(settings: Settings, **api: object) -> Settings:
    """Cheap password hashes (the KDF's cost is argon2's business), and API changes."""
    return settings.model_copy(update={"auth": FAST, "api": settings.api.model_copy(update=api)})


@pytest.fixture
def address() -> str:
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@pytest.fixture
def client(settings: Settings, database: str, address: str) -> Iterator[TestClient]:
    app = create_app(fast(settings))
    with TestClient(app, raise_server_exceptions=False, client=(address, 40000)) as test_client:
        yield test_client


@dataclass(frozen=True)
class Person:
    username: str
    password: str


@pytest.fixture
def person(client: TestClient, uid: str) -> Callable[..., Person]:
    """Create an account through the admin API; returns its username and password."""

    def make(role: str = "dispatcher", **binding: str) -> Person:
        username = f"{role}-{uid}-{secrets.token_hex(3)}"
        password = secrets.token_urlsafe(12)
        body = {"username": username, "password": password, "role": role, **binding}
        answer = client.post("/v1/users", json=body, headers=ADMIN)
        assert answer.status_code == 201, answer.text
        return Person(username, password)

    return make


def sign_in(client: TestClient, who: Person, password: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/auth/token",
        data={"username": who.username, "password": who.password if password is None else password},
    )


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
