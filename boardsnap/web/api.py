"""The JSON API, for scripts and for the snap page's progress bar. Described by the OpenAPI
schema at /api/openapi.json. Errors are `{"detail": "one line"}` with a fitting status."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from boardsnap.document import Board
from boardsnap.web import security
from boardsnap.web.context import web_of
from boardsnap.web.pages import QUERY_MAX, review_rows
from boardsnap.web.service import report_filename

BOARD_DOC = (
    "A board document (docs/board.md, schema boardsnap.board/1); every row is judged again "
    "from its values, a status_override with its reason is kept."
)
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or wrong token"},
    403: {"description": "No CSRF proof (send an Authorization header or X-CSRF-Token)"},
    404: {"description": "No such upload or action"},
    413: {"description": "The photo is larger than the upload limit"},
    415: {"description": "The file is not a photo"},
    422: {"description": "Unreadable photo, too many pixels, no SLA table, or a bad document"},
    503: {"description": "Too many photos waiting; retry after Retry-After seconds"},
}


async def csrf_proof(request: Request) -> None:
    """State-changing calls need a proof that no other site's page made them: an Authorization
    header (scripts; checked against the token by the middleware) or the double-submit token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.state.bearer:
        return
    if security.csrf_ok(request.state.csrf, request.headers.get(security.CSRF_HEADER)):
        return
    raise HTTPException(403, "missing CSRF proof: send Authorization: Bearer TOKEN or X-CSRF-Token")


router = APIRouter(prefix="/api", dependencies=[Depends(csrf_proof)], responses=ERRORS)


class Upload(BaseModel):
    id: str = Field(description="The upload's id (use it in the other /api/boards calls)")
    board: dict[str, Any] = Field(description=BOARD_DOC)
    check_url: str = Field(description="The check page of this upload")
    seconds: float = Field(description="Time spent reading the photo")


class Published(BaseModel):
    review_id: int
    created: bool = Field(description="False when the same photo or document was saved before")
    pdf_url: str
    html_url: str
    actions: list[dict[str, Any]] = Field(description="The review's actions, with their ids")


class StatusChange(BaseModel):
    status: Literal["open", "in_progress", "done"]
    note: str = Field("", max_length=500)


class ReviewMatch(BaseModel):
    field: Literal["service", "metric", "action", "owner"]
    text: str = Field(description="The text as saved with the review")


class ReviewItem(BaseModel):
    id: int = Field(description="The review's id in the history")
    service: str
    review_date: str | None = Field(
        description="The review's date (YYYY-MM-DD), if the board had one"
    )
    title: str | None
    source: str = Field(description="The photo's (or document's) name as it was saved")
    saved_at: str = Field(description="When the review was saved (ISO 8601, UTC)")
    met: int = Field(description="Metric rows met")
    near_miss: int = Field(description="Metric rows nearly missed")
    breach: int = Field(description="Metric rows breached")
    unknown: int = Field(description="Metric rows that could not be judged")
    actions: int = Field(description="Actions the review lists")
    published: bool = Field(
        description="False when the review was saved from the command line (no report here)"
    )
    pdf_url: str | None
    html_url: str | None
    photo_url: str | None = Field(description="The photo as uploaded to the web app")
    matches: list[ReviewMatch] = Field(description="What the search `q` matched in the review")


def _record(record: Any) -> dict[str, Any]:
    fields = ("id", "service", "review_id", "review_date", "metric", "text", "owner", "due")
    out = {name: getattr(record, name, None) for name in fields}
    for name in ("status", "overdue", "updated_at", "note"):
        out[name] = getattr(record, name, None)
    return {
        k: (str(v) if k in ("due", "review_date", "updated_at") and v else v)
        for k, v in out.items()
    }


def _board_of(request: Request, draft_id: str):
    draft = web_of(request).drafts.get(draft_id)
    if draft is None or not draft.has_board:
        raise HTTPException(404, "no such upload")
    return draft


@router.post("/boards", status_code=201, response_model=Upload, summary="Read a photo")
async def upload(
    request: Request, photo: Annotated[UploadFile, File(description="The board photo")]
) -> Any:
    """Store the photo, read its board on a worker thread, and return the board document."""
    web = web_of(request)
    draft = web.store_upload(await photo.read(web.cfg.web.max_upload_bytes + 1), photo.filename)
    await photo.close()  # the photo is on disk now: hold no copy while it waits for a worker
    seconds = await web.read_draft(draft)
    return Upload(
        id=draft.id,
        board=draft.board().to_dict(),
        check_url=f"/check/{draft.id}",
        seconds=round(seconds, 3),
    )


