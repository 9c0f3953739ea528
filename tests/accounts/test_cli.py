"""The bootstrap: `waybill users create-admin` makes an admin who can sign in, and
`waybill apikeys create` prints a key that works, once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import REPO

WAYBILL = str(Path(sys.executable).with_name("waybill"))


def waybill(database: str, *args: str) -> str:
    env = dict(os.environ, WAYBILL_DB__URL=database)
    done = subprocess.run(
        [WAYBILL, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_first_admin_comes_from_the_command_line(
    client: TestClient, database: str, uid: str, tmp_path: Path
) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a long bootstrap password\n")
    said = waybill(database, "users", "create-admin", f"root-{uid}", "--password-file", str(secret))
    assert f"created root-{uid} (admin)" in said and "bootstrap password" not in said
    tokens = client.post(
        "/v1/auth/token",
        data={"username": f"root-{uid}", "password": "a long bootstrap password"},
    )
    assert tokens.status_code == 200, tokens.text
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"})
    assert me.json()["role"] == "admin"

    key = waybill(database, "apikeys", "create", f"mall-{uid}").strip()
    assert key.startswith("wbk_")
    mall = client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert mall["role"] == "integration"
    assert key not in waybill(database, "apikeys", "list")
