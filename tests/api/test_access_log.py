"""A public link's token never reaches the access log."""

from __future__ import annotations

import logging

from api.access_log import RedactTokens


def access_record(path: str) -> logging.LogRecord:
    """The record uvicorn's HTTP protocol logs for one request."""
    return logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:5000", "GET", path, "1.1", 200), None,
    )  # fmt: skip


def test_link_tokens_are_cut_from_logged_paths() -> None:
    token = "Zm9vYmFyYmF6cXV4c2VjcmV0MTIzNDU2"
    for path, shown in [
        (f"/v1/public/track/{token}", "/v1/public/track/…"),
        (f"/v1/public/track/{token}?crs=gcj02", "/v1/public/track/…?crs=gcj02"),
        (f"/console/track/{token}", "/console/track/…"),
        ("/v1/shipments/shp_1/tracking", "/v1/shipments/shp_1/tracking"),
    ]:
        record = access_record(path)
        assert RedactTokens().filter(record)
        assert token not in record.getMessage()
        assert shown in record.getMessage()
