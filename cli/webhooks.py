"""`waybill webhooks`: the sender that tells the mall about shipments, from the outbox."""

from __future__ import annotations

import logging

import typer

from core.db import connect
from core.errors import InvalidInput
from core.settings import load
from orders import outbox, webhooks

app = typer.Typer(help="Webhooks to the mall.", no_args_is_help=True)


@app.command()
def run(
    once: bool = typer.Option(False, help="Send what is due now, then exit"),
    poll_s: float = typer.Option(1.0, help="Pause when nothing is due, in seconds"),
) -> None:
    """Send due webhooks, retrying failures with backoff; any number may run at once."""
    settings = load()
    try:
        config = webhooks.SenderConfig.from_settings(settings.mall)
    except InvalidInput as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(2) from exc
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    attempts = webhooks.run(
        lambda: connect(settings.db.url, autocommit=True), config, once=once, poll_s=poll_s
    )
    typer.echo(f"{attempts} attempts")


@app.command()
def pending() -> None:
    """How many webhooks wait to be delivered, and since when."""
    with connect(load().db.url) as conn:
        count, oldest = outbox.pending(conn)
    typer.echo(f"{count} pending" + (f", oldest from {oldest.isoformat()}" if oldest else ""))
