"""The pages: snap, check, published, actions, reviews, login. Every form works without
JavaScript; `static/snap.js` only adds upload progress. Every state-changing form carries the
CSRF token."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from itertools import groupby
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from boardsnap.document import ACTION_STATUSES, CANONICAL_UNITS, OPS, STATUSES, Board
from boardsnap.errors import BoardSnapError
from boardsnap.history.store import ReviewSummary, document_sha256, normalise_key
from boardsnap.report.export import csv_cell
from boardsnap.report.view import crop_region
from boardsnap.web import security
from boardsnap.web.context import render, web_of, web_templates_dir
from boardsnap.web.drafts import Draft, Drafts
from boardsnap.web.forms import apply_form
from boardsnap.web.service import WebApp, report_filename

router = APIRouter(include_in_schema=False)

STATIC = {"web.css": "text/css", "snap.js": "text/javascript"}
CROP_PAD = 8  # pixels around a row's cells (an action's line) on the crop beside it
TREND_REVIEWS = 6  # reviews shown in the trend table
QUERY_MAX = 200  # characters of a search kept
# the stored upload's suffix (from its first bytes, drafts.photo_suffix) -> its media type
PHOTO_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".heic": "image/heic",
}


def _draft(request: Request, draft_id: str) -> Draft:
    draft = web_of(request).drafts.get(draft_id)
    if draft is None or not draft.has_board:
        raise HTTPException(404, "no such upload")
    return draft


async def _form(request: Request) -> dict[str, str]:
    """The posted form as strings, after its CSRF token is checked."""
    cfg = web_of(request).cfg.web
    form = await request.form(max_files=1, max_fields=cfg.max_form_fields)
    given = form.get(security.CSRF_FIELD)
    if not security.csrf_ok(request.state.csrf, given if isinstance(given, str) else None):
        raise HTTPException(403, "the form is stale or came from another site; reload the page")
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


def _service_url(service: str | None) -> str:
    return "/actions?service=" + quote(service or "unknown service", safe="")


# ---- snap ------------------------------------------------------------------------------------


async def snap_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    web = web_of(request)
    return render(
        request,
        "snap.html.j2",
        status=status,
        error=error,
        recent=web.drafts.recent(),
        services=await web.store.services(),
    )


@router.get("/")
async def home(request: Request) -> Response:
    return await snap_page(request)


@router.post("/snap")
async def snap(request: Request) -> Response:
    web = web_of(request)
    if getattr(request.state, "too_large", False):
        message = security.too_large_message(web.cfg.web.max_upload_bytes)
        return await snap_page(request, error=message, status=413)
    form = await request.form(max_files=1, max_fields=10)
    given = form.get(security.CSRF_FIELD)
    if not security.csrf_ok(request.state.csrf, given if isinstance(given, str) else None):
        return await snap_page(
            request, error="the page was stale; choose the photo again", status=403
        )
    upload = form.get("photo")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return await snap_page(request, error="choose or take a photo first", status=400)
    draft = web.store_upload(await upload.read(web.cfg.web.max_upload_bytes + 1), upload.filename)
    await upload.close()  # the photo is on disk now: hold no copy while it waits for a worker
    await web.read_draft(draft)
    return RedirectResponse(f"/check/{draft.id}", status_code=303)


# ---- check -----------------------------------------------------------------------------------


def _check_view(draft: Draft, board: Board) -> dict[str, Any]:
    rows = []
    for i, m in enumerate(board.metrics):
        rows.append(
            {
                "i": i,
                "m": m,
                "crop": f"/drafts/{draft.id}/crop/{i}.png" if m.cell_boxes else None,
            }
        )
    return {
        "draft": draft,
        "board": board,
        "rows": rows,
        "ops": OPS,
        "units": CANONICAL_UNITS,
        "action_statuses": ACTION_STATUSES,
        "metric_names": [m.name for m in board.metrics],
        # the line of each action that needs review, as photographed
        "action_crops": [
            f"/drafts/{draft.id}/action-crop/{i}.png" if a.needs_review and a.line_box else None
            for i, a in enumerate(board.actions)
        ],
        "review_count": sum(m.needs_review for m in board.metrics)
        + sum(a.needs_review for a in board.actions),
        "meta": draft.meta(),
    }


@router.get("/check/{draft_id}")
async def check(request: Request, draft_id: str) -> Response:
    draft = _draft(request, draft_id)
    saved = request.query_params.get("saved") == "1"
    return render(
        request, "check.html.j2", saved=saved, errors=(), **_check_view(draft, draft.board())
    )


@router.post("/check/{draft_id}")
async def check_save(request: Request, draft_id: str) -> Response:
    web = web_of(request)
    draft = _draft(request, draft_id)
    form = await _form(request)
    applied = apply_form(draft.board(), form, web.cfg.judge)
    draft.save_board(applied.board)
    if applied.errors:
        view = _check_view(draft, applied.board)
        return render(
            request, "check.html.j2", status=422, saved=False, errors=applied.errors, **view
        )
    if form.get("do") == "publish":
        await web.publish(draft)
        return RedirectResponse(f"/published/{draft.id}", status_code=303)
    return RedirectResponse(f"/check/{draft.id}?saved=1#top", status_code=303)


@router.get("/drafts/{draft_id}/board.png")
async def board_png(request: Request, draft_id: str) -> Response:
    draft = _draft(request, draft_id)
    return FileResponse(draft.board_png, media_type="image/png")


@router.get("/drafts/{draft_id}/crop/{row}.png")
async def crop_png(request: Request, draft_id: str, row: int) -> Response:
    """A metric row's cells as photographed."""
    draft = _draft(request, draft_id)
    metrics = draft.board().metrics
    if not 0 <= row < len(metrics) or not metrics[row].cell_boxes:
        raise HTTPException(404, "no such row")
    return _crop_png(draft, metrics[row].cell_boxes, "row")


