"""What keeps the web app safe on a room's network.

- Binding: localhost by default; anywhere else only with a token (`check_bind`).
- Authentication: with a token, every request but the login page and the static files needs
  `Authorization: Bearer TOKEN` or the login cookie (an HMAC of the token, never the token).
- Host header: served on loopback, only loopback host names are answered (DNS rebinding).
- Body size: a request body larger than `WebConfig.max_upload_bytes` is cut off with 413, before
  it is read whole (by Content-Length, and by counting what arrives when there is none).
- CSRF: every state-changing request carries a proof a cross-site page cannot forge: the
  double-submit token (form field or X-CSRF-Token header equal to the SameSite=Strict cookie),
  or an Authorization header (scripts).
- Headers: a strict Content-Security-Policy (no inline script, scripts and styles from the app
  only), nosniff, no framing, no referrer.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from boardsnap.errors import UsageError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "bs_session"
CSRF_COOKIE = "bs_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
TOKEN_ENV = "BOARDSNAP_TOKEN"
MIN_TOKEN_LENGTH = 16

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# the published report is self-contained: its inline stylesheet and data: pictures, no script
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
OPEN_PATHS = ("/login", "/static/")
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve beyond this machine without a token."""
    if not is_loopback(host) and not token:
        raise UsageError(
            f"serving on {host} lets anyone on the network in",
            fix=f"give --token (or set {TOKEN_ENV}) with a long random value, "
            "e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(24))'",
        )


def session_value(token: str) -> str:
    """What the login cookie holds: derived from the token, so the cookie never carries it."""
    return hmac.new(token.encode(), b"boardsnap web session", hashlib.sha256).hexdigest()


def token_ok(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))


def safe_next(target: str | None) -> str:
    """A redirect target after login: a path on this site only."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# Pages whose forms are small (the check form, action status, login): their own body limit.
FORM_PATHS = ("/check/", "/actions/", "/login")


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"body larger than {limit} bytes")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _host(headers: dict[str, str]) -> str:
    """The Host header's name without its port ("[::1]" kept whole); "" when absent."""
    host = headers.get("host", "").rsplit(":", 1)[0] if headers.get("host") else ""
    if host.startswith("["):
        host = headers.get("host", "").split("]")[0] + "]"
    return host


def _security_headers(message: Message, new_cookie: str | None) -> list[tuple[bytes, bytes]]:
    """The headers every answer gets (a CSP and no-store unless the app set its own), and the
    CSRF cookie when this request got a new one."""
    extra = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    names = {k.lower() for k, _ in message.get("headers", [])}
    if b"content-security-policy" not in names:
        extra.append((b"content-security-policy", PAGE_CSP.encode()))
    if b"cache-control" not in names:
        extra.append((b"cache-control", b"no-store"))
    if new_cookie:
        cookie = f"{CSRF_COOKIE}={new_cookie}; Path=/; SameSite=Strict; HttpOnly"
        extra.append((b"set-cookie", cookie.encode()))
    return extra


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 - a malformed cookie header is as good as none
        return {}
    return {k: m.value for k, m in jar.items()}


