"""Signing in, refreshing, signing out: tokens that work exactly as long as they should."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from fastapi.testclient import TestClient

from accounts import tokens
from tests.accounts.conftest import ADMIN, Person, bearer, sign_in


def test_sign_in_gives_tokens_that_say_who_is_calling(
    client: TestClient, person: Callable[..., Person], uid: str
) -> None:
    """The password flow returns an access and a refresh token; /v1/me names the role and
    the buyer the account is bound to."""
    buyer = person("buyer", buyer_id=f"B-{uid}")
    answer = sign_in(client, buyer)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    assert body["access_token"].startswith("wba_") and body["refresh_token"].startswith("wbr_")
    me = client.get("/v1/me", headers=bearer(body)).json()
    assert me == {"username": buyer.username, "role": "buyer", "shop_id": None,
                  "buyer_id": f"B-{uid}"}  # fmt: skip


def test_every_failed_sign_in_answers_the_same(
    client: TestClient, person: Callable[..., Person], database: str
) -> None:
    """A wrong password, an unknown user and a disabled account all get the same 401, so
    the answer tells nothing about which usernames exist."""
    who = person()
    wrong = sign_in(client, who, password="not the password")
    unknown = sign_in(client, Person("nobody-" + who.username, who.password))
    client.patch(f"/v1/users/{who.username}", json={"disabled": True}, headers=ADMIN)
    disabled = sign_in(client, who)
    for answer in (wrong, unknown, disabled):
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.json()["code"] == "bad_credentials"
        assert answer.json()["detail"] == "wrong username or password"


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(
    client: TestClient, person: Callable[..., Person]
) -> None:
    """Each refresh gives new tokens and kills the old refresh token; presenting the old one
    again (a stolen copy) ends the session: neither the new access nor refresh token work."""
    first = sign_in(client, person()).json()
    second = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    second = second.json()
    assert second["access_token"] != first["access_token"]
    assert client.get("/v1/me", headers=bearer(first)).status_code == 401
    assert client.get("/v1/me", headers=bearer(second)).status_code == 200

    replayed = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert (replayed.status_code, replayed.json()["code"]) == (401, "session_ended")
    assert client.get("/v1/me", headers=bearer(second)).status_code == 401
    again = client.post("/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert (again.status_code, again.json()["code"]) == (401, "session_ended")
    junk = client.post("/v1/auth/refresh", json={"refresh_token": "wbr_made-up"})
    assert (junk.status_code, junk.json()["code"]) == (401, "bad_refresh_token")


def test_logout_ends_only_that_session(client: TestClient, person: Callable[..., Person]) -> None:
    who = person()
    phone, laptop = sign_in(client, who).json(), sign_in(client, who).json()
    assert client.post("/v1/auth/logout", headers=bearer(phone)).status_code == 204
    assert client.get("/v1/me", headers=bearer(phone)).status_code == 401
    gone = client.post("/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    assert gone.status_code == 401
    assert client.get("/v1/me", headers=bearer(laptop)).status_code == 200


def test_an_expired_access_token_is_refused(
    client: TestClient, person: Callable[..., Person], database: str
) -> None:
    body = sign_in(client, person()).json()
    with psycopg.connect(database) as conn:
        conn.execute(
            """UPDATE auth_sessions SET access_expires_at = now() - interval '1 second'
                WHERE access_digest = %s""",
            (tokens.digest(body["access_token"]),),
        )
    answer = client.get("/v1/me", headers=bearer(body))
    assert (answer.status_code, answer.json()["code"]) == (401, "bad_token")
    renewed = client.post("/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert client.get("/v1/me", headers=bearer(renewed.json())).status_code == 200


def test_a_change_of_rights_or_password_ends_every_session(
    client: TestClient, person: Callable[..., Person], uid: str
) -> None:
    """A seller moved to another shop, a reset password, an own password change: the
    tokens issued before stop working, so no token outlives the rights it was issued for."""
    seller = person("seller", shop_id=f"S-{uid}")
    before = sign_in(client, seller).json()
    moved = client.patch(
        f"/v1/users/{seller.username}", json={"shop_id": f"S2-{uid}"}, headers=ADMIN
    )
    assert moved.status_code == 200 and moved.json()["shop_id"] == f"S2-{uid}"
    assert client.get("/v1/me", headers=bearer(before)).status_code == 401
    after = sign_in(client, seller).json()
    assert client.get("/v1/me", headers=bearer(after)).json()["shop_id"] == f"S2-{uid}"

    reset = client.post(
        f"/v1/users/{seller.username}/password", json={"password": "a new long one"}, headers=ADMIN
    )
    assert reset.status_code == 204
    assert client.get("/v1/me", headers=bearer(after)).status_code == 401
    assert sign_in(client, seller).status_code == 401
    mine = sign_in(client, Person(seller.username, "a new long one")).json()
    wrong = client.post(
        "/v1/me/password",
        json={"current_password": "not it", "new_password": "yet another one"},
        headers=bearer(mine),
    )
    assert wrong.status_code == 401 and client.get("/v1/me", headers=bearer(mine)).is_success
    changed = client.post(
        "/v1/me/password",
        json={"current_password": "a new long one", "new_password": "yet another one"},
        headers=bearer(mine),
    )
    assert changed.status_code == 204
    assert client.get("/v1/me", headers=bearer(mine)).status_code == 401
    assert sign_in(client, Person(seller.username, "yet another one")).status_code == 200


def test_passwords_are_kept_as_argon2id_hashes(
    client: TestClient, person: Callable[..., Person], database: str
) -> None:
    who = person()
    sign_in(client, who)
    with psycopg.connect(database) as conn:
        stored, access = conn.execute(
            """SELECT password_hash, (SELECT count(*) FROM auth_sessions s
                                      WHERE s.user_pk = u.user_pk)
                 FROM users u WHERE username = %s""",
            (who.username,),
        ).fetchone()
    assert stored.startswith("$argon2id$") and who.password not in stored
    assert access == 1


def test_a_username_the_database_cannot_hold_is_bad_input(client: TestClient) -> None:
    """A NUL byte cannot be stored in PostgreSQL text: 422, not a server error."""
    answer = client.post("/v1/auth/token", data={"username": "a\x00b", "password": "x"})
    assert (answer.status_code, answer.json()["code"]) == (422, "unstorable_value")


def test_sessions_that_can_never_be_used_again_are_forgotten(
    client: TestClient, person: Callable[..., Person], database: str
) -> None:
    from accounts import sessions

    live, expired, revoked = (sign_in(client, person()).json() for _ in range(3))
    with psycopg.connect(database) as conn:
        conn.execute(
            """UPDATE auth_sessions SET refresh_expires_at = now() - interval '2 days'
                WHERE access_digest = %s""",
            (tokens.digest(expired["access_token"]),),
        )
        conn.execute(
            """UPDATE auth_sessions SET revoked_at = now() - interval '31 days'
                WHERE access_digest = %s""",
            (tokens.digest(revoked["access_token"]),),
        )
        assert sessions.forget_old(conn) >= 2
        left = {
            bytes(r[0])
            for r in conn.execute(
                "SELECT access_digest FROM auth_sessions WHERE access_digest = ANY(%s)",
                ([tokens.digest(t["access_token"]) for t in (live, expired, revoked)],),
            )
        }
    assert left == {tokens.digest(live["access_token"])}
