"""Stage 7: the compliance report, as one self-contained HTML file or a PDF.

`render_html` fills the jinja2 template `templates/report.html.j2` (autoescaped: everything read
off a board is untrusted text) with a view of the `Board` prepared here, so the template only lays
things out. The stylesheet is inlined and pictures are `data:` URIs, so the HTML file can be
mailed on its own. `render_pdf` lays the same HTML out with WeasyPrint; its URL fetcher serves
only `data:` URIs and files inside the templates folder and refuses everything else, so nothing
in a board (or a hand-edited board JSON) can make the renderer read a local file or the network.
"""

from __future__ import annotations

import base64
import logging
import math
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

import jinja2
import numpy as np

import boardsnap
from boardsnap.config import ReportConfig
from boardsnap.document import Action, Board, Metric, RootCause
from boardsnap.errors import BoardSnapError, MissingDependency
from boardsnap.fileio import atomic_open

if TYPE_CHECKING:
    from boardsnap.history import HistoryContext

log = logging.getLogger(__name__)

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"
FORMATS = ("html", "pdf")

PANGO_APT = "sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
WEASYPRINT_PIP = "pip install 'weasyprint>=60'"

STATUS_LABELS = {"met": "Met", "near_miss": "Near miss", "breach": "Breach", "unknown": "Unknown"}
# A symbol beside every status word: the status never rests on colour alone.
STATUS_ICONS = {"met": "\u2713", "near_miss": "\u25b2", "breach": "\u2717", "unknown": "?"}
ACTION_STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done"}
OP_SYMBOLS = {"<": "<", "<=": "\u2264", ">": ">", ">=": "\u2265"}
PAGE_SIZES = {"A4": "A4", "Letter": "letter"}

CROP_PAD = 6  # pixels around a needs-review row's cells
CROP_MAX_WIDTH = 1000  # pixels; wider crops are scaled down
BOARD_MAX_SIDE = 1600  # pixels; the appendix picture's long side at most


@dataclass(frozen=True, eq=False)
class Evidence:
    """Pictures that back the report: the rectified board (BGR), from which the rows that need
    review are cropped with `Metric.cell_boxes`."""

    board_image: np.ndarray | None = None


class ResourceRefused(ValueError):
    """The report renderer asked for something other than a data: URI or a template file."""


# ---- locating the templates ------------------------------------------------------------------


def templates_dir() -> Path:
    """`boardsnap/templates` inside an installed wheel, else the repository's `templates/`."""
    packaged = Path(boardsnap.__file__).resolve().parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(boardsnap.__file__).resolve().parent.parent / "templates"


def _environment() -> jinja2.Environment:
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
    *,
    history: HistoryContext | None = None,
) -> str:
    """The report as one self-contained HTML document (stylesheet inline, pictures as data:).
    With `history` (earlier reviews of the service) it adds templates/_history.html.j2."""
    template = _environment().get_template(TEMPLATE)
    return template.render(**_view(board, cfg, evidence), history=_history_view(history))


def _history_view(history: HistoryContext | None) -> dict[str, Any] | None:
    if history is None:
        return None
    from boardsnap import history_view

    return history_view.build(history)


def render_pdf(
    board: Board,
    cfg: ReportConfig,
    evidence: Evidence | None = None,
    *,
    history: HistoryContext | None = None,
) -> bytes:
    """The report as PDF bytes, laid out by WeasyPrint from the same HTML."""
    weasyprint = import_weasyprint()
    html = render_html(board, cfg, evidence, history=history)
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
    *,
    history: HistoryContext | None = None,
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
            handle.write(render_pdf(board, cfg, evidence, history=history))
    else:
        with atomic_open(path, text=True) as handle:
            handle.write(render_html(board, cfg, evidence, history=history))
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


# ---- the view the template lays out ------------------------------------------------------------


@dataclass
class _MetricView:
    name: str
    status: str
    label: str
    icon: str
    target_text: str
    target_read: str
    actual_text: str
    actual_read: str
    budget: str
    bar_width: int
    mark: str | None
    mark_icon: str | None
    mark_differs: bool
    needs_review: bool
    reasons: list[str]
    crop: str | None
    root_causes: list[str] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)


