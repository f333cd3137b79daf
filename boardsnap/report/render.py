"""Stage 7: the compliance report, as one self-contained HTML file or a PDF.

`render_html` fills the jinja2 template `templates/report.html.j2` (autoescaped: everything read
off a board is untrusted text) with the view `report_view.build_view` prepares, so the template
only lays things out. The stylesheet is inlined and pictures are `data:` URIs, so the HTML file
can be mailed on its own. `render_pdf` lays the same HTML out with WeasyPrint; its URL fetcher
serves only `data:` URIs and files inside the templates folder and refuses everything else, so
nothing in a board (or a hand-edited board JSON) can make the renderer read a local file or the
network.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

import jinja2

import boardsnap
from boardsnap.config import ReportConfig
from boardsnap.document import Board
from boardsnap.errors import BoardSnapError, MissingDependency
from boardsnap.fileio import atomic_open
from boardsnap.report.view import SECTIONS, Evidence, ReportOptions, build_view

if TYPE_CHECKING:
    from boardsnap.history.store import HistoryContext

log = logging.getLogger(__name__)

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
FORMATS = ("html", "pdf")

PANGO_APT = "sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
WEASYPRINT_PIP = "pip install 'weasyprint>=60'"


class ResourceRefused(ValueError):
    """The report renderer asked for something other than a data: URI or a template file."""


# ---- locating the templates ------------------------------------------------------------------


def templates_dir() -> Path:
    """`boardsnap/templates` inside an installed wheel, else the repository's `templates/`."""
    packaged = Path(boardsnap.__file__).resolve().parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(boardsnap.__file__).resolve().parent.parent / "templates"


def environment() -> jinja2.Environment:
    folder = templates_dir()
    if not (folder / TEMPLATE).is_file():
        raise BoardSnapError(
            f"report template {TEMPLATE} not found in {folder}",
            fix="reinstall boardsnap (the wheel ships boardsnap/templates)",
        )
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# ---- rendering -------------------------------------------------------------------------------


def render_html(
    board: Board,
    cfg: ReportConfig,
    evidence: Evidence | None = None,
    options: ReportOptions | None = None,
    *,
    history: HistoryContext | None = None,
    **context: Any,
) -> str:
    """The report as one self-contained HTML document (stylesheet inline, pictures as data:).

    `options` cuts it for its reader (audience, redaction, branding, sections); `history`
    (earlier reviews of the service) adds the "since the previous review" section; other
    keyword arguments are handed to the template as they are, for sections that need more than
    the board (a partial added to `options.sections` reads them by name).
    """
    template = environment().get_template(TEMPLATE)
    options = options or ReportOptions()
    known = history.board_actions if history is not None else ()
    view = build_view(board, cfg, evidence, options, known)
    return template.render(**{**context, **view, "history": _history_view(history, options)})


def _history_view(history: HistoryContext | None, options: ReportOptions) -> dict | None:
    if history is None:
        return None
    from boardsnap.history import view as history_view

    return history_view.build(
        history, redact=options.redact, internal=options.audience == "internal"
    )


def render_pdf(
    board: Board,
    cfg: ReportConfig,
    evidence: Evidence | None = None,
    options: ReportOptions | None = None,
    **context: Any,
) -> bytes:
    """The report as PDF bytes, laid out by WeasyPrint from the same HTML."""
    weasyprint = import_weasyprint()
    html = render_html(board, cfg, evidence, options, **context)
    document = weasyprint.HTML(
        string=html,
        base_url=templates_dir().as_uri() + "/",
        url_fetcher=safe_url_fetcher(),
    )
    return document.write_pdf()


def write_report(
    board: Board,
    path: Path,
    fmt: str,
    cfg: ReportConfig,
    evidence: Evidence | None = None,
    options: ReportOptions | None = None,
    **context: Any,
) -> Path:
    """Render the report as `fmt` ("html" or "pdf") and write it to `path` atomically.

    The temporary file is opened before rendering, so a bad output path fails before the work,
    and a failure while rendering leaves neither `path` nor a temporary file behind.
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise BoardSnapError(f"unknown report format {fmt!r}", fix="use html or pdf")
    path = Path(path)
    if fmt == "pdf":
        import_weasyprint()  # say what is missing before creating anything
        with atomic_open(path) as handle:
            handle.write(render_pdf(board, cfg, evidence, options, **context))
    else:
        with atomic_open(path, text=True) as handle:
            handle.write(render_html(board, cfg, evidence, options, **context))
    return path


def import_weasyprint() -> Any:
    """Import WeasyPrint, turning a missing package or missing Pango into `MissingDependency`."""
    try:
        import weasyprint
    except ImportError:
        raise MissingDependency(
            "WeasyPrint is not installed (needed for PDF reports)", fix=WEASYPRINT_PIP
        ) from None
    except OSError as exc:  # cffi could not dlopen Pango / HarfBuzz
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MissingDependency(
            f"WeasyPrint cannot load its Pango libraries ({detail[:120]})", fix=PANGO_APT
        ) from None
    return weasyprint


# ---- the URL fetcher -------------------------------------------------------------------------


def fetch_resource(url: str) -> tuple[bytes, str]:
    """Bytes and MIME type for `url`, if the report may use it; else `ResourceRefused`.

    Allowed: `data:` URIs, and `file:` URLs of files inside `templates_dir()`. Everything else
    (http, https, ftp, files elsewhere, other hosts) is refused without being opened.
    """
    scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
    if scheme == "data":
        return _decode_data_uri(url)
    if scheme == "file":
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"refused {_short(url)}: file on another host")
        root = templates_dir().resolve()
        wanted = Path(url2pathname(parts.path)).resolve()
        if wanted.is_relative_to(root) and wanted.is_file():
            mime = mimetypes.guess_type(wanted.name)[0] or "application/octet-stream"
            return wanted.read_bytes(), mime
        raise ResourceRefused(f"refused {_short(url)}: outside BoardSnap's templates folder")
    raise ResourceRefused(
        f"refused {_short(url)}: reports only use data: URIs and BoardSnap's own templates"
    )


def safe_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that goes through `fetch_resource`."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher") and hasattr(urls, "URLFetcherResponse"):

        class SafeURLFetcher(urls.URLFetcher):  # WeasyPrint >= 66: a class with fetch()
            def fetch(self, url: str, headers: Any = None) -> Any:
                data, mime = fetch_resource(url)
                return urls.URLFetcherResponse(url, data, {"Content-Type": mime})

        return SafeURLFetcher()

    def legacy_fetcher(url: str) -> dict[str, Any]:  # older WeasyPrint: a function
        data, mime = fetch_resource(url)
        return {"string": data, "mime_type": mime, "redirected_url": url}

    return legacy_fetcher


def _decode_data_uri(url: str) -> tuple[bytes, str]:
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise ResourceRefused("malformed data: URI")
    params = [p.strip() for p in header.split(";")]
    mime = params[0].lower() or "text/plain"
    raw = unquote_to_bytes(payload)
    if "base64" in (p.lower() for p in params[1:]):
        try:
            raw = base64.b64decode(raw, validate=False)
        except ValueError:
            raise ResourceRefused("malformed base64 in data: URI") from None
    return raw, mime


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


__all__ = [
    "Evidence",
    "ReportOptions",
    "SECTIONS",
    "ResourceRefused",
    "templates_dir",
    "render_html",
    "render_pdf",
    "write_report",
    "fetch_resource",
    "safe_url_fetcher",
    "import_weasyprint",
]
