"""Static tokens from settings name a role and the shop or buyer they act for."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings, TokenGrant


def test_a_buyer_token_is_not_staff(settings: Settings, database: str) -> None:
    """A buyer's token authenticates but cannot read vehicle positions (403)."""
    grants = {"buyer-tok": TokenGrant(role="buyer", buyer_id="B-1")}
    scoped = settings.model_copy(update={"api": settings.api.model_copy(update={"tokens": grants})})
    with TestClient(create_app(scoped)) as client:
        answer = client.get(
            "/v1/vehicles/any/position", headers={"Authorization": "Bearer buyer-tok"}
        )
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden_role")