@router.get("/drafts/{draft_id}/action-crop/{index}.png")
async def action_crop_png(request: Request, draft_id: str, index: int) -> Response:
    """An action's line as photographed."""
    draft = _draft(request, draft_id)
    actions = draft.board().actions
    if not 0 <= index < len(actions) or actions[index].line_box is None:
        raise HTTPException(404, "no such action line")
    return _crop_png(draft, [actions[index].line_box], "action")


def _crop_png(draft: Draft, boxes: Any, what: str) -> Response:
    import cv2

    image = cv2.imread(str(draft.board_png), cv2.IMREAD_COLOR)
    if image is None:
        raise HTTPException(404, "no board picture")
    crop = crop_region(image, boxes, CROP_PAD)
    if crop is None:
        raise HTTPException(404, f"the {what} is outside the picture")
    ok, png = cv2.imencode(".png", crop)
    return Response(png.tobytes(), media_type="image/png")


# ---- published -------------------------------------------------------------------------------


@router.get("/published/{draft_id}")
async def published(request: Request, draft_id: str) -> Response:
    web = web_of(request)
    draft = _draft(request, draft_id)
    meta = draft.meta()
    if not meta.get("published"):
        return RedirectResponse(f"/check/{draft.id}", status_code=303)
    board = draft.board()
    review_id = meta["published"]["review_id"]
    actions = await web.review_actions(board, review_id)
    return render(
        request,
        "published.html.j2",
        draft=draft,
        board=board,
        review_id=review_id,
        created=meta["published"]["created"],
        actions=actions,
        service_url=_service_url(board.service),
    )


@router.get("/drafts/{draft_id}/report.{fmt}")
async def report_file(request: Request, draft_id: str, fmt: str) -> Response:
    draft = _draft(request, draft_id)
    path = draft.report(fmt) if fmt in ("pdf", "html") else None
    if path is None or not path.is_file():
        raise HTTPException(404, "not published yet")
    if fmt == "pdf":
        name = report_filename(draft.board(), "pdf")
        return FileResponse(path, media_type="application/pdf", filename=name)
    return FileResponse(
        path,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": security.REPORT_CSP},
    )


# ---- actions ---------------------------------------------------------------------------------


def _trend(reviews: list) -> dict[str, Any]:
    recent = reviews[-TREND_REVIEWS:]
    names: list[str] = []
    for review in reversed(recent):
        for name, _, _ in review.metrics:
            if name not in names:
                names.append(name)
    table = []
    for name in names:
        cells = []
        for review in recent:
            found = [(s, a) for n, s, a in review.metrics if n == name]
            cells.append(found[0] if found else None)
        table.append((name, cells))
    return {"reviews": recent, "rows": table}


