"""Database connections: psycopg 3 pools and the translation of driver errors.

Stores take a connection and never commit; services own the transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import PoolTimeout

from core.errors import InvalidInput, TransientDatabaseError


def sqlalchemy_url(url: str) -> str:
    """The libpq URL in the form SQLAlchemy wants for psycopg 3."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url!r}")


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def translated(lost: Callable[[], None] | None = None) -> Iterator[None]:
    """Turn a lost or refused connection into TransientDatabaseError (after telling `lost`),
    and a value the database refuses as data into InvalidInput, at one choke point (the
    API's)."""
    try:
        yield
    except psycopg.OperationalError as exc:
        if lost is not None:
            lost()
        raise TransientDatabaseError(f"database unavailable: {exc}".strip()) from exc
    except psycopg.DataError as exc:
        # A value the database cannot hold (a NUL in text, a number past bigint ...) came
        # from the request; it is bad input, not a server error.
        raise InvalidInput(
            f"a value cannot be stored or compared: {str(exc).splitlines()[0]}",
            code="unstorable_value",
        ) from exc
    except PoolTimeout as exc:
        raise TransientDatabaseError("database unavailable: no connection in time") from exc


def connect(url: str, **kwargs: object) -> psycopg.Connection:
    return psycopg.connect(libpq_url(url), **kwargs)  # type: ignore[arg-type]


log = logging.getLogger(__name__)


def reconnecting(
    work: Callable[[], None], what: str, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Run a long-lived loop that connects on its own; when the database goes away (a
    restart, a failover), wait and run it again instead of exiting. Backoff doubles from
    1 s to 30 s and starts over once the loop has run a minute without trouble."""
    backoff = 1.0
    while True:
        started = time.monotonic()
        try:
            work()
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() - started > 60:
                backoff = 1.0
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            log.warning("%s: database unavailable (%s); again in %.0f s", what, first, backoff)
            sleep(backoff)
            backoff = min(backoff * 2, 30.0)
