"""The FastAPI application: routers, error mapping, the connection pool's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import make_asgi_app
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from accounts.passwords import Passwords
from api import access_log, errors, openapi
from api.db import Database
from api.limits import BodyLimit
from api.routers import (
    api_keys,
    audit,
    auth,
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
    users,
    vehicles,
)
from core.settings import Settings

DESCRIPTION = """
Waybill moves a wholesale market's goods and tells everyone where they are.

People sign in with `POST /v1/auth/token` (OAuth2 password flow) and send
`Authorization: Bearer <access_token>`; the mall's systems send their API key the same way.
Every answer that holds someone's data is scoped to the caller: an id that belongs to
someone else answers 404, like one that does not exist. Errors are RFC 7807 problem JSON
with a stable `code`.
"""


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings.db.url, settings.db.pool_max)
        await app.state.db.open()
        try:
            yield
        finally:
            await app.state.db.close()

    app = FastAPI(
        title="Waybill",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.passwords = Passwords(settings.auth)
    errors.install(app)
    app.include_router(auth.router)
    app.include_router(users.router)
    app.include_router(api_keys.router)
    app.include_router(audit.router)
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
    install_middleware(app, settings)
    openapi.install(app)
    return app


def from_environment() -> FastAPI:
    """The app with settings from the environment: what `waybill serve` runs in each of
    its processes, with public link tokens cut from the access log."""
    from core.settings import load

    access_log.install()
    return create_app(load())


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Outermost last: forwarded addresses first, then CORS, then body limits."""
    capture = max(settings.epcis.max_capture_bytes, settings.api.max_body_bytes) + 1
    app.add_middleware(
        BodyLimit, default=settings.api.max_body_bytes, by_prefix={"/epcis/": capture}
    )
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=["Retry-After", "Location"],
            max_age=600,
        )
    # Only the configured proxies may say who the client is (X-Forwarded-For/-Proto);
    # `waybill serve` turns uvicorn's own copy of this off so this is the one place.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.api.trusted_proxies)
