"""`waybill users` and `waybill apikeys`: accounts from the command line (the bootstrap
admin, demo accounts, the mall's key). Changes are audited as actor `cli`."""

from __future__ import annotations

from pathlib import Path

import typer

from accounts import api_keys, audit
from accounts import users as accounts
from accounts.models import Caller
from accounts.passwords import Passwords
from core.db import connect
from core.settings import load

app = typer.Typer(help="People's accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="The mall's API keys (role integration).", no_args_is_help=True)
CLI = Caller(subject="cli", role="admin")


def _password(password_file: Path | None) -> str:
    if password_file is not None:
        return password_file.read_text().strip()
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


def _create(username: str, role: str, shop_id: str | None, buyer_id: str | None, pw: str) -> None:
    settings = load()
    with connect(settings.db.url) as conn, conn.transaction():
        user = accounts.create(
            conn,
            Passwords(settings.auth),
            username=username,
            password=pw,
            role=role,
            shop_id=shop_id,
            buyer_id=buyer_id,
        )
        details = {"role": role, "shop_id": shop_id, "buyer_id": buyer_id}
        audit.record(conn, CLI, "user.create", user.username, details)
    typer.echo(f"created {user.username} ({user.role})")


PASSWORD_FILE = typer.Option(None, help="Read the password from this file; else ask")


@app.command("create-admin")
def create_admin(username: str, password_file: Path | None = PASSWORD_FILE) -> None:
    """Create an admin account: the first one, from which all others can be made."""
    _create(username, "admin", None, None, _password(password_file))


@app.command("create")
def create(
    username: str,
    role: str = typer.Option(..., help="admin, dispatcher, seller or buyer"),
    shop_id: str | None = typer.Option(None, help="The seller's shop"),
    buyer_id: str | None = typer.Option(None, help="The buyer's id at the mall"),
    password_file: Path | None = PASSWORD_FILE,
) -> None:
    """Create a person's account."""
    _create(username, role, shop_id, buyer_id, _password(password_file))


@app.command("list")
def list_users() -> None:
    """Every account: username, role, shop or buyer, disabled."""
    with connect(load().db.url) as conn:
        for user in accounts.list_users(conn):
            binding = user.shop_id or user.buyer_id or ""
            state = " (disabled)" if user.disabled_at else ""
            typer.echo(f"{user.username}\t{user.role}\t{binding}{state}")


@app.command("set-password")
def set_password(username: str, password_file: Path | None = PASSWORD_FILE) -> None:
    """Set a person's password; all of their sessions end."""
    settings = load()
    with connect(settings.db.url) as conn, conn.transaction():
        accounts.set_password(conn, Passwords(settings.auth), username, _password(password_file))
        audit.record(conn, CLI, "user.password_reset", accounts.normalise(username))
    typer.echo(f"password of {username} set")


@keys_app.command("create")
def create_key(name: str) -> None:
    """Create a key; prints it once on stdout (only a digest is kept)."""
    with connect(load().db.url) as conn, conn.transaction():
        key, secret = api_keys.create(conn, name, CLI.subject)
        audit.record(conn, CLI, "api_key.create", key.key_id, {"name": name})
    typer.echo(secret)


@keys_app.command("list")
def list_keys() -> None:
    """Every key: id, name, state."""
    with connect(load().db.url) as conn:
        for key in api_keys.list_keys(conn):
            state = "revoked" if key.revoked_at else "live"
            typer.echo(f"{key.key_id}\t{key.name}\t{state}")


@keys_app.command("revoke")
def revoke_key(key_id: str) -> None:
    """Revoke a key for good."""
    with connect(load().db.url) as conn, conn.transaction():
        api_keys.revoke(conn, key_id)
        audit.record(conn, CLI, "api_key.revoke", key_id)
    typer.echo(f"revoked {key_id}")
