"""The web console: plain ES modules and CSS from `web/`, no build step.

`/` lands on the console's sign-in page; `/console/` is the single-page app (routes in the
URL fragment); `/track/{token}` is the public tracking page of a shipment's link, a page of
its own that loads nothing but what it shows. `/console/config.json` tells the pages the
map background and the market's time zone; it holds no secret and needs no token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.deps import SettingsDep
from core.settings import Settings

WEB = Path(__file__).resolve().parents[2] / "web"


def _headers(settings: Settings) -> dict[str, str]:
    """Headers of the console's pages. The pages change with the code, so a browser must not
    keep an old module beside a new one; the policy lets them load only our own modules and
    talk only to our API, with images from the tile server when one is configured."""
    tiles = ""
    if settings.console.tile_url and "://" in settings.console.tile_url:
        parts = urlsplit(settings.console.tile_url)
        tiles = f" {parts.scheme}://{parts.netloc}"
    policy = (
        "default-src 'self'; script-src 'self'; connect-src 'self'; "
        f"img-src 'self' data:{tiles}; style-src 'self' 'unsafe-inline'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": policy,
        # A public link's token is in its URL: it must not travel on as a Referer.
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


router = APIRouter(include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=307)


@router.get("/console")
def console_no_slash() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=307)


@router.get("/console/")
def console_page(settings: SettingsDep) -> FileResponse:
    return FileResponse(WEB / "index.html", headers=_headers(settings))


@router.get("/console/config.json")
def console_config(settings: SettingsDep) -> dict[str, Any]:
    c = settings.console
    return {
        "tile_url": c.tile_url,
        "tile_crs": c.tile_crs,
        "time_zone": c.time_zone,
        "language": c.language,
        "stale_after_s": settings.api.stale_after_s,
    }


@router.get("/track/{token}")
def public_page(token: str, settings: SettingsDep) -> FileResponse:
    return FileResponse(WEB / "public.html", headers=_headers(settings))


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/console/assets", StaticFiles(directory=WEB), name="console-assets")
