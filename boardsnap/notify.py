"""Webhooks: after the meeting, tell chat, trackers and scripts what the review found.

Two events, each one JSON object with a plain-English `text` (so Slack, Mattermost and Teams
incoming webhooks show it as it is) beside the data a script wants:

- `review.saved`: a review was saved to the history (service, date, counts, every breach and
  near miss with its numbers, the actions with owners and due dates, the report when there is
  one);
- `action.overdue`: the actions past their due date and not done, as of a day.

`deliver` POSTs an event to each URL with a timeout and retries with backoff; with a secret,
the body is signed (HMAC-SHA256, hex, in `X-BoardSnap-Signature-256: sha256=...`, as GitHub
signs its webhooks). It never raises: a delivery that still fails is kept in the outbox folder
and `boardsnap notify resend` sends it again later. A failed delivery never fails or undoes the
save it reports.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boardsnap
from boardsnap.config import NotifyConfig
from boardsnap.document import Board

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-BoardSnap-Signature-256"
EVENT_HEADER = "X-BoardSnap-Event"
DELIVERY_HEADER = "X-BoardSnap-Delivery"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


# ---- events ------------------------------------------------------------------------------------


def review_saved(board: Board, review_id: int | None, report: str | None = None) -> dict[str, Any]:
    """The `review.saved` event of a judged board saved as review `review_id`."""
    from boardsnap.config import ReportConfig
    from boardsnap.report.view import ReportOptions, build_view

    view = build_view(board, ReportConfig(), None, ReportOptions())  # the report's own words
    counts = board.counts()

    def finding(m: Any, v: Any) -> dict[str, Any]:
        return {
            "metric": m.name,
            "status": m.status,
            "target": {"op": m.target.op, "value": m.target.value, "unit": m.target.unit},
            "actual": {"value": m.actual.value, "unit": m.actual.unit},
            "budget_used": m.budget_used,
            "needs_review": m.needs_review,
            "sentence": v.sentence,
        }

    rows = list(zip(board.metrics, view["metrics"], strict=True))  # same order, nothing redacted
    findings = [
        finding(m, v) for status in ("breach", "near_miss") for m, v in rows if m.status == status
    ]
    actions = [
        {
            "text": a.text,
            "owner": a.owner,
            "due": a.due,
            "metric": a.metric,
            "status": a.status,
            "needs_review": a.needs_review,
        }
        for a in board.actions
    ]
    service = board.service or "(no service)"
    lines = [
        f"{service} SLA review {board.review_date or '(undated)'}: {view['verdict']['headline']}"
        f" ({counts['met']} met, {counts['near_miss']} near miss, {counts['breach']} breach"
        + (f", {counts['unknown']} not judged" if counts["unknown"] else "")
        + ")."
    ]
    lines += [f"- {f['status'].replace('_', ' ')}: {f['sentence']}" for f in findings]
    if actions:
        lines.append(f"{len(actions)} action{'s' if len(actions) != 1 else ''}:")
        lines += [f"- {_action_text(a)}" for a in actions]
    if board.needs_review():
        lines.append("Some values were read with doubt and need review.")
    if report:
        lines.append(f"Report: {report}")
    return {
        "event": "review.saved",
        "service": board.service,
        "review_date": board.review_date,
        "review_id": review_id,
        "source": board.source,
        "counts": counts,
        "breaches": [f for f in findings if f["status"] == "breach"],
        "near_misses": [f for f in findings if f["status"] == "near_miss"],
        "actions": actions,
        "report": report,
        "text": "\n".join(lines),
    }


def actions_overdue(records: Sequence[Any], as_of: str) -> dict[str, Any]:
    """The `action.overdue` event: the history's actions (`ActionRecord`s) overdue on `as_of`."""
    actions = [
        {
            "id": r.id,
            "service": r.service,
            "metric": r.metric,
            "text": r.text,
            "owner": r.owner,
            "due": r.due,
            "status": r.status,
        }
        for r in records
    ]
    lines = [f"{len(actions)} action{'s' if len(actions) != 1 else ''} overdue on {as_of}:"]
    lines += [f"- #{a['id']} {a['service']}: {_action_text(a)}" for a in actions]
    return {"event": "action.overdue", "as_of": as_of, "actions": actions, "text": "\n".join(lines)}


def _action_text(a: dict[str, Any]) -> str:
    owner = a.get("owner") or "unassigned"
    due = f"due {a['due']}" if a.get("due") else "no date"
    return f"{a['text']} ({owner}, {due}, {str(a.get('status', 'open')).replace('_', ' ')})"


