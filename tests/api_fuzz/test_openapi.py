"""The live OpenAPI document, fuzzed: schemathesis generates requests for every operation
(valid and invalid), calls the app in-process, and checks that no answer is a server
error and every answer matches its documented schema and content type.

It runs on a database of its own (`waybill_fuzz`): the generated writes (devices, orders,
plans with made-up problems) must not reach the other tests' data or their plan workers.
Examples per operation are bounded (WAYBILL_FUZZ_EXAMPLES) to keep the suite fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from api.app import create_app
from core.settings import Settings
from tests.conftest import base_settings
from tests.support.accounts import FAST, bearer

EXAMPLES = int(os.environ.get("WAYBILL_FUZZ_EXAMPLES", "8"))


def fuzz_settings() -> Settings:
    base = base_settings()
    url = os.environ.get("WAYBILL_FUZZ_DB_URL", base.db.url.rsplit("/", 1)[0] + "/waybill_fuzz")
    # Cheap password hashes: sign-in is fuzzed, argon2's cost is not the point here.
    return base.model_copy(update={"db": base.db.model_copy(update={"url": url}), "auth": FAST})


SETTINGS = fuzz_settings()
APP = create_app(SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def admin(mqtt_broker: Settings) -> Iterator[str]:
    """The app's pool open for the module (its lifespan), the broker up, an admin token."""
    APP.state.settings = SETTINGS.model_copy(update={"mqtt": mqtt_broker.mqtt})
    with TestClient(APP):
        yield bearer(SETTINGS.db.url, "admin")


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_answers_match_their_schema(case, admin: str) -> None:  # type: ignore[no-untyped-def]
    token = bearer(SETTINGS.db.url, "admin") if case.path == "/v1/auth/logout" else admin
    if case.path.endswith("/stream"):
        # A stream lasts until its client leaves; the first event is enough to check.
        case.query = {**(case.query or {}), "max_events": 1}
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    checks = [response_schema_conformance, content_type_conformance]
    if case.path != "/readyz":  # a readiness probe's 503 is its answer, not a failure
        checks.append(not_a_server_error)
    case.validate_response(response, checks=checks)