@router.get("/boards/{draft_id}", summary="The board document of an upload")
async def get_board(request: Request, draft_id: str) -> dict[str, Any]:
    return _board_of(request, draft_id).board().to_dict()


@router.put("/boards/{draft_id}", summary="Replace an upload's document with a corrected one")
async def put_board(
    request: Request,
    draft_id: str,
    document: Annotated[dict[str, Any], Body(description=BOARD_DOC)],
) -> dict[str, Any]:
    """The document is judged again (statuses and budgets follow the corrected values)."""
    web = web_of(request)
    draft = _board_of(request, draft_id)
    board = web.rejudge(Board.from_dict(document))
    draft.save_board(board)
    return board.to_dict()


@router.post("/boards/{draft_id}/publish", response_model=Published, summary="Publish a review")
async def publish(request: Request, draft_id: str) -> Any:
    """Render the PDF and HTML reports and save the review to the history."""
    web = web_of(request)
    draft = _board_of(request, draft_id)
    result = await web.publish(draft)
    return Published(
        review_id=result.review_id,
        created=result.created,
        pdf_url=f"/drafts/{draft.id}/report.pdf",
        html_url=f"/drafts/{draft.id}/report.html",
        actions=[_record(a) for a in result.actions],
    )


@router.post(
    "/report",
    summary="Render the report of a board document",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
)
async def report(
    request: Request,
    document: Annotated[dict[str, Any], Body(description=BOARD_DOC)],
    format: Annotated[Literal["pdf", "html"], Query()] = "pdf",
    audience: Annotated[
        Literal["internal", "customer"] | None,
        Query(
            description="customer: no owners' names, review crops or raw OCR text "
            "[default: the server's, `serve --audience` or [report] audience]"
        ),
    ] = None,
) -> Response:
    """With earlier reviews of the document's service in the history, the report says what
    changed since the previous one."""
    web = web_of(request)
    board = web.rejudge(Board.from_dict(document))
    history = await web.history_of(board)
    data = await web.render(board, format, audience=audience, history=history)
    if format == "pdf":
        disposition = f'attachment; filename="{report_filename(board, "pdf")}"'
        return Response(
            data, media_type="application/pdf", headers={"Content-Disposition": disposition}
        )
    return Response(
        data,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": security.REPORT_CSP},
    )


@router.get("/services", summary="Services with reviews in the history")
async def services(request: Request) -> list[str]:
    return await web_of(request).store.services()


@router.get("/actions", summary="Actions of the reviews in the history")
async def actions(
    request: Request,
    service: Annotated[str | None, Query()] = None,
    open_only: Annotated[bool, Query(description="Leave out done actions")] = False,
) -> list[dict[str, Any]]:
    records = await web_of(request).store.actions(service)
    return [_record(a) for a in records if not (open_only and a.status == "done")]


@router.get(
    "/reviews",
    response_model=list[ReviewItem],
    summary="Saved reviews, by service and newest first, with their verdict counts and reports",
)
async def reviews(
    request: Request,
    q: Annotated[
        str | None,
        Query(
            max_length=QUERY_MAX,
            description="Keep the reviews in which every word occurs in the service, a metric's "
            "name, an action's text or its owner (case and accents ignored)",
        ),
    ] = None,
    service: Annotated[str | None, Query(description="Only this service's reviews")] = None,
) -> Any:
    """The list the /reviews page shows (and /reviews.csv downloads)."""
    return [row.to_dict() for row in await review_rows(web_of(request), q, service)]


@router.post("/actions/{action_id}/status", summary="Change an action's status")
async def action_status(request: Request, action_id: int, change: StatusChange) -> dict[str, Any]:
    """Appends to the action's audit trail in the history."""
    try:
        record = await web_of(request).store.set_action_status(
            action_id, change.status, change.note
        )
    except (KeyError, LookupError) as exc:
        raise HTTPException(404, "no such action") from exc
    return _record(record)


__all__ = ["router"]
