"""The board in other shapes: CSV and Excel tables (pandas), JSON, and OpenSLO SLO documents.

CSV and XLSX hold the metrics table of `board_to_rows`; the workbook adds a sheet of actions and
one of root causes. `to_openslo` writes one OpenSLO v1 `SLO` document per commitment, as a
multi-document YAML stream a team can carry into sloth, pyrra or Nobl9:

| commitment on the board | indicator | objective |
| --- | --- | --- |
| uptime / availability / success rate >= 99.9 % | ratioMetric good/total | target 0.999 |
| error rate < 0.5 % | ratioMetric bad/total | target 0.995 |
| p95 latency < 200 ms | thresholdMetric | op lt, value 200 (ms), target 0.95 |
| MTTR <= 45 min, throughput >= 500 rps | thresholdMetric | op lte/gte, value, target from config |

The whiteboard records the commitment, not where its numbers come from: each indicator's
metric source is left for the team to fill in (type `unspecified`, an empty query).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Sequence
from typing import Any

from boardsnap.config import ExportConfig
from boardsnap.document import Actual, Board, Metric, Target, board_to_rows
from boardsnap.report.redact import metric_key

log = logging.getLogger(__name__)

FORMATS = ("json", "csv", "xlsx", "openslo")
BINARY_FORMATS = ("xlsx",)
OPENSLO_API = "openslo/v1"
OPENSLO_OPS = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
GOOD_RATIO_WORDS = ("uptime", "up time", "availability", "avail", "success rate", "success")
BAD_RATIO_WORDS = ("error rate", "errors", "error", "5xx rate", "5xx", "failure rate")
PERCENTILE = re.compile(r"\bp(\d{2}(?:\.\d+)?|\d{3})\b")


def export(board: Board, fmt: str, cfg: ExportConfig | None = None) -> str | bytes:
    """The board as `fmt`: text for json, csv and openslo; bytes for xlsx."""
    if fmt == "json":
        return board.to_json()
    if fmt == "csv":
        return to_csv(board)
    if fmt == "xlsx":
        return to_xlsx(board)
    if fmt == "openslo":
        return to_openslo(board, cfg or ExportConfig())
    raise ValueError(f"unknown export format {fmt!r}")


# ---- tables ----------------------------------------------------------------------------------


def to_csv(board: Board) -> str:
    import pandas as pd

    buf = io.StringIO()
    _metrics_frame(board, pd).map(csv_cell).to_csv(buf, index=False)
    return buf.getvalue()


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text that starts like a formula (= + - @, a tab or a
    carriage return) gets a leading apostrophe. Numbers and empty cells are kept as they are."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# The columns Jira's CSV importer maps by name (Summary is the one it needs; Labels repeats, one
# label a column); GitHub has no CSV importer, README's loop feeds the same columns to `gh`.
TRACKER_COLUMNS = (
    "Summary",
    "Description",
    "Assignee",
    "Due date",
    "Labels",
    "Labels",
    "Labels",
    "BoardSnap ID",
)


def tracker_id(action_id: int) -> str:
    """The id an imported issue carries in its text and labels, so a second import can skip it."""
    return f"boardsnap-action-{action_id}"


def actions_to_tracker_csv(records: Sequence[Any]) -> str:
    """History actions (`ActionRecord`s) as a CSV for issue trackers: one issue per action, its
    BoardSnap id in the summary, the description and a label."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(TRACKER_COLUMNS)
    for a in records:
        ident = tracker_id(a.id)
        reviewed = f"the {a.service} SLA review of {a.review_date or 'an undated day'}"
        metric = f", for {a.metric}" if a.metric else ""
        description = (
            f"Remediation action {a.id} from {reviewed}{metric}.\n"
            f"Status in BoardSnap: {a.status.replace('_', ' ')}"
            + (" (overdue)" if a.overdue else "")
            + f"; owner on the board: {a.owner or 'unassigned'}; due {a.due or 'no date'}.\n"
            f"BoardSnap id: {ident} (boardsnap actions show {a.id})"
        )
        row = [
            f"[{ident}] {a.text}",
            description,
            a.owner or "",
            a.due or "",
            "boardsnap",
            ident,
            _slug(a.service) or "no-service",
            ident,
        ]
        writer.writerow([csv_cell(cell) for cell in row])
    return buf.getvalue()


def to_xlsx(board: Board) -> bytes:
    import pandas as pd

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        sheets = {
            "Metrics": _metrics_frame(board, pd),
            "Actions": pd.DataFrame(
                [
                    {
                        "action": a.text,
                        "metric": a.metric,
                        "owner": a.owner,
                        "due": a.due,
                        "status": a.status,
                        "needs_review": a.needs_review,
                    }
                    for a in board.actions
                ],
                columns=["action", "metric", "owner", "due", "status", "needs_review"],
            ),
            "Root causes": pd.DataFrame(
                [{"metric": c.metric, "root_cause": c.text} for c in board.root_causes],
                columns=["metric", "root_cause"],
            ),
        }
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60) + 2
    return buf.getvalue()


