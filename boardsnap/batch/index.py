"""OUTDIR/index.html, summary.csv and failed.txt: every photo the batch manifest knows.

index.html is one self-contained page (jinja2 template `templates/batch-index.html.j2`,
autoescaped: services, names and reasons come from photos). Its rows arrive in a useful order
(failures first, then the worst breaches), and a small inline script sorts by any column and
filters by status or text. The page's Content-Security-Policy allows that script and that
stylesheet only, by their sha256, and nothing else: no other script, no fetch, no images.

summary.csv has the same rows for a spreadsheet; text cells that a spreadsheet would take for a
formula (starting with = + - @) are prefixed with an apostrophe. failed.txt lists each photo
that gave no report, with the reason, one a line.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import math
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import boardsnap
from boardsnap.batch.jobs import printable
from boardsnap.fileio import atomic_write_text
from boardsnap.report.render import environment
from boardsnap.report.view import STATUS_ICONS, STATUS_LABELS

INDEX = "index.html"
SUMMARY = "summary.csv"
FAILED = "failed.txt"
TEMPLATE = "batch-index.html.j2"
SCRIPT = "batch-index.js"
STYLESHEET = "batch-index.css"

OUTCOME_LABELS = {"ok": "Report", "no_table": "No table", "failed": "Failed"}
CSV_COLUMNS = (
    "photo",
    "status",
    "reason",
    "exit_code",
    "service",
    "review_date",
    "metrics",
    "met",
    "near_miss",
    "breach",
    "unknown",
    "needs_review",
    "worst_breach",
    "report",
    "sha256",
    "converted_at",
)
_ORDER = {"failed": 0, "no_table": 1, "ok": 2}


def ordered(rows: list[dict]) -> list[dict]:
    """Failures first, then photos without a table, then reports by breaches, worst first."""
    return sorted(
        rows,
        key=lambda r: (
            _ORDER.get(r["status"], 3),
            -(r.get("breach") or 0),
            -(r.get("worst_budget") or 0.0),
            r["display"],
        ),
    )


def write_all(outdir: Path, rows: list[dict]) -> None:
    rows = ordered(rows)
    atomic_write_text(outdir / INDEX, render_index(rows, outdir))
    atomic_write_text(outdir / SUMMARY, render_csv(rows, outdir))
    atomic_write_text(outdir / FAILED, render_failed(rows))


def report_link(row: dict, outdir: Path) -> str | None:
    """The report's URL relative to OUTDIR, when there is a report."""
    # a photo whose history save failed has its report (and its board recorded) all the same
    written = row["status"] == "ok" or (row["status"] == "failed" and row.get("board"))
    if not written or not (outdir / row["output"]).is_file():
        return None
    return "/".join(quote(part) for part in PurePosixPath(row["output"]).parts)


def budget_text(used: float | None) -> str:
    """The worst breach's budget used, as the index shows it: never "inf%" (a target of 0)."""
    if not used:
        return ""
    if not math.isfinite(used) or used > 9.99:
        return "over 999%"
    return f"{used * 100:.0f}%"


def render_index(rows: list[dict], outdir: Path) -> str:
    env = environment()
    script = (Path(env.loader.searchpath[0]) / SCRIPT).read_text(encoding="utf-8")
    style = (Path(env.loader.searchpath[0]) / STYLESHEET).read_text(encoding="utf-8")
    photos = {s: sum(r["status"] == s for r in rows) for s in OUTCOME_LABELS}
    metrics = {s: sum(r.get(s) or 0 for r in rows) for s in STATUS_LABELS}
    view = [
        {
            **r,
            "outcome": OUTCOME_LABELS.get(r["status"], r["status"]),
            "href": report_link(r, outdir),
            "budget": budget_text(r.get("worst_budget")),
        }
        for r in rows
    ]
    return env.get_template(TEMPLATE).render(
        rows=view,
        photos=photos,
        metrics=metrics,
        outcome_labels=OUTCOME_LABELS,
        status_labels=STATUS_LABELS,
        status_icons=STATUS_ICONS,
        script=script,
        style=style,
        csp=_csp(script, style),
        version=boardsnap.__version__,
        written=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def _csp(script: str, style: str) -> str:
    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    return (
        f"default-src 'none'; script-src {digest(script)}; style-src {digest(style)}; "
        "base-uri 'none'; form-action 'none'"
    )


def render_csv(rows: list[dict], outdir: Path) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        values = {
            **r,
            "photo": r["display"],
            "report": r["output"] if report_link(r, outdir) else "",
        }
        writer.writerow([_cell(values.get(c)) for c in CSV_COLUMNS])
    return buf.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    text = printable(str(value))
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def render_failed(rows: list[dict]) -> str:
    return "".join(
        f"{printable(r['display'])}\t{r['status']}\t{printable(r['reason'] or '')}\n"
        for r in rows
        if r["status"] != "ok"
    )
