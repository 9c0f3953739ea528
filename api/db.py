"""The API's connections to PostgreSQL, and what a request pays for them.

Two pools per process:

* `Database.pool`: connections for the routes, whose work runs in worker threads. A
  dependency takes one on the event loop when one is ready and gives it back there when it
  is idle, so a request pays no hand-over to a worker thread and back for either; when none
  is ready, or one comes back mid-transaction (it needs a rollback), that part goes to a
  worker thread. The connections are in autocommit mode: a service that writes opens its
  transaction (`with conn.transaction()`), and a read needs none (READ COMMITTED gives
  each statement its own snapshot inside a transaction too), which spares it a BEGIN and
  a COMMIT.
* `Database.auth`: an async autocommit pool for token lookups (one read each), run on the
  event loop.

Neither pool pings a connection when it is taken (a round trip on every request). A
connection lost to a restart or a failover fails its request with 503; the first such
failure has every idle connection of both pools checked in the background, so the requests
that follow get live ones.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool, ConnectionPool, PoolTimeout
from starlette.concurrency import run_in_threadpool

from core.db import libpq_url, translated

log = logging.getLogger(__name__)
READY_WAIT_S = 0.0005  # how long the event loop may wait for a free connection


class Database:
    def __init__(self, url: str, pool_max: int, auth_max: int = 4) -> None:
        conninfo = libpq_url(url)
        # No JIT: the API's queries are short, and a misestimate (statistics not yet
        # gathered) made PostgreSQL spend 350 ms compiling a 5 ms list of 200 rows.
        connect = {"autocommit": True, "options": "-c jit=off"}
        common: dict[str, Any] = {"min_size": 1, "open": False, "kwargs": connect}
        self.pool = ConnectionPool(conninfo, max_size=pool_max, name="api", **common)
        self.auth = AsyncConnectionPool(conninfo, max_size=auth_max, name="api-auth", **common)
        self._turns = asyncio.Semaphore(pool_max)
        self._checking = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def open(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.pool.open(wait=False)
        await self.auth.open(wait=False)

    async def close(self) -> None:
        await self.auth.close()
        await run_in_threadpool(self.pool.close)

    async def take(self) -> psycopg.Connection:
        # Requests queue here, on the event loop, for one of the pool's connections; never in
        # worker threads, which the requests holding the connections need to finish.
        try:
            await asyncio.wait_for(self._turns.acquire(), self.pool.timeout)
        except TimeoutError:
            raise PoolTimeout("no connection in time") from None
        try:
            try:
                return self.pool.getconn(timeout=READY_WAIT_S)
            except PoolTimeout:  # the pool is still opening this connection
                return await run_in_threadpool(self.pool.getconn)
        except BaseException:
            self._turns.release()
            raise

    async def give_back(self, conn: psycopg.Connection) -> None:
        try:
            if conn.closed or conn.info.transaction_status == TransactionStatus.IDLE:
                self.pool.putconn(conn)  # no I/O: the pool keeps it as it is, or drops it
            else:
                await run_in_threadpool(self.pool.putconn, conn)  # rolls back first
        finally:
            self._turns.release()

    @asynccontextmanager
    async def request_connection(self) -> AsyncIterator[psycopg.Connection]:
        """A route's connection, with the database's errors translated (core.db)."""
        with translated(self.lost):
            conn = await self.take()
            try:
                yield conn
            finally:
                await self.give_back(conn)

    @asynccontextmanager
    async def auth_connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        with translated(self.lost):
            async with self.auth.connection() as conn:
                yield conn

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[psycopg.Connection]:
        """A connection for work already in a worker thread (stream polls, health)."""
        with translated(self.lost), self.pool.connection(timeout) as conn:
            yield conn

    def lost(self) -> None:
        """A connection was found dead: check the idle ones of both pools in the background,
        one check at a time. From any thread."""
        if self._checking.acquire(blocking=False):
            threading.Thread(target=self._check, name="api-pool-check", daemon=True).start()

    def _check(self) -> None:
        try:
            log.warning("a database connection was lost; checking the pooled ones")
            if self._loop is not None and not self._loop.is_closed():
                asyncio.run_coroutine_threadsafe(self.auth.check(), self._loop)
            self.pool.check()
        except Exception:  # the check itself found the database still away: next failure
            log.exception("checking the pooled connections failed")
        finally:
            self._checking.release()
