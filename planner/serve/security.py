"""Who is asking, what they may do, and what no browser may be tricked into.

Three ways in, checked by `Gate` on every API request:

- the page signs in with a name and password (``POST /api/session``) and then
  carries a session cookie (HttpOnly, SameSite=Strict, Secure under TLS);
- a script sends its user's personal API token (``planner users token``) as
  ``Authorization: Bearer ...``;
- the shortcut for one person on localhost: a shared token from
  ``PLANNER_TOKEN``, as a Bearer or by opening ``/?token=...`` once (the page
  then gets a session cookie, never the token itself).

With no users and no shared token (localhost only, refused elsewhere by the
command line) the one person at the keyboard is an admin. Failed sign-ins
and wrong tokens are counted per address and per name (the ``limits``
library's moving window): past the limit the answer is 429 until the minute
is over.

`Guard` wraps the whole application: a request whose Host is not one of the
server's names is refused (a DNS-rebinding page cannot read the history); a
request that changes something must come from the page itself (its Origin)
or carry a Bearer token (a cross-site form post is refused); every answer
carries a Content-Security-Policy that allows only the server's own scripts,
no framing, no sniffing and no referrer.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planner.serve.accounts import ADMIN, digest, may
from planner.serve.storage import Storage, User

COOKIE = "planner_session"
SESSION_HOURS = 12  # a working day; then the page asks to sign in again
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
TOKEN_ENV = "PLANNER_TOKEN"
MIN_SHARED_TOKEN = 16
LOCAL_USER = "local"  # who acts without an account: the one person on localhost
FAILURES_PER_ADDRESS = parse("10/minute")
FAILURES_PER_NAME = parse("5/minute")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; "
    # Plotly styles its charts from script: style elements and attributes
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def is_local(host: str) -> bool:
    """Only a server listening on this machine alone may run without accounts."""
    return host in LOCAL_HOSTS


def allowed_hosts(host: str, extra: tuple[str, ...]) -> list[str]:
    """The names a browser may use for the server: localhost's, the address
    it listens on (unless it is every address), and ``--allowed-host``."""
    names = ["127.0.0.1", "localhost", "[::1]", *extra]
    if host not in ("0.0.0.0", "::", *LOCAL_HOSTS):
        names.append(f"[{host}]" if ":" in host else host)
    return names


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: a user's name and role, and how they came in
    (``session``, ``token``, ``shared`` or ``open``)."""

    name: str
    role: str
    via: str


class Gate:
    """Finds the `Principal` of a request, or refuses it (401, 403, 429)."""

    def __init__(self, storage: Storage, shared_token: str | None) -> None:
        self.storage = storage
        self.shared = shared_token.encode() if shared_token else None
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.shortcut_sessions: dict[str, dt.datetime] = {}

    # failures ----------------------------------------------------------------

    def _keys(self, address: str, name: str | None) -> list[tuple[RateLimitItem, str]]:
        keys: list[tuple[RateLimitItem, str]] = [(FAILURES_PER_ADDRESS, f"a:{address}")]
        if name:
            keys.append((FAILURES_PER_NAME, f"n:{name.lower()}"))
        return keys

    def throttled(self, address: str, name: str | None = None) -> None:
        """429 once an address (or a name) has failed too often this minute."""
        for item, key in self._keys(address, name):
            if not self.limiter.test(item, key):
                raise HTTPException(
                    429,
                    "Too many failed sign-ins; wait a minute and try again.",
                    headers={"Retry-After": "60"},
                )

    def failed(self, address: str, name: str | None, how: str) -> None:
        for item, key in self._keys(address, name):
            self.limiter.hit(item, key)
        self.storage.audit(name or "", "sign-in failed", detail=how, address=address)

    # sessions ----------------------------------------------------------------

    def open_session(self, user: User | None) -> tuple[str, dt.datetime]:
        """A new session id for ``user`` (None: the shared-token shortcut)."""
        session = secrets.token_urlsafe(32)
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=SESSION_HOURS)
        if user is None:
            self.shortcut_sessions[digest(session)] = expires
        else:
            self.storage.add_session(digest(session), user.name, expires.isoformat())
        return session, expires

    def end_session(self, session: str) -> None:
        self.shortcut_sessions.pop(digest(session), None)
        self.storage.end_session(digest(session))

    def right_shared_token(self, given: str) -> bool:
        return self.shared is not None and hmac.compare_digest(
            given.encode(), self.shared
        )

    # who is asking -----------------------------------------------------------

    def principal(
        self, request: Request, bearer: str | None, cookie: str | None
    ) -> Principal:
        address = client_address(request)
        if bearer:
            self.throttled(address)
            if self.right_shared_token(bearer):
                return Principal(LOCAL_USER, ADMIN, "shared")
            user = self.storage.user_of_token(digest(bearer))
            if user is None:
                self.failed(address, None, "a wrong API token")
                raise _unauthorized("The API token is wrong or no longer valid.")
            return Principal(user.name, user.role, "token")
        if cookie:
            expires = self.shortcut_sessions.get(digest(cookie))
            if expires is not None and expires > dt.datetime.now(dt.UTC):
                return Principal(LOCAL_USER, ADMIN, "shared")
            user = self.storage.user_of_session(digest(cookie))
            if user is not None:
                return Principal(user.name, user.role, "session")
        if self.shared is None and not self.storage.users():
            return Principal(LOCAL_USER, ADMIN, "open")
        raise _unauthorized("Sign in first (or send your API token as a Bearer).")

    def needs(self, role: str) -> Callable[..., Principal]:
        """A FastAPI dependency: the principal, if their role includes ``role``."""

        def dependency(
            request: Request,
            bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
            cookie: Annotated[str | None, Depends(SESSION_COOKIE)],
        ) -> Principal:
            who = self.principal(
                request, bearer.credentials if bearer else None, cookie
            )
            if not may(who.role, role):
                raise HTTPException(
                    403, f"Your role ({who.role}) may not do this; ask an admin."
                )
            return who

        return dependency


BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="API token",
    description="A personal API token from `planner users token NAME`.",
)
SESSION_COOKIE = APIKeyCookie(
    name=COOKIE,
    auto_error=False,
    scheme_name="Session",
    description="The cookie the page gets from POST /api/session.",
)


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def set_session_cookie(
    response: Response, request: Request, session: str, expires: dt.datetime
) -> None:
    response.set_cookie(
        COOKIE,
        session,
        expires=expires,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


class Guard:
    """ASGI middleware: same-origin changes only, and the security headers on
    every answer (the Host allow-list is Starlette's TrustedHostMiddleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    *((k.encode(), v.encode()) for k, v in HEADERS.items()),
                ]
            await send(message)

        if scope["method"] in UNSAFE and not _same_origin_or_token(scope):
            refused = JSONResponse(
                {
                    "detail": "Refused: a change must come from this server's own "
                    "page or carry an API token."
                },
                403,
            )
            await refused(scope, receive, headed)
            return
        await self.app(scope, receive, headed)


def _same_origin_or_token(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    if headers.get("authorization", "").lower().startswith("bearer "):
        return True  # a browser cannot add this header to a cross-site request
    origin = headers.get("origin")
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    return (parts.scheme, parts.netloc.lower()) == (
        scope.get("scheme", "http"),
        headers.get("host", "").lower(),
    )
