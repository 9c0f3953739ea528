"""An API client on the real database with a token for every role, EPCIS
documents of this test only, and the schema check every emitted document must pass."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from tests.conftest import TEST_ADMIN_TOKEN
from tests.epcis.schemas import epcis_validator, schema_errors
from tests.support.accounts import install_token

ROLES = {
    "integration": {},
    "buyer": {"buyer_id": "B-1"},
    "seller": {"shop_id": "S-1"},
    "dispatcher": {},
}
RUN = uuid.uuid4().hex[:12]


def token(role: str) -> str:
    return f"wbk_{RUN}_epcis" if role == "integration" else f"epcis-test-{role}-{RUN}"


CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


@pytest.fixture(scope="session")
def client(settings: Settings, database: str) -> Iterator[TestClient]:
    for role, binding in ROLES.items():
        install_token(database, token(role), role, **binding)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def auth(role: str) -> dict[str, str]:
    bearer = TEST_ADMIN_TOKEN if role == "admin" else token(role)
    return {"Authorization": f"Bearer {bearer}"}


@pytest.fixture
def integration() -> dict[str, str]:
    return {**auth("integration"), "Content-Type": "application/ld+json"}


def assert_valid(doc: Any) -> None:
    assert schema_errors(epcis_validator(), doc) == []


def event_path(event_id: str) -> str:
    return f"/epcis/events/{quote(event_id, safe='')}"


def document(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-01T00:00:00Z",
        "epcisBody": {"eventList": events},
    }


def object_event(
    uid: str,
    n: int,
    *,
    biz_step: str = "shipping",
    disposition: str = "in_transit",
    when: str = "2026-01-05T10:00:00.000+08:00",
    read_point: str | None = None,
    epcs: list[str] | None = None,
) -> dict[str, Any]:
    """An ObjectEvent OBSERVE at this test's read point (unless another is given)."""
    return {
        "type": "ObjectEvent",
        "eventTime": when,
        "eventTimeZoneOffset": "+08:00",
        "epcList": epcs or [f"urn:epc:id:sgtin:0614141.812345.{uid}{n}"],
        "action": "OBSERVE",
        "bizStep": biz_step,
        "disposition": disposition,
        "readPoint": {"id": read_point or f"urn:epc:id:sgln:0614141.00777.{uid}"},
    }
