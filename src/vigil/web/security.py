"""HTTP-level protections: security headers, CSRF tokens, sign-in rate limiting, safe redirects.

Password hashing, TOTP and lock-out live in :mod:`vigil.services.users` (shared with the CLI);
need to know lives in :mod:`vigil.services.access`.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")

SESSION_COOKIE = "vigil_session"
PRE_COOKIE = "vigil_pre"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SecurityHeaders:
    """Adds the security headers to every response (a pure ASGI middleware, no buffering).

    Everything but static files is marked ``no-store``: case material must not sit in caches.
    HSTS is sent whenever the request's scheme is https: served with TLS (``vigil serve
    --tls-cert``), or forwarded as https by a trusted reverse proxy (``--proxy-headers``, whose
    middleware runs outside this one and sets the scope's scheme and client only for
    connections from ``--forwarded-allow-ips``). Never on plain http, so local use keeps working.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = scope.get("scheme") == "https"
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h for h in message.get("headers", []) if h[0].lower() != b"cache-control"
                ] if not static else list(message.get("headers", []))  # fmt: skip
                headers.extend(BASE_HEADERS)
                if tls:
                    headers.append(HSTS)
                if not static:
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens; missing or empty never matches."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after a form, never another site (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(c in target for c in "\r\n"):
        return default
    return target


class SignInLimiter:
    """At most ``limit`` sign-in attempts per client address in ``window`` seconds.

    The address is the connection's, or behind a trusted reverse proxy the one it forwards
    (``vigil serve --proxy-headers``), so people behind one proxy do not share one limit.

    Accounts are also locked after repeated failures (in the database, see
    :mod:`vigil.services.users`); this limit slows guessing across many accounts.
    """

    def __init__(
        self,
        limit: int = 20,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and now - q[0] > self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            if len(self._hits) > 10_000:  # forget idle clients
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]
            return True
