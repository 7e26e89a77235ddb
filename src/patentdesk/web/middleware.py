"""ASGI middleware: security headers on every response, a request body size limit, and the
per-client rate limit on /api/."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .ratelimit import TokenBucket

if TYPE_CHECKING:
    from fastapi import FastAPI

    from .app import WebOptions

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
_RAW_HEADERS = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]


def error_json(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


async def _send_json(send: Send, status: int, body: bytes, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in _RAW_HEADERS if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413, whether announced or streamed. File
    uploads (POST to a path ending in /attachments) may be as large as `upload_limit`."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int | None = None) -> None:
        self.app = app
        self.default_limit = limit
        self.upload_limit = max(limit, upload_limit or limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope.get("path", "").endswith("/attachments") else self.default_limit
        too_large = error_json("payload_too_large", f"request body over {limit} bytes")
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    announced = limit + 1
                if announced > limit:
                    await _send_json(send, 413, too_large)
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge
            return message

        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracking)
        except _BodyTooLarge:
            if not started:
                await _send_json(send, 413, too_large)


class _BodyTooLarge(Exception):
    pass


class RateLimit:
    """Token bucket per client address on paths under /api/; 429 with Retry-After when empty."""

    def __init__(self, app: ASGIApp, bucket: TokenBucket, prefix: str = "/api/") -> None:
        self.app = app
        self.bucket = bucket
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(self.prefix):
            client = scope.get("client")
            key = client[0] if client else "unknown"
            wait = self.bucket.take(key)
            if wait > 0:
                body = error_json("rate_limited", "too many requests; slow down and retry later")
                await _send_json(send, 429, body, ((b"retry-after", str(math.ceil(wait)).encode()),))
                return
        await self.app(scope, receive, send)


def install(app: FastAPI, options: WebOptions) -> None:
    # added last = outermost: the headers go on every response, the limits' answers included
    if options.api_rate > 0:
        app.add_middleware(RateLimit, bucket=TokenBucket(options.api_rate, options.api_burst))
    app.add_middleware(BodyLimit, limit=options.max_body_bytes, upload_limit=options.max_upload_bytes)
    app.add_middleware(SecurityHeaders)


def apply_headers(headers: Any) -> None:
    """Security headers on a response built outside the middleware (the 500 handler)."""
    for k, v in SECURITY_HEADERS.items():
        headers.setdefault(k, v)
