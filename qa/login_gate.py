"""With ``--auth``, nothing but the login page is served to a visitor who has not logged in.

Gradio checks the login on its own routes one by one, and some are left open: FastAPI's
``/openapi.json`` (every route's name and schema), ``/gradio_api/runs``, ``/token``, ``/user``,
``/startup-events`` and the heartbeat answered 200 without credentials. This gate sits in front of
the whole app instead, as a reverse proxy's ``auth_request`` would: a request without a valid
session gets 401 unless it is one the login page itself needs (its HTML, scripts, styles and icons,
and the login form's POST). The allow-list is short and tested against the app's whole route table
(tests/test_app_security.py).

>>> is_public("GET", "/assets/index-abc.js"), is_public("POST", "/login")
(True, True)
>>> is_public("GET", "/openapi.json"), is_public("POST", "/gradio_api/call/answer"), is_public("GET", "/config")
(False, False, False)
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# What the login page loads before anyone has logged in: the page, its bundled assets and icons.
PUBLIC_PAGES = frozenset(
    {"/", "/favicon.ico", "/theme.css", "/gradio_api/theme.css", "/robots.txt", "/manifest.json", "/logout"}
    # Gradio's launch() calls this itself, without a session, to run the app's startup once; it
    # answers true or false and nothing else.
    | {"/gradio_api/startup-events"}
)
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/", "/pwa_icon")
LOGIN_FORM = frozenset({"/login", "/login/"})


# Gradio's page embeds every endpoint's name and schema (its "Use via API" data), and serves that page
# as the login form too: for a visitor who has not logged in, the gate empties it.
_API_INFO = re.compile(rb"(<script>window\.gradio_api_info = ).*?(;</script>)", re.DOTALL)


def without_api_info(page: bytes) -> bytes:
    """The page with its embedded API description emptied.

    >>> without_api_info(b'<script>window.gradio_api_info = {"/answer": {}};</script><p>x</p>')
    b'<script>window.gradio_api_info = {};</script><p>x</p>'
    """
    return _API_INFO.sub(rb"\1{}\2", page)


def is_public(method: str, path: str) -> bool:
    """Whether a request may be served without a login."""
    if method in ("GET", "HEAD"):
        return path in PUBLIC_PAGES or path.startswith(PUBLIC_PREFIXES)
    return method == "POST" and path in LOGIN_FORM


def logged_in(scope: Scope) -> bool:
    """Whether the request carries a session that Gradio's login gave (its access-token cookie)."""
    from starlette.requests import HTTPConnection

    app = scope.get("app")
    tokens = getattr(app, "tokens", None)
    cookie_id = getattr(app, "cookie_id", None)
    if tokens is None or cookie_id is None:
        return False
    cookies = HTTPConnection(scope).cookies
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return token is not None and token in tokens


class LoginGate:
    """ASGI middleware: 401 for every request but the login page's own until the visitor logs in.
    Added only when the server has logins (``app_kwargs={"middleware": [...]}`` in `qa.chat`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not logged_in(scope):
            await send({"type": "websocket.close", "code": 4401})
            return
        if scope["type"] != "http" or logged_in(scope):
            await self.app(scope, receive, send)
            return
        if not is_public(scope["method"], scope["path"]):
            from starlette.responses import JSONResponse

            response = JSONResponse({"detail": "Not authenticated: log in first."}, status_code=401)
            await response(scope, receive, send)
            return
        if scope["path"] != "/":
            await self.app(scope, receive, send)
            return
        await self._login_page(scope, receive, send)

    async def _login_page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The page as the login form, without the API description Gradio embeds in it."""
        start: Message = {}
        body = bytearray()

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if not message.get("more_body"):
                    page = without_api_info(bytes(body))
                    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                    await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
                    await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, collect)