def _view(board: Board, cfg: ReportConfig, evidence: Evidence | None) -> dict[str, Any]:
    image = evidence.board_image if evidence is not None else None
    if image is not None and (not isinstance(image, np.ndarray) or image.size == 0):
        image = None

    metrics = [_metric_view(m, image) for m in board.metrics]
    by_name = {_key(m.name): v for m, v in zip(board.metrics, metrics, strict=True)}

    actions = [_action_view(a) for a in board.actions]
    for action, view in zip(board.actions, actions, strict=True):
        owner_view = by_name.get(_key(action.metric))
        if owner_view is not None:
            owner_view.actions.append(view)

    general_causes: list[RootCause] = []
    for cause in board.root_causes:
        owner_view = by_name.get(_key(cause.metric))
        if owner_view is not None:
            owner_view.root_causes.append(cause.text)
        else:
            general_causes.append(cause)

    counts = board.counts()
    summary_parts = [(s, f"{counts.get(s, 0)} {STATUS_LABELS[s].lower()}") for s in STATUS_LABELS]
    summary = " \u00b7 ".join(text for _, text in summary_parts)
    # Breaches first, near misses beside them: both are shown, never folded away.
    attention = [v for v in metrics if v.status == "breach"] + [
        v for v in metrics if v.status == "near_miss"
    ]
    other_causes = [v for v in metrics if v.status not in ("breach", "near_miss") and v.root_causes]
    review_metrics = [v for v in metrics if v.needs_review]
    review_actions = [v for v in actions if v["needs_review"]]

    title = board.title or (f"{board.service} SLA review" if board.service else "SLA review")
    return {
        "title": title,
        "service": board.service or "not given",
        "review_date": board.review_date or "not given",
        "source": board.source or "unknown",
        "version": _version(),
        "page_size": PAGE_SIZES.get(cfg.paper, "A4"),
        "counts": counts,
        "summary": summary,
        "summary_parts": summary_parts,
        "status_labels": STATUS_LABELS,
        "status_icons": STATUS_ICONS,
        "metrics": metrics,
        "attention": attention,
        "other_causes": other_causes,
        "general_causes": general_causes,
        "actions": actions,
        "review_metrics": review_metrics,
        "review_actions": review_actions,
        "review_count": len(review_metrics) + len(review_actions),
        "warnings": list(board.warnings),
        "board_picture": _png_uri(_fit(image, BOARD_MAX_SIDE)) if image is not None else None,
    }


def _metric_view(m: Metric, image: np.ndarray | None) -> _MetricView:
    used = m.budget_used
    if used is None or not math.isfinite(used):
        budget, width = "n/a", 0
    else:
        pct = used * 100
        budget = "<1%" if 0 < pct < 1 else f"{pct:.0f}%"
        width = int(round(min(max(used, 0.0), 1.0) * 100))
    reasons = list(m.review_reasons)
    if m.needs_review and not reasons:
        reasons = [f"flagged for review (read with {m.confidence:.0%} confidence)"]
    mark = m.board_mark
    return _MetricView(
        name=m.name,
        status=m.status,
        label=STATUS_LABELS.get(m.status, m.status),
        icon=STATUS_ICONS.get(m.status, "?"),
        target_text=m.target.text or "(blank)",
        target_read=_read_target(m),
        actual_text=m.actual.text or "(blank)",
        actual_read=_quantity(m.actual.value, m.actual.unit) or "unreadable",
        budget=budget,
        bar_width=width,
        mark=STATUS_LABELS.get(mark, mark) if mark else None,
        mark_icon=STATUS_ICONS.get(mark) if mark else None,
        mark_differs=bool(mark) and mark != m.status,
        needs_review=m.needs_review,
        reasons=reasons,
        crop=_row_crop(image, m.cell_boxes) if (m.needs_review and image is not None) else None,
    )


def _action_view(a: Action) -> dict[str, Any]:
    return {
        "text": a.text,
        "metric": a.metric,
        "owner": a.owner or None,
        "due": a.due or None,
        "status": ACTION_STATUS_LABELS.get(a.status, a.status),
        "done": a.status == "done",
        "needs_review": a.needs_review,
    }


def _read_target(m: Metric) -> str:
    amount = _quantity(m.target.value, m.target.unit)
    if amount is None:
        return "unreadable"
    if m.target.op is None:
        return f"{amount} (direction unknown)"
    return f"{OP_SYMBOLS.get(m.target.op, m.target.op)} {amount}"


def _quantity(value: float | None, unit: str | None) -> str | None:
    if value is None:
        return None
    number = _number(value)
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _key(name: str | None) -> str:
    return " ".join((name or "").lower().split())


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("boardsnap")
    except Exception:  # not installed (running from a checkout)
        return "dev"


# ---- pictures --------------------------------------------------------------------------------


def _row_crop(image: np.ndarray, boxes: tuple[tuple[int, int, int, int], ...]) -> str | None:
    """The union of a row's cell boxes, padded and clipped to the image, as a PNG data: URI."""
    valid = [b for b in boxes if len(b) == 4 and b[2] > 0 and b[3] > 0]
    if not valid:
        return None
    height, width = image.shape[:2]
    x0 = max(0, min(b[0] for b in valid) - CROP_PAD)
    y0 = max(0, min(b[1] for b in valid) - CROP_PAD)
    x1 = min(width, max(b[0] + b[2] for b in valid) + CROP_PAD)
    y1 = min(height, max(b[1] + b[3] for b in valid) + CROP_PAD)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    crop = image[y0:y1, x0:x1]
    if crop.shape[1] > CROP_MAX_WIDTH:
        crop = _scaled(crop, CROP_MAX_WIDTH / crop.shape[1])
    return _png_uri(crop)


def _fit(image: np.ndarray, max_side: int) -> np.ndarray:
    long_side = max(image.shape[:2])
    return _scaled(image, max_side / long_side) if long_side > max_side else image


def _scaled(image: np.ndarray, factor: float) -> np.ndarray:
    import cv2

    height, width = image.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _png_uri(image: np.ndarray) -> str | None:
    import cv2

    picture = image
    if picture.dtype != np.uint8:
        picture = np.clip(picture, 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(picture))
    if not ok:
        log.warning("could not encode a report picture as PNG; leaving it out")
        return None
    return "data:image/png;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")


__all__ = [
    "Evidence",
    "ResourceRefused",
    "templates_dir",
    "render_html",
    "render_pdf",
    "write_report",
    "fetch_resource",
    "safe_url_fetcher",
    "import_weasyprint",
]
