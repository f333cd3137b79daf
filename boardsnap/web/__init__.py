"""`boardsnap serve`: a small web app to snap a board from a phone, check it, publish it.

`serve(settings)` runs it with uvicorn; `create_app(settings)` gives the ASGI app (tests and
other servers). See README.md, "Web app", for the security model and the API.
"""

from __future__ import annotations

import logging

from boardsnap.web.service import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings):  # noqa: ANN201 - a FastAPI app; imported lazily
    from boardsnap.web.app import create_app as _create

    return _create(settings)


def serve(settings: Settings) -> None:
    """Run the server until Ctrl-C. Refuses to bind beyond localhost without a token."""
    import uvicorn

    from boardsnap.web import security

    security.check_bind(settings.host, settings.token)
    if settings.token and len(settings.token) < security.MIN_TOKEN_LENGTH:
        log.warning(
            "the token is short (%d characters); a long random one is safer", len(settings.token)
        )
    app = create_app(settings)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    log.warning("serving on http://%s:%d/", shown, settings.port)
    if settings.token:
        log.warning("log in on a phone with http://%s:%d/login?token=...", shown, settings.port)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
        # slow-loris: headers within [web] header_seconds (the body: security.Guard)
        http=security.bounded_h11(settings.config.web.header_seconds),
        # SIGTERM: requests still running after [web] shutdown_seconds are cut off, then the
        # photo readers are stopped (web.worker.Extractor.close)
        timeout_graceful_shutdown=max(1, round(settings.config.web.shutdown_seconds)),
    )


__all__ = ["Settings", "create_app", "serve"]
