"""Admins manage people and the mall's keys; every such change lands in the audit log,
and no secret is ever shown twice or written anywhere."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.accounts.conftest import ADMIN, Person, bearer, sign_in


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"role": "seller"}, "bad_binding"),
        ({"role": "buyer", "buyer_id": "B", "shop_id": "S"}, "bad_binding"),
        ({"role": "dispatcher", "shop_id": "S"}, "bad_binding"),
        ({"role": "dispatcher", "username": "Has Spaces"}, "bad_username"),
        ({"role": "dispatcher", "password": "short"}, "weak_password"),
    ],
)
def test_an_account_that_cannot_be_right_is_refused(
    client: TestClient, uid: str, body: dict, code: str
) -> None:
    """A seller needs a shop and a buyer a buyer id (and nobody else has either); usernames
    are plain; passwords have a minimum length."""
    answer = client.post(
        "/v1/users",
        json={"username": f"u-{uid}", "password": "long enough password"} | body,
        headers=ADMIN,
    )
    assert (answer.status_code, answer.json()["code"]) == (422, code), answer.text


def test_a_username_is_taken_once(client: TestClient, person: Callable[..., Person]) -> None:
    who = person()
    again = client.post(
        "/v1/users",
        json={"username": who.username.upper(), "password": "x" * 12, "role": "dispatcher"},
        headers=ADMIN,
    )
    assert (again.status_code, again.json()["code"]) == (409, "user_exists")


def test_only_admins_manage_accounts(client: TestClient, person: Callable[..., Person]) -> None:
    dispatcher = bearer(sign_in(client, person()).json())
    for method, path in [
        ("get", "/v1/users"),
        ("post", "/v1/users"),
        ("get", "/v1/api-keys"),
        ("post", "/v1/api-keys"),
        ("get", "/v1/audit"),
    ]:
        answer = client.request(method, path, headers=dispatcher, json={})
        assert (answer.status_code, answer.json()["code"]) == (403, "forbidden_role"), path


def test_an_api_key_is_shown_once_works_rotates_and_revokes(
    client: TestClient, database: str, uid: str
) -> None:
    made = client.post("/v1/api-keys", json={"name": f"mall {uid}"}, headers=ADMIN)
    assert made.status_code == 201, made.text
    key_id, key = made.json()["key_id"], made.json()["key"]
    assert key.startswith(f"wbk_{key_id}_")
    mall = {"Authorization": f"Bearer {key}"}
    assert client.get("/v1/me", headers=mall).json() == {
        "username": f"key:{key_id}", "role": "integration", "shop_id": None, "buyer_id": None
    }  # fmt: skip
    listed = client.get("/v1/api-keys", headers=ADMIN).json()
    mine = [k for k in listed if k["key_id"] == key_id]
    assert mine and "key" not in mine[0] and key not in str(listed)
    with psycopg.connect(database) as conn:
        stored = conn.execute(
            "SELECT secret_digest FROM api_keys WHERE prefix = %s", (key_id,)
        ).fetchone()[0]
    assert key.encode() not in bytes(stored) and len(bytes(stored)) == 32

    rotated = client.post(f"/v1/api-keys/{key_id}/rotate", headers=ADMIN).json()
    assert rotated["key_id"] == key_id and rotated["key"] != key
    assert client.get("/v1/me", headers=mall).status_code == 401
    new = {"Authorization": f"Bearer {rotated['key']}"}
    assert client.get("/v1/me", headers=new).status_code == 200
    forged = {"Authorization": f"Bearer wbk_{key_id}_guessed"}
    assert client.get("/v1/me", headers=forged).status_code == 401

    revoked = client.delete(f"/v1/api-keys/{key_id}", headers=ADMIN)
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert client.get("/v1/me", headers=new).status_code == 401
    assert client.post(f"/v1/api-keys/{key_id}/rotate", headers=ADMIN).status_code == 404


def test_privileged_actions_are_in_the_audit_log_with_who_and_where(
    client: TestClient, person: Callable[..., Person], address: str, uid: str
) -> None:
    since = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    who = person("seller", shop_id=f"S-{uid}")
    client.patch(
        f"/v1/users/{who.username}",
        json={"role": "buyer", "buyer_id": f"B-{uid}"},
        headers=ADMIN,
    )
    key_id = client.post("/v1/api-keys", json={"name": uid}, headers=ADMIN).json()["key_id"]
    client.delete(f"/v1/api-keys/{key_id}", headers=ADMIN)

    page = client.get("/v1/audit", params={"limit": 1000, "since": since},
                      headers=ADMIN).json()  # fmt: skip
    ours = [e for e in page["entries"] if e["target"] in (who.username, key_id)]
    assert [e["action"] for e in ours] == [
        "user.create", "user.role_change", "api_key.create", "api_key.revoke"
    ]  # fmt: skip
    assert all(e["remote_addr"] == address and e["actor_role"] == "admin" for e in ours)
    assert ours[1]["details"] == {
        "role": ["seller", "buyer"], "shop_id": [f"S-{uid}", None], "buyer_id": [None, f"B-{uid}"]
    }  # fmt: skip
    only = client.get("/v1/audit", params={"action": "api_key.revoke", "since": since},
                      headers=ADMIN).json()["entries"]  # fmt: skip
    assert {e["action"] for e in only} == {"api_key.revoke"}
    assert key_id in {e["target"] for e in only}


def test_secrets_never_reach_logs_responses_or_the_audit_log(
    client: TestClient,
    person: Callable[..., Person],
    caplog: pytest.LogCaptureFixture,
    uid: str,
) -> None:
    """Passwords, access and refresh tokens and API keys: after the one answer that hands
    them out, they appear in no log line, no later answer and no audit entry."""
    caplog.set_level(logging.DEBUG)
    since = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    who = person()
    tokens = sign_in(client, who).json()
    refreshed = client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    key = client.post("/v1/api-keys", json={"name": uid}, headers=ADMIN).json()["key"]
    client.post(f"/v1/users/{who.username}/password", json={"password": "p" * 14}, headers=ADMIN)
    later = [
        client.get("/v1/users", headers=ADMIN).text,
        client.get(f"/v1/users/{who.username}", headers=ADMIN).text,
        client.get("/v1/api-keys", headers=ADMIN).text,
        client.get("/v1/audit", params={"since": since}, headers=ADMIN).text,
        sign_in(client, who).text,
    ]
    secrets = [who.password, "p" * 14, key, tokens["access_token"], tokens["refresh_token"],
               refreshed.json()["access_token"], refreshed.json()["refresh_token"]]  # fmt: skip
    for secret in secrets:
        assert secret not in caplog.text
        assert all(secret not in text for text in later)
