"""Request body size limits, before any handler reads a byte more than allowed.

A body that says it is too large (Content-Length) is refused at once; a chunked one is
counted as it streams and cut off at the limit. Both answer 413 problem JSON
(`body_too_large`; the streamed case through the app's HTTPException handler).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem


class _TooLarge(HTTPException):
    """Raised from `receive`: FastAPI and the error handlers pass HTTPExceptions through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimit:
    """`default` bytes for every route, `by_prefix` for paths that need more (or less)."""

    def __init__(self, app: ASGIApp, default: int, by_prefix: dict[str, int]) -> None:
        self.app = app
        self.default = default
        self.by_prefix = sorted(by_prefix.items(), key=lambda kv: -len(kv[0]))

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.by_prefix:
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge(limit)
            return message

        await self.app(scope, counted, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        answer = problem(
            413,
            "Payload Too Large",
            f"the request body is larger than {limit} bytes",
            "body_too_large",
        )
        await answer(scope, receive, send)