@router.get("/actions")
async def actions_page(request: Request) -> Response:
    web = web_of(request)
    service = request.query_params.get("service")
    services = await web.store.services()
    if not service:
        return render(request, "services.html.j2", services=services, service_url=_service_url)
    actions = await web.store.actions(service)
    reviews = await web.store.reviews(service)
    return render(
        request,
        "actions.html.j2",
        service=service,
        open_actions=[a for a in actions if a.status != "done"],
        done_actions=[a for a in actions if a.status == "done"],
        action_statuses=ACTION_STATUSES,
        trend=_trend(reviews),
        here=_service_url(service),
        updated=request.query_params.get("updated"),
    )


@router.post("/actions/{action_id}/status")
async def action_status(request: Request, action_id: int) -> Response:
    web = web_of(request)
    form = await _form(request)
    status = form.get("status", "")
    if status not in ACTION_STATUSES:
        raise HTTPException(400, "status must be open, in_progress or done")
    try:
        record = await web.store.set_action_status(action_id, status, form.get("note", "")[:500])
    except (KeyError, LookupError) as exc:
        raise HTTPException(404, "no such action") from exc
    back = (
        security.safe_next(form.get("next")) if form.get("next") else _service_url(record.service)
    )
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}updated={record.id}#action-{record.id}", status_code=303)


# ---- reviews ---------------------------------------------------------------------------------

REVIEW_FIELDS = (
    "id",
    "service",
    "review_date",
    "title",
    "source",
    "saved_at",
    *STATUSES,
    "actions",
    "published",
    "pdf_url",
    "html_url",
    "photo_url",
    "matches",
)


@dataclass(frozen=True)
class ReviewRow:
    """A saved review in the list, with the upload the web app published it from, if any."""

    summary: ReviewSummary
    draft: Draft | None  # None: saved from the command line (or another server), no report here

    def url(self, what: str) -> str | None:
        if self.draft is None:
            return None
        if what == "photo":
            return f"/drafts/{self.draft.id}/photo"
        return f"/drafts/{self.draft.id}/report.{what}"

    def to_dict(self) -> dict[str, Any]:
        s = self.summary
        return {
            "id": s.id,
            "service": s.service,
            "review_date": s.review_date,
            "title": s.title,
            "source": s.source,
            "saved_at": s.saved_at,
            **s.counts,
            "actions": s.actions,
            "published": self.draft is not None,
            "pdf_url": self.url("pdf"),
            "html_url": self.url("html"),
            "photo_url": self.url("photo"),
            "matches": [{"field": kind, "text": text} for kind, text in s.matches],
        }


def published_drafts(drafts: Drafts) -> dict[int, list[tuple[Draft, dict[str, Any]]]]:
    """Review id -> the uploads the web app published as that review, latest publication first.
    Publishing records the review id in the upload's meta.json (`WebApp.publish`)."""
    found: dict[int, list[tuple[Draft, dict[str, Any]]]] = {}
    for folder in drafts.root.iterdir():
        draft = drafts.get(folder.name)
        if draft is None:
            continue
        try:
            meta = draft.meta()
            review_id = int((meta.get("published") or {})["review_id"])
        except (OSError, ValueError, TypeError, KeyError):
            continue
        found.setdefault(review_id, []).append((draft, meta))
    for candidates in found.values():
        candidates.sort(key=lambda pair: pair[1]["published"].get("at") or 0, reverse=True)
    return found


def _report_draft(
    summary: ReviewSummary, candidates: list[tuple[Draft, dict[str, Any]]]
) -> Draft | None:
    """The upload whose reports are this review's. Its photo (or document) must be the review's:
    a review id alone could be another history's (the server started with another --db)."""
    for draft, meta in candidates:
        if not (draft.report("pdf").is_file() and draft.report("html").is_file()):
            continue
        if meta.get("sha256") and meta["sha256"] == summary.photo_sha256:
            return draft
        try:
            if document_sha256(draft.board()) == summary.document_sha256:
                return draft
        except (OSError, BoardSnapError):
            continue
    return None


def _attach_drafts(summaries: list[ReviewSummary], drafts: Drafts) -> list[ReviewRow]:
    published = published_drafts(drafts)
    return [ReviewRow(s, _report_draft(s, published.get(s.id, []))) for s in summaries]