def _metrics_frame(board: Board, pd: Any) -> Any:
    rows = board_to_rows(board)
    columns = list(rows[0]) if rows else list(_EMPTY_ROW)
    return pd.DataFrame(rows, columns=columns)


_EMPTY_ROW = board_to_rows(
    Board(source="", metrics=(Metric("", Target(None, None, None, ""), Actual(None, None, "")),))
)[0]


# ---- OpenSLO ---------------------------------------------------------------------------------


def to_openslo(board: Board, cfg: ExportConfig) -> str:
    """One OpenSLO v1 SLO document per commitment that has a comparator and a number."""
    import yaml

    docs = []
    used: set[str] = set()
    service = _slug(board.service or "") or "service"
    for m in board.metrics:
        doc = openslo_document(m, board, service, cfg)
        if doc is None:
            log.warning(
                "%s: %s left out of the OpenSLO export: its target has no comparator or "
                "number (%r)",
                board.source or "board",
                m.name,
                m.target.text,
            )
            continue
        name = doc["metadata"]["name"]
        n = 2
        while name in used:
            suffix = f"-{n}"
            name = doc["metadata"]["name"][: 63 - len(suffix)].rstrip("-") + suffix
            n += 1
        used.add(name)
        doc["metadata"]["name"] = name
        doc["spec"]["indicator"]["metadata"]["name"] = name[:59].rstrip("-") + "-sli"
        docs.append(doc)
    if not docs:
        return ""
    return yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True, width=100)


def openslo_document(
    m: Metric, board: Board, service: str, cfg: ExportConfig
) -> dict[str, Any] | None:
    t = m.target
    if t.op is None or t.value is None:
        return None
    key = f" {metric_key(m.name)} "
    written = t.text or f"{t.op} {t.value:g}{t.unit or ''}"
    percent = t.unit == "%"
    higher = t.op in (">", ">=")
    objective: dict[str, Any] = {"displayName": f"{m.name} {written}".strip()}
    if percent and higher and _has(key, GOOD_RATIO_WORDS) and 0 < t.value < 100:
        indicator = {"ratioMetric": {"counter": True, "good": _source(), "total": _source()}}
        objective["target"] = _fraction(t.value / 100)
        kind = "ratio of good events"
    elif percent and not higher and _has(key, BAD_RATIO_WORDS) and 0 < t.value < 100:
        indicator = {"ratioMetric": {"counter": True, "bad": _source(), "total": _source()}}
        objective["target"] = _fraction(1 - t.value / 100)
        kind = "ratio of bad events"
    else:
        indicator = {"thresholdMetric": _source()}
        objective["op"] = OPENSLO_OPS[t.op]
        objective["value"] = float(t.value)
        percentile = PERCENTILE.search(m.name.lower())
        if percentile:
            digits = percentile.group(1)
            short = len(digits) == 2 or "." in digits
            share = float(digits) / 100 if short else float("0." + digits)
            objective["target"] = _fraction(share)
            kind = f"threshold, {percentile.group(0)}: share of events within the value"
        else:
            objective["target"] = cfg.openslo_threshold_target
            kind = (
                "threshold without a percentile: the target is BoardSnap's "
                "[export] openslo_threshold_target"
            )
    description = (
        f"{m.name} {written} for {board.service or 'the service'}, as written on the SLA "
        f"review board{f' of {board.review_date}' if board.review_date else ''}"
        f"{f' (unit: {t.unit})' if t.unit else ''}. Fill in the metric source."
    )
    annotations = {
        "boardsnap.dev/source": board.source or "",
        "boardsnap.dev/target-text": written,
        "boardsnap.dev/mapping": kind,
        "boardsnap.dev/last-status": m.status,
    }
    if t.unit:
        annotations["boardsnap.dev/unit"] = t.unit
    if board.review_date:
        annotations["boardsnap.dev/review-date"] = board.review_date
    if m.needs_review:
        annotations["boardsnap.dev/needs-review"] = "true"
    name = _slug(f"{service}-{m.name}")[:63].rstrip("-") or "slo"
    return {
        "apiVersion": OPENSLO_API,
        "kind": "SLO",
        "metadata": {"name": name, "displayName": m.name, "annotations": annotations},
        "spec": {
            "description": description[:1050],
            "service": service,
            "indicator": {"metadata": {"name": name + "-sli"}, "spec": indicator},
            "timeWindow": [{"duration": cfg.openslo_window, "isRolling": True}],
            "budgetingMethod": "Occurrences",
            "objectives": [objective],
        },
    }


def _source() -> dict[str, Any]:
    return {"metricSource": {"type": "unspecified", "spec": {"query": ""}}}


def _has(key: str, words: tuple[str, ...]) -> bool:
    return any(f" {w} " in key for w in words)


def _fraction(value: float) -> float:
    return round(value, 10)


def _slug(text: str) -> str:
    """A DNS-1123 label: lower-case letters, digits and '-', alphanumeric at both ends."""
    text = text.lower().replace("%", " pct ")
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text)).strip("-")


__all__ = ["FORMATS", "BINARY_FORMATS", "export", "to_csv", "to_xlsx", "to_openslo"]
