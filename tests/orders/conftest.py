"""An API client with tokens for two buyers, two shops, the mall (an API key) and staff,
all real accounts with ids unique to the test; and helpers that build orders."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings
from tests.support.accounts import install_token

MARKET = [120.2105, 30.2905]  # Sijiqing garment market, Hangzhou


@dataclass(frozen=True)
class World:
    client: TestClient
    uid: str
    buyers: tuple[str, str]
    shops: tuple[str, str]

    def auth(self, who: str) -> dict[str, str]:
        """Headers of `integration`, `dispatcher`, `admin`, `buyer0`, `buyer1`, `seller0` ..."""
        return {"Authorization": f"Bearer {token(who, self.uid)}"}

    def order_body(self, n: int = 0, *, buyer: int = 0, shop: int = 0, **extra: Any) -> dict:
        return order_body(f"MO-{self.uid}-{n}", self.buyers[buyer], self.shops[shop], **extra)

    def place(self, n: int = 0, **kwargs: Any) -> dict:
        answer = self.client.post(
            "/v1/orders", json=self.order_body(n, **kwargs), headers=self.auth("integration")
        )
        assert answer.status_code == 201, answer.text
        return answer.json()


def order_body(mall_order_id: str, buyer_id: str, shop_id: str, **extra: Any) -> dict:
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    body = {
        "mall_order_id": mall_order_id,
        "buyer_id": buyer_id,
        "shop_id": shop_id,
        "priority": 1,
        "delivery": {
            "address": "No. 8 Jiubao Road, Shangcheng District, Hangzhou",
            "location": {"type": "Point", "coordinates": [120.2456, 30.3312]},
            "windows": [
                {"start": start.isoformat(), "end": (start + timedelta(hours=3)).isoformat()}
            ],
        },
        "items": [
            {"sku": "DRESS-RED-M", "quantity": 20, "weight_kg": 6.5, "volume_m3": 0.04},
            {"gtin": "09506000134352", "quantity": 5, "weight_kg": 2.0},
        ],
    }
    return body | extra


def token(who: str, uid: str) -> str:
    """The bearer token of `who` in the world of test `uid` (see `install_tokens`)."""
    return f"wbk_{uid}_mall" if who == "integration" else f"{who}-{uid}"


def install_tokens(db_url: str, uid: str) -> None:
    grants: dict[str, dict[str, str]] = {
        "integration": {},
        "dispatcher": {},
        "admin": {},
        "buyer0": {"buyer_id": f"B0-{uid}"},
        "buyer1": {"buyer_id": f"B1-{uid}"},
        "seller0": {"shop_id": f"S0-{uid}"},
        "seller1": {"shop_id": f"S1-{uid}"},
    }
    for who, binding in grants.items():
        role = who.rstrip("01")
        install_token(db_url, token(who, uid), role, **binding)


@pytest.fixture
def world(settings: Settings, database: str, uid: str) -> Iterator[World]:
    install_tokens(database, uid)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield World(client, uid, (f"B0-{uid}", f"B1-{uid}"), (f"S0-{uid}", f"S1-{uid}"))