async def review_rows(web: WebApp, query: str | None, service: str | None) -> list[ReviewRow]:
    """The list of reviews (by service, newest first) the page, its CSV and the API show."""
    summaries = await web.store.review_summaries(query, service)
    return await asyncio.to_thread(_attach_drafts, summaries, web.drafts)


def _review_params(request: Request) -> tuple[str, str]:
    query = " ".join(request.query_params.get("q", "").split())[:QUERY_MAX]
    service = request.query_params.get("service", "").strip()[:QUERY_MAX]
    return query, service


def reviews_csv(rows: list[ReviewRow]) -> str:
    """The list as CSV, every cell through `export.csv_cell` (as every CSV BoardSnap writes): a
    text a spreadsheet would take for a formula gets an apostrophe."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(REVIEW_FIELDS)
    for row in rows:
        values = row.to_dict()
        values["matches"] = "; ".join(f"{m['field']}: {m['text']}" for m in values["matches"])
        values["published"] = "yes" if values["published"] else "no"
        writer.writerow([csv_cell(values[name]) for name in REVIEW_FIELDS])
    return buf.getvalue()


@router.get("/reviews")
async def reviews_page(request: Request) -> Response:
    web = web_of(request)
    query, service = _review_params(request)
    rows = await review_rows(web, query, service or None)
    groups = [
        {
            "service": items[0].summary.service,
            "url": _service_url(items[0].summary.service),
            "rows": items,
        }
        for _, group in groupby(rows, key=lambda r: normalise_key(r.summary.service))
        for items in [list(group)]
    ]
    params = {k: v for k, v in (("q", query), ("service", service)) if v}
    return render(
        request,
        "reviews.html.j2",
        query=query,
        service=service,
        groups=groups,
        total=len(rows),
        anything=bool(rows) or bool(await web.store.services()),
        csv_url="/reviews.csv" + ("?" + urlencode(params) if params else ""),
        status_order=STATUSES,
    )


@router.get("/reviews.csv")
async def reviews_csv_file(request: Request) -> Response:
    query, service = _review_params(request)
    rows = await review_rows(web_of(request), query, service or None)
    return Response(
        reviews_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="boardsnap-reviews.csv"'},
    )


@router.get("/drafts/{draft_id}/photo")
async def photo_file(request: Request, draft_id: str) -> Response:
    """The photo as uploaded (its type from its first bytes, never from the client)."""
    draft = _draft(request, draft_id)
    try:
        path = draft.photo
    except FileNotFoundError as exc:
        raise HTTPException(404, "no photo") from exc
    return FileResponse(
        path,
        media_type=PHOTO_TYPES.get(path.suffix, "application/octet-stream"),
        filename=report_filename(draft.board(), path.suffix.lstrip(".")),
        content_disposition_type="inline",
    )


# ---- login and static files ------------------------------------------------------------------


def _login_response(request: Request, target: str) -> Response:
    token = request.app.state.settings.token
    response = RedirectResponse(security.safe_next(target), status_code=303)
    response.set_cookie(
        security.SESSION_COOKIE,
        security.session_value(token),
        httponly=True,
        samesite="lax",
        max_age=7 * 24 * 3600,
    )
    return response


@router.get("/login")
async def login(request: Request) -> Response:
    token = request.app.state.settings.token
    target = request.query_params.get("next", "/")
    if not token:
        return RedirectResponse("/", status_code=303)
    if security.token_ok(request.query_params.get("token"), token):
        return _login_response(request, target)  # a link or QR code with the token in it
    wrong = "token" in request.query_params
    return render(request, "login.html.j2", status=401 if wrong else 200, wrong=wrong, next=target)


@router.post("/login")
async def login_post(request: Request) -> Response:
    token = request.app.state.settings.token
    form = await request.form(max_files=0, max_fields=5)
    target = str(form.get("next") or "/")
    if token and security.token_ok(str(form.get("token") or ""), token):
        return _login_response(request, target)
    return render(request, "login.html.j2", status=401, wrong=True, next=target)


@router.get("/static/{name}")
async def static(name: str) -> Response:
    if name not in STATIC:
        raise HTTPException(404, "no such file")
    return FileResponse(
        web_templates_dir() / "static" / name,
        media_type=STATIC[name],
        headers={"Cache-Control": "max-age=3600"},
    )


__all__ = ["router", "snap_page", "review_rows", "reviews_csv", "ReviewRow"]
