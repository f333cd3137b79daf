"""The ASGI application: pages for the phone, and the JSON API behind them.

`create_app(settings)` wires the parts: the `Guard` middleware (token, host, body limit, CSRF
cookie, security headers), the pages (server-rendered jinja2, `templates/web/`), the JSON API
under `/api/` (OpenAPI schema at `/api/openapi.json`) and the error handlers that turn every
`BoardSnapError` into a one-line message on the page or in `{"detail": ...}`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

import boardsnap
from boardsnap.errors import (
    BadInput,
    BoardSnapError,
    DatabaseError,
    InvalidDocument,
    NoTableFound,
    NotFound,
    PhotoTimeout,
)
from boardsnap.web import security
from boardsnap.web.context import environment, render, web_of, web_templates_dir
from boardsnap.web.service import Settings, WebApp
from boardsnap.web.worker import Busy, ReaderDied, WorkTooSlow

log = logging.getLogger(__name__)

BUSY_MESSAGE = "the server is reading many photos right now; try again in a minute"


def create_app(settings: Settings) -> FastAPI:
    from boardsnap.web import api, pages

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        web = WebApp(settings)
        try:
            web.start()
            app.state.web = web
            yield
        finally:
            web.close()

    app = FastAPI(
        title="BoardSnap",
        summary="Photo of an SLA review board in, checked board document and report out.",
        description=(
            "Upload a photo to read its board document (docs/board.md), correct it, render "
            "its report, publish it to the review history, and follow its actions. "
            "Authenticate with `Authorization: Bearer TOKEN` when the server has a token; "
            "requests with an Authorization header need no CSRF token."
        ),
        version=boardsnap.__version__,
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load scripts from a CDN: not on a room's network
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.templates = environment()
    app.include_router(pages.router)
    app.include_router(api.router)
    _error_handlers(app)
    app.add_middleware(
        security.Guard,
        token=settings.token,
        loopback_only=security.is_loopback(settings.host),
        max_body=settings.config.web.max_upload_bytes,
        body_seconds=settings.config.web.body_seconds,
        max_form_body=settings.config.web.max_form_bytes,
    )
    return app


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_status(exc: BaseException) -> int:
    if isinstance(exc, security.BodyTooLarge):
        return 413
    if isinstance(exc, security.BodyTooSlow):
        return 408
    if isinstance(exc, Busy):
        return 503
    if isinstance(exc, (WorkTooSlow, PhotoTimeout)):
        return 504
    if isinstance(exc, ReaderDied):
        return 422
    if isinstance(exc, BadInput) and "not a photo" in exc.message:
        return 415
    if isinstance(exc, (BadInput, NoTableFound, InvalidDocument)):
        return 422
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, DatabaseError):
        return 503  # the history is unreachable or damaged: the message says which
    return 500


def user_message(exc: BaseException) -> str:
    """One line for the person or script: the message and its fix, never a server path."""
    if isinstance(exc, security.BodyTooLarge):
        return security.too_large_message(exc.limit)
    if isinstance(exc, Busy):
        return BUSY_MESSAGE
    if isinstance(exc, security.BodyTooSlow):
        return f"the upload took longer than {exc.seconds:g} s; try again on a better connection"
    if isinstance(exc, WorkTooSlow):
        return f"{exc}; it was stopped: try a smaller photo or a shorter document"
    if isinstance(exc, PhotoTimeout):
        return f"{exc.message}; the work was stopped: try a smaller photo or a shorter document"
    if isinstance(exc, ReaderDied):
        return "the photo could not be read (the reader stopped on it); try another photo"
    if isinstance(exc, NoTableFound):
        return (
            "no SLA table found on that photo; photograph the whole board with the "
            "Metric | Target | Actual table in view"
        )
    if isinstance(exc, BoardSnapError):
        return "; ".join(x for x in (exc.message, exc.fix) if x)
    return "something went wrong on the server; the log says what"


def _error_handlers(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> Response:
        status = error_status(exc)
        if status == 500:
            log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        message = user_message(exc)
        headers = {"Retry-After": "30"} if status == 503 else None
        if is_api(request):
            return JSONResponse({"detail": message}, status_code=status, headers=headers)
        from boardsnap.web.pages import snap_page

        if request.url.path == "/snap":
            return await snap_page(request, error=message, status=status)
        return PlainTextResponse(message, status_code=status, headers=headers)

    for cls in (
        BoardSnapError,
        security.BodyTooLarge,
        security.BodyTooSlow,
        Busy,
        WorkTooSlow,
        ReaderDied,
    ):
        app.add_exception_handler(cls, handle)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return render(request, "error.html.j2", status=exc.status_code, message=exc.detail)

    app.add_exception_handler(StarletteHTTPException, http_error)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        # one line, as every error of the API, and without echoing the input (which may hold
        # text no response can encode, such as a lone surrogate)
        assert isinstance(exc, RequestValidationError)
        message = validation_message(exc.errors())
        if is_api(request):
            return JSONResponse({"detail": message}, status_code=422)
        return PlainTextResponse(message, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid_request)


def validation_message(errors: Any) -> str:
    """FastAPI's list of validation errors as one line: where and what, never the input."""
    parts = []
    for error in list(errors)[:3]:
        where = ".".join(str(x) for x in error.get("loc", ()) if x != "body") or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    text = "; ".join(parts) or "invalid request"
    # anything that is not encodable (a lone surrogate in a key) is written as an escape
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:500]


__all__ = ["create_app", "web_of", "render", "user_message", "error_status", "web_templates_dir"]
