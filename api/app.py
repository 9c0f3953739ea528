"""The FastAPI application: routers, error mapping, the connection pool's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import make_asgi_app

from api import errors
from api.routers import (
    console,
    console_reads,
    dead_letters,
    device_tracks,
    devices,
    epcis,
    geofences,
    health,
    ingest_http,
    orders,
    plans,
    streams,
    tracking,
    vehicles,
)
from core.db import make_pool
from core.settings import Settings

DESCRIPTION = """
Waybill moves a wholesale market's goods and tells everyone where they are.

Authenticate with `Authorization: Bearer <token>`. Errors are RFC 7807 problem JSON
with a stable `code`.
"""


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = make_pool(settings.db.url, settings.db.pool_max, name="api")
        try:
            yield
        finally:
            app.state.pool.close()

    app = FastAPI(
        title="Waybill",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    app.include_router(health.router)
    app.include_router(vehicles.router)
    app.include_router(devices.router)
    app.include_router(dead_letters.router)
    app.include_router(ingest_http.router)
    app.include_router(orders.router)
    app.include_router(epcis.router)
    app.include_router(tracking.router)
    app.include_router(geofences.router)
    app.include_router(device_tracks.router)
    app.include_router(streams.router)
    app.include_router(plans.router)
    app.include_router(console_reads.router)
    console.install(app)
    # Counts only, no one's data: scraped without a token, like any Prometheus target.
    app.mount("/metrics", make_asgi_app())
    return app
