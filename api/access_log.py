"""The access log without secrets: a public tracking link's token is the key to what it
shows, so it is cut from every logged path (`/v1/public/track/{token}`, the console's
`/track/{token}`). Installed on uvicorn's access logger by `waybill serve`."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/track/)[^/?#\s]+")


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_PATH.sub(r"\1…", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def install(logger_name: str = "uvicorn.access") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())
