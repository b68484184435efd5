"""The access token: localhost needs none; any other address needs one.

With a token every request must carry it, the page as well as the API: as
``Authorization: Bearer <token>``, an ``X-Planner-Token`` header, or the
cookie the page gets after opening ``/?token=<token>`` once (the token then
leaves the address bar at once). Tokens are compared in constant time and
never written to a log: uvicorn's access log is off, since it would print
the query string.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "planner_token"
HEADER = "x-planner-token"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TOKEN_ENV = "PLANNER_TOKEN"

REFUSED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>planner: token needed</title></head><body style="font:18px sans-serif;
margin:3em"><h1>This planner page needs its access token</h1><p>Open the
address you were given, ending in <code>?token=...</code>, or ask whoever
started <code>planner serve</code> for the token.</p></body></html>"""


def needs_token(host: str) -> bool:
    """Only a server listening on this machine alone may run without a token."""
    return host not in LOCAL_HOSTS


class TokenGate:
    """ASGI middleware: every request carries the token, or is refused."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    def _right(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        if "token" in query:
            await self._login(request, query)(scope, receive, send)
            return
        bearer = request.headers.get("authorization", "")
        given = (
            request.headers.get(HEADER)
            or (bearer[7:] if bearer.lower().startswith("bearer ") else None)
            or request.cookies.get(COOKIE)
        )
        if self._right(given):
            await self.app(scope, receive, send)
            return
        await self._refuse(request)(scope, receive, send)

    def _login(self, request: Request, query: dict[str, str]) -> Response:
        """``?token=``: set the cookie and send the browser to the same page
        without the token in its address."""
        if not self._right(query.pop("token")):
            return self._refuse(request)
        rest = urlencode(query)
        target = request.url.path + (f"?{rest}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            self.token.decode(),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    def _refuse(self, request: Request) -> Response:
        if request.url.path.startswith("/api"):
            return JSONResponse(
                {"detail": "The access token is missing or wrong."}, status_code=401
            )
        return HTMLResponse(REFUSED_PAGE, status_code=401)