class Guard:
    """ASGI middleware: host check, token, body limit, CSRF cookie and security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        loopback_only: bool,
        max_body: int,
        body_seconds: float = 120.0,
        max_form_body: int | None = None,
    ):
        self.app = app
        self.token = token
        self.session = session_value(token) if token else None
        self.loopback_only = loopback_only
        self.max_upload_body = max_body
        # the check form and the other small forms: a 20 MB one would hold the server's one
        # event loop for seconds while it is parsed
        self.max_form_body = max_form_body or max_body
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path = scope.get("path", "/")
        host = _host(headers)
        if self.loopback_only and host and not is_loopback(host):
            await _plain(send, 400, "unknown host: this server answers on localhost only")
            return

        cookies = _cookies(headers)
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        state = scope.setdefault("state", {})
        # Only a Bearer header proves a script: browsers attach Basic credentials on their own
        state["bearer"] = bearer is not None
        if self.token and not path.startswith(OPEN_PATHS):
            by_header = token_ok(bearer, self.token)
            by_cookie = csrf_ok(self.session, cookies.get(SESSION_COOKIE))
            if not (by_header or by_cookie):
                if path.startswith("/api/"):
                    await _json(send, 401, "missing or wrong token: send Authorization: Bearer")
                else:
                    query = scope.get("query_string", b"").decode("latin-1")
                    back = path + ("?" + query if query else "")
                    await _redirect(send, "/login?next=" + quote(back, safe=""))
                return
            if bearer is not None and not by_header:
                await _json(send, 401, "wrong token in the Authorization header")
                return

        small_form = path.startswith(FORM_PATHS)
        max_body = self.max_form_body if small_form else self.max_upload_body
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > max_body:
            if path.startswith("/api/") or scope.get("method") != "POST" or small_form:
                await _too_large(send, path, max_body)
                return
            # a page's form: let the page say so, without reading the body
            state["too_large"] = True

            async def receive() -> Message:
                return {"type": "http.request", "body": b"", "more_body": False}

        csrf = cookies.get(CSRF_COOKIE)
        new_cookie = None
        if not csrf or len(csrf) > 100:
            csrf = new_csrf_token()
            new_cookie = csrf
        state["csrf"] = csrf

        received = 0
        deadline = asyncio.get_running_loop().time() + self.body_seconds
        # what went wrong reading the body: whatever the app's body parser makes of the
        # exception (a form parser answers 400), the client is told 413 or 408
        failed: list[int] = []

        async def limited_receive() -> Message:
            nonlocal received
            left = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), max(left, 0.001))
            except TimeoutError:
                failed.append(408)
                raise BodyTooSlow(self.body_seconds) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_body:
                    failed.append(413)
                    raise BodyTooLarge(max_body)
            return message

        async def send_with_headers(message: Message) -> None:
            if failed:
                if message["type"] == "http.response.start" and failed[0] not in sent:
                    sent.append(failed[0])
                    if failed[0] == 413:
                        await _too_large(send, path, max_body)
                    else:
                        await _slow(send, path, self.body_seconds)
                return  # the app's own answer to the broken body is dropped
            if message["type"] == "http.response.start":
                extra = _security_headers(message, new_cookie)
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        sent: list[int] = []
        await self.app(scope, limited_receive, send_with_headers)


async def _plain(send: Send, status: int, text: str) -> None:
    await _respond(send, status, text.encode(), b"text/plain; charset=utf-8")


async def _json(send: Send, status: int, detail: str) -> None:
    import json

    body = json.dumps({"detail": detail}).encode()
    await _respond(send, status, body, b"application/json", [(b"www-authenticate", b"Bearer")])


async def _redirect(send: Send, location: str) -> None:
    await _respond(send, 303, b"", b"text/plain", [(b"location", location.encode("latin-1"))])


async def _too_large(send: Send, path: str, limit: int) -> None:
    text = too_large_message(limit)
    if path.startswith("/api/"):
        await _json(send, 413, text)
    else:
        await _plain(send, 413, text)


async def _slow(send: Send, path: str, seconds: float) -> None:
    text = f"the upload took longer than {seconds:g} s; try again on a better connection"
    if path.startswith("/api/"):
        await _json(send, 408, text)
    else:
        await _plain(send, 408, text)


class BodyTooSlow(Exception):
    """The request's body did not arrive within `[web] body_seconds` (408)."""

    def __init__(self, seconds: float):
        super().__init__(f"body not received within {seconds:g} s")
        self.seconds = seconds


def bounded_h11(header_seconds: float) -> type:
    """uvicorn's h11 protocol, closing a connection that does not complete a request's headers
    within `header_seconds` of connecting or of its previous response (slow-loris)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class BoundedH11Protocol(H11Protocol):
        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_header_timer()

        def data_received(self, data: bytes) -> None:
            before = self.cycle
            super().data_received(data)
            if self.cycle is not None and self.cycle is not before:
                self._cancel_header_timer()  # a request's headers are complete

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_header_timer()
            super().connection_lost(exc)

        def _arm_header_timer(self) -> None:
            self._cancel_header_timer()
            armed_for = self.cycle

            def expire() -> None:
                if self.cycle is armed_for and not self.transport.is_closing():
                    self.transport.close()

            self._header_timer = self.loop.call_later(header_seconds, expire)

        def _cancel_header_timer(self) -> None:
            timer = getattr(self, "_header_timer", None)
            if timer is not None:
                timer.cancel()
                self._header_timer = None

    return BoundedH11Protocol


def size_text(n: int) -> str:
    """Bytes as a person reads them: 25 MB, 300 kB."""
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def too_large_message(limit: int) -> str:
    return (
        f"the photo is larger than {size_text(limit)}; "
        "send a smaller one (a phone camera's usual size is fine)"
    )


async def _respond(
    send: Send, status: int, body: bytes, ctype: bytes, extra: list | None = None
) -> None:
    headers = [
        (b"content-type", ctype),
        (b"content-length", str(len(body)).encode()),
        (b"content-security-policy", PAGE_CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
    ] + (extra or [])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = [
    "Guard",
    "BodyTooLarge",
    "BodyTooSlow",
    "bounded_h11",
    "check_bind",
    "is_loopback",
    "session_value",
    "token_ok",
    "csrf_ok",
    "safe_next",
    "too_large_message",
    "size_text",
    "PAGE_CSP",
    "REPORT_CSP",
    "SESSION_COOKIE",
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "TOKEN_ENV",
    "MIN_TOKEN_LENGTH",
]
