"""What a request handler reaches, shared by the app, its pages and its API: the server's
`WebApp` behind a request, and the page templates with their filters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import Response

from boardsnap.report import render as report_stage
from boardsnap.report import view as report_view
from boardsnap.web import security
from boardsnap.web.service import WebApp


def web_templates_dir() -> Path:
    return report_stage.templates_dir() / "web"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(web_templates_dir()),
        autoescape=True,  # everything read off a board or typed in a form is untrusted text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["size"] = security.size_text
    env.filters["sentence"] = lambda text: str(text)[:1].upper() + str(text)[1:]
    env.globals["status_labels"] = report_view.STATUS_LABELS
    env.globals["status_icons"] = report_view.STATUS_ICONS
    env.globals["action_labels"] = report_view.ACTION_STATUS_LABELS
    return env


def _num(value: float | None) -> str:
    """A number as a person writes it in a form field: 200, 99.95, 0.07; empty for none."""
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def web_of(request: Request) -> WebApp:
    return request.app.state.web


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    env: jinja2.Environment = request.app.state.templates
    html = env.get_template(name).render(
        csrf=request.state.csrf,
        csrf_field=security.CSRF_FIELD,
        limits=request.app.state.settings.config,
        **context,
    )
    return Response(html, status_code=status, media_type="text/html; charset=utf-8")


__all__ = ["environment", "render", "web_of", "web_templates_dir"]