# ---- delivery ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    url: str
    ok: bool
    attempts: int
    status: int | None = None  # the last HTTP status, when one came back
    error: str | None = None  # why it failed, in a few words
    kept: Path | None = None  # the outbox file of a failed delivery

    def line(self) -> str:
        where = shown_url(self.url)
        if self.ok:
            return f"webhook {where}: delivered ({self.status})"
        kept = (
            f"; kept in {self.kept}, send it again with: boardsnap notify resend"
            if self.kept
            else ""
        )
        return f"webhook {where}: not delivered after {self.attempts} attempts ({self.error}){kept}"


def shown_url(url: str) -> str:
    """A webhook URL as logs show it: scheme and host only (the path is often the secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/..." if parts.path not in ("", "/") else url


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for `body`: `sha256=` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def default_outbox() -> Path:
    """The outbox beside the default history: $XDG_DATA_HOME/boardsnap/outbox."""
    from boardsnap.history.database import default_location

    return default_location().parent / "outbox"


def deliver(
    event: dict[str, Any],
    urls: Iterable[str],
    cfg: NotifyConfig,
    outbox: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """POST `event` to each URL (timeouts, retries with backoff); a delivery that still fails is
    written to `outbox` (default: `default_outbox()`). Never raises; the caller tells the
    person (each `Delivery.line()`)."""
    body = json.dumps(event, ensure_ascii=False).encode("utf-8")
    delivery_id = str(uuid.uuid4())
    results = []
    for url in dict.fromkeys(urls):  # each URL once, in order
        try:
            result = _post(url, body, event.get("event", "event"), delivery_id, cfg, sleep)
        except Exception as exc:  # noqa: BLE001 - a delivery never takes the save down with it
            result = Delivery(url, False, 1, error=f"{type(exc).__name__}: {exc}"[:120])
        if not result.ok:
            kept = _keep(outbox or default_outbox(), url, event, result)
            result = Delivery(result.url, False, result.attempts, result.status, result.error, kept)
        results.append(result)
    return results


def _post(
    url: str,
    body: bytes,
    name: str,
    delivery_id: str,
    cfg: NotifyConfig,
    sleep: Callable[[float], None],
) -> Delivery:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"BoardSnap/{boardsnap.__version__}",
        EVENT_HEADER: name,
        DELIVERY_HEADER: delivery_id,
    }
    if cfg.secret:
        headers[SIGNATURE_HEADER] = sign(body, cfg.secret)
    if urlsplit(url).scheme not in ("http", "https"):
        return Delivery(url, False, 0, error="not an http(s) URL")
    status: int | None = None
    error = "not tried"
    for attempt in range(1, cfg.attempts + 1):
        if attempt > 1:
            sleep(cfg.backoff_seconds * 2 ** (attempt - 2))
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=cfg.timeout_seconds) as response:
                response.read(65536)
                return Delivery(url, True, attempt, response.status)
        except urllib.error.HTTPError as exc:
            status, error = exc.code, f"HTTP {exc.code}"
            if exc.code not in RETRY_STATUSES:
                return Delivery(url, False, attempt, status, error)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            error = "timed out" if isinstance(reason, TimeoutError) else str(reason)[:120]
    return Delivery(url, False, cfg.attempts, status, error)


def _keep(outbox: Path, url: str, event: dict[str, Any], result: Delivery) -> Path | None:
    from boardsnap.errors import OutputError
    from boardsnap.fileio import atomic_write_text, make_folder

    at = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = outbox / f"{at}-{uuid.uuid4().hex[:12]}.json"
    record = {"url": url, "event": event, "error": result.error, "failed_at": at}
    try:
        make_folder(outbox, "webhook outbox", "check the data folder is writable")
        atomic_write_text(path, json.dumps(record, ensure_ascii=False, indent=1))
    except (OutputError, OSError) as exc:
        log.warning("webhook %s: could not keep it in %s (%s)", shown_url(url), outbox, exc)
        return None
    return path


def pending(outbox: Path | None = None) -> list[tuple[Path, dict[str, Any]]]:
    """The deliveries waiting in the outbox, oldest first; unreadable files are skipped."""
    folder = outbox or default_outbox()
    out = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("%s: not a delivery BoardSnap can read; left alone", path)
            continue
        if isinstance(record, dict) and isinstance(record.get("url"), str):
            out.append((path, record))
    return out


def resend(
    cfg: NotifyConfig,
    outbox: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Send every delivery in the outbox again; each one delivered leaves the outbox."""
    results = []
    for path, record in pending(outbox):
        event = record.get("event") or {}
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        name = event.get("event", "event") if isinstance(event, dict) else "event"
        result = _post(record["url"], body, name, str(uuid.uuid4()), cfg, sleep)
        if result.ok:
            path.unlink(missing_ok=True)
        else:
            result = Delivery(result.url, False, result.attempts, result.status, result.error, path)
        results.append(result)
    return results


__all__ = [
    "Delivery",
    "actions_overdue",
    "default_outbox",
    "deliver",
    "pending",
    "resend",
    "review_saved",
    "shown_url",
    "sign",
]
