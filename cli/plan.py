"""`waybill plan`: the route-planning worker. Any number may run at once; each job runs once."""

from __future__ import annotations

import os
import socket

import typer

from core.db import reconnecting
from core.settings import load
from routing import jobs

app = typer.Typer(help="Route planning jobs.", no_args_is_help=True)


@app.command()
def worker(
    once: bool = typer.Option(False, help="Solve what is queued now, then exit"),
    poll_s: float = typer.Option(1.0, help="Pause when the queue is empty, in seconds"),
    name: str = typer.Option("", help="Worker name in the job table (default host:pid)"),
) -> None:
    """Claim queued plans and solve them, until stopped."""
    settings = load()
    me = name or f"{socket.gethostname()}:{os.getpid()}"
    if once:
        jobs.work(settings.db.url, me, poll_s=poll_s, once=True)
        return
    # A job cut short by a lost database keeps its lease until it lapses; then any worker,
    # this one included, takes it again.
    reconnecting(lambda: jobs.work(settings.db.url, me, poll_s=poll_s), "plan worker")
