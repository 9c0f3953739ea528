"""The web console: plain ES modules and CSS from `web/`, no build step.

`/` lands on the console's sign-in page; `/console/` is the single-page app (routes in the
URL fragment); `/track/{token}` is the public tracking page of a shipment's link, a page of
its own that loads nothing but what it shows. `/console/config.json` tells the pages the
map background and the market's time zone; it holds no secret and needs no token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.deps import SettingsDep

WEB = Path(__file__).resolve().parents[2] / "web"
# The pages change with the code; a browser must not keep an old module beside a new one.
NO_CACHE = {"Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=307)


@router.get("/console")
def console_no_slash() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=307)


@router.get("/console/")
def console_page() -> FileResponse:
    return FileResponse(WEB / "index.html", headers=NO_CACHE)


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
def public_page(token: str) -> FileResponse:
    return FileResponse(WEB / "public.html", headers=NO_CACHE)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/console/assets", StaticFiles(directory=WEB), name="console-assets")
