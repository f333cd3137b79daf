"""What the report says, prepared for the template: the template only lays it out.

`build_view(board, cfg, evidence, options)` turns a judged `Board` into plain values: the verdict
and counts of the first page, each breach and near miss in a sentence a non-engineer can read
("P95 latency was 240 ms against a commitment of under 200 ms"), the matrix rows with budget
bars and allowed downtime, findings with their root causes and actions, the needs-review items
with the crop of each cell (or action line) from the photo, and the evidence picture. The
audience decides what is left out: a customer report names no owners and shows no crops, raw
OCR text or warnings.
"""

from __future__ import annotations

import base64
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

import boardsnap
from boardsnap.config import ReportConfig
from boardsnap.document import Action, Board, Metric, RootCause
from boardsnap.report.branding import Branding
from boardsnap.report.redact import metric_key, redact

log = logging.getLogger(__name__)

AUDIENCES = ("internal", "customer")
# The report's sections in order; each is templates/partials/<name>.html.j2. Another section
# (e.g. a history of earlier reviews) is one more partial and one more name here.
SECTIONS = ("summary", "matrix", "findings", "actions", "history", "review", "warnings", "appendix")

# Warnings a reader must see before trusting the board's lists (written by the pipeline and the
# parser with these words first), what may be missing or wrong across the board ("table:": a
# row of the table read as no metric, its header guessed): shown at the top of page one, not
# only in the reading notes.
TOP_WARNINGS = (
    "cut off:",
    "table:",
    "actions:",
    "root causes:",
    "unread:",
    "review date:",
    "service:",
)

STATUS_LABELS = {"met": "Met", "near_miss": "Near miss", "breach": "Breach", "unknown": "Unknown"}
# A symbol beside every status word: the status never rests on colour alone.
STATUS_ICONS = {"met": "\u2713", "near_miss": "\u25b2", "breach": "\u2717", "unknown": "?"}
ACTION_STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done"}
OP_SYMBOLS = {"<": "<", "<=": "\u2264", ">": ">", ">=": "\u2265"}
OP_WORDS = {"<": "under", "<=": "at most", ">": "over", ">=": "at least"}
PAGE_SIZES = {"A4": "A4", "Letter": "letter"}
AVAILABILITY_WORDS = ("uptime", "up time", "availability", "avail", "available")
FIELD_NAMES = ("Metric", "Target", "Actual", "Board mark")

CROP_PAD = 6  # pixels around a cell's crop
CROP_MAX_WIDTH = 900  # pixels; wider crops are scaled down
BOARD_MAX_SIDE = 1600  # pixels; the appendix picture's long side at most
JPEG_QUALITY = 85  # of the appendix picture

# Words kept in capitals when an all-capitals name is put in sentence case.
ACRONYMS = frozenset(
    "api sla slo sli mttr mtta mttd ttfr ttr rps qps cdn dns db ui ux sso id gc cpu io "
    "http https tls ssl aws eu us uk vpn p50 p90 p95 p99 p999 5xx 4xx".split()
)


@dataclass(frozen=True, eq=False)
class Evidence:
    """Pictures that back the report: the rectified board (BGR), from which the cells of the
    rows that need review are cropped with `Metric.cell_boxes`, and the lines of the actions
    that need review with `Action.line_box`."""

    board_image: np.ndarray | None = None


@dataclass(frozen=True)
class ReportOptions:
    """How a report is cut for its reader. New options are new fields with defaults."""

    audience: str = "internal"  # internal | customer
    redact: tuple[str, ...] = ()  # metric names left out everywhere
    branding: Branding = field(default_factory=Branding)
    sections: tuple[str, ...] = SECTIONS

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}")


# ---- the view ----------------------------------------------------------------------------------


@dataclass
class CellView:
    label: str
    crop: str | None
    flagged: bool


@dataclass
class MetricView:
    name: str
    status: str
    label: str
    icon: str
    target_text: str
    target_read: str
    commitment: str
    actual_text: str
    actual_read: str
    budget: str
    bar_width: int
    over_budget: bool
    downtime: dict[str, str] | None
    sentence: str
    mark: str | None
    mark_icon: str | None
    mark_differs: bool
    needs_review: bool
    reasons: list[str]
    # a person overruled the judge: {"reason": ..., "judged_label": ..., "judged_icon": ...}
    overruled: dict[str, str] | None = None
    # the row against the SLO contract: {"result", "note", "said", "judged_label", ...}
    contract: dict[str, str] | None = None
    cells: list[CellView] = field(default_factory=list)
    root_causes: list[str] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)


def build_view(
    board: Board,
    cfg: ReportConfig,
    evidence: Evidence | None,
    options: ReportOptions,
    known_actions: Sequence[Any | None] = (),
) -> dict[str, Any]:
    """Everything the template shows, as plain values.

    `known_actions` is the history's record of each of the board's actions that it already
    holds (`HistoryContext.board_actions`): such an action is shown with its id and its status
    in the history (a done action written again stays done)."""
    internal = options.audience == "internal"
    board, redacted = redact(board, options.redact)
    image = evidence.board_image if evidence is not None else None
    if image is not None and (not isinstance(image, np.ndarray) or image.size == 0):
        image = None

    metrics = [_metric_view(m, image if internal else None, cfg.month_days) for m in board.metrics]
    by_key = {metric_key(m.name): v for m, v in zip(board.metrics, metrics, strict=True)}
    known = list(known_actions)[: len(board.actions)]
    known += [None] * (len(board.actions) - len(known))
    actions = [
        _action_view(a, internal, by_key, image if internal else None, record)
        for a, record in zip(board.actions, known, strict=True)
    ]
    general_causes = _attach_to_metrics(board, actions, by_key)

    counts = board.counts()
    attention = [v for v in metrics if v.status == "breach"] + [
        v for v in metrics if v.status == "near_miss"
    ]
    review_metrics = [v for v in metrics if v.needs_review] if internal else []
    review_actions = [v for v in actions if v["needs_review"]] if internal else []
    review_causes = (
        [_cause_view(c, image) for c in board.root_causes if c.needs_review] if internal else []
    )
    unverified = (
        sum(m.needs_review for m in board.metrics)
        + sum(a.needs_review for a in board.actions)
        + sum(c.needs_review for c in board.root_causes)
    )
    picture, picture_note = _board_picture(image, internal, bool(redacted))

    service = _pretty(board.service)
    title = _pretty(board.title) or (f"{service} SLA review" if service else "SLA review")
    return {
        "brand": options.branding,
        "audience": options.audience,
        "internal": internal,
        "sections": [f"partials/{name}.html.j2" for name in options.sections],
        "title": title,
        "service": service or "not given",
        "review_date": _long_date(board.review_date) or "not given",
        "source": board.source or "unknown",
        "version": boardsnap.__version__,
        "page_size": PAGE_SIZES.get(cfg.paper, "A4"),
        "month_days": cfg.month_days,
        "verdict": _verdict(
            counts,
            len(metrics),
            sum(1 for v in metrics if v.overruled),
            sum(1 for v in metrics if v.contract and v.contract["result"] == "differs"),
        ),
        "count_cards": [
            {"status": s, "label": STATUS_LABELS[s], "icon": STATUS_ICONS[s], "n": counts[s]}
            for s in ("breach", "near_miss", "met", "unknown")
        ],
        "summary": " \u00b7 ".join(
            f"{counts[s]} {STATUS_LABELS[s].lower()}" for s in STATUS_LABELS
        ),
        "metrics": metrics,
        "attention": attention,
        "has_downtime": any(v.downtime for v in metrics),
        "other_causes": [
            v for v in metrics if v.status not in ("breach", "near_miss") and v.root_causes
        ],
        "general_causes": general_causes,
        "actions": actions,
        "overruled": [v for v in metrics if v.overruled],
        **_contract_lists(metrics),
        "open_actions": sum(1 for a in actions if not a["done"]),
        "unowned_actions": sum(1 for a in actions if not a["owner"] and not a["done"]),
        "review_metrics": review_metrics,
        "review_actions": review_actions,
        "review_causes": review_causes,
        "review_count": len(review_metrics) + len(review_actions) + len(review_causes),
        "unverified": unverified,
        "warnings": list(board.warnings) if internal else [],
        "top_warnings": [w for w in board.warnings if w.startswith(TOP_WARNINGS)]
        if internal
        else [],
        "board_picture": picture,
        "picture_note": picture_note,
        "redacted": redacted,
    }


def _attach_to_metrics(
    board: Board, actions: list[dict[str, Any]], by_key: dict[str, Any]
) -> list[dict[str, str | None]]:
    """Each action's view and root cause joins the row of its metric; the causes of no row on
    the board are returned (shown as general causes)."""
    for action, view in zip(board.actions, actions, strict=True):
        linked = by_key.get(metric_key(action.metric))
        if linked is not None:
            linked.actions.append(view)
    general_causes: list[dict[str, str | None]] = []
    for cause in board.root_causes:
        linked = by_key.get(metric_key(cause.metric))
        if linked is not None:
            linked.root_causes.append(cause.text)
        else:
            general_causes.append({"metric": _pretty(cause.metric), "text": cause.text})
    return general_causes


def _board_picture(image: Any, internal: bool, redacted: bool) -> tuple[str | None, str | None]:
    """The rectified board as a data URI, or why it is left out (customer, redacted)."""
    if image is None:
        return None, None
    if not internal:
        return None, "customer"
    if redacted:
        return None, "redacted"
    return _jpeg_uri(_fit(image, BOARD_MAX_SIDE)), None


def _contract_lists(metrics: list[Any]) -> dict[str, Any]:
    """The rows whose target differs from the SLO contract, those taken from it, and whether
    the board was checked against one at all."""
    return {
        "contract_differs": [
            v for v in metrics if v.contract and v.contract["result"] == "differs"
        ],
        "contract_taken": [
            v for v in metrics if v.contract and v.contract["result"] == "taken_from_contract"
        ],
        "contract_checked": any(v.contract for v in metrics),
    }


def _verdict(
    counts: dict[str, int], total: int, overruled: int = 0, contract_differs: int = 0
) -> dict[str, str]:
    breach, near, unknown = counts["breach"], counts["near_miss"], counts["unknown"]
    if total == 0:
        return {
            "status": "unknown",
            "label": STATUS_LABELS["unknown"],
            "icon": "",
            "headline": "No commitments were read",
            "detail": "The board held no table of commitments BoardSnap could read.",
        }
    if breach:
        headline = f"{_count(breach, 'commitment')} of {total} breached"
        detail = "The service did not meet everything it committed to in this period."
        status = "breach"
    elif near:
        headline = f"All measured commitments met; {near} at risk"
        detail = "Near misses are within target but close to it: leading indicators of a breach."
        status = "near_miss"
    elif unknown:
        headline = f"No breaches; {_count(unknown, 'commitment')} could not be judged"
        detail = "Values that could not be read are listed below."
        status = "unknown"
    else:
        headline = f"All {total} commitments met" if total > 1 else "The commitment was met"
        detail = "Every commitment was met with room to spare."
        status = "met"
    if (breach or near) and unknown:
        detail += f" {_count(unknown, 'commitment')} could not be judged."
    if overruled:
        detail = (
            f"{_count(overruled, 'status')} set by a person's decision, not by the numbers: "
            "see below."
        )
        if status == "met":
            detail = "Every commitment is reported as met; " + detail
    if contract_differs:
        detail = (
            f"By the targets written on the board. {_count(contract_differs, 'commitment')} "
            f"on the board {'differs' if contract_differs == 1 else 'differ'} from the SLO "
            "contract, whose verdict is given below."
        )
    return {
        "status": status,
        "label": STATUS_LABELS[status],
        "icon": STATUS_ICONS[status],
        "headline": headline,
        "detail": detail,
    }


def _metric_view(m: Metric, image: np.ndarray | None, month_days: int) -> MetricView:
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
    name = _pretty(m.name) or "(unnamed metric)"
    downtime = _downtime(m, month_days)
    view = MetricView(
        name=name,
        status=m.status,
        label=STATUS_LABELS.get(m.status, m.status),
        icon=STATUS_ICONS.get(m.status, "?"),
        # what the board says, also when the contract's target was taken in its place
        target_text=(
            m.contract.board_target.text
            if m.contract and m.contract.board_target is not None
            else m.target.text
        )
        or "(blank)",
        target_read=_target_text(m, OP_SYMBOLS, "unreadable", "direction unknown"),
        commitment=_target_text(m, OP_WORDS, "an unreadable target", "direction not stated"),
        actual_text=m.actual.text or "(blank)",
        actual_read=_quantity(m.actual.value, m.actual.unit) or "unreadable",
        budget=budget,
        bar_width=width,
        over_budget=used is not None and math.isfinite(used) and used > 1,
        downtime=downtime,
        sentence="",
        mark=STATUS_LABELS.get(mark, mark) if mark else None,
        mark_icon=STATUS_ICONS.get(mark) if mark else None,
        mark_differs=bool(mark) and mark != m.status,
        needs_review=m.needs_review,
        reasons=reasons,
        cells=_cells(m, image) if (m.needs_review and image is not None) else [],
        overruled=_overruled(m),
        contract=_contract(m),
    )
    view.sentence = _sentence(view, downtime, month_days)
    if view.overruled:
        view.sentence += (
            f" Its numbers say {view.overruled['judged_label'].lower()}; the status was set by"
            f" a person: {view.overruled['reason']}."
        )
    return view


CONTRACT_NOTES = {
    "as_contracted": "as contracted",
    "differs": "differs from the contract",
    "taken_from_contract": "target taken from the contract",
    "not_in_contract": "not in the contract",
    "ambiguous": "more than one commitment of the contract fits",
}


def _contract(m: Metric) -> dict[str, str] | None:
    c = m.contract
    if c is None:
        return None
    out = {"result": c.result, "note": CONTRACT_NOTES.get(c.result, c.result)}
    out["said"] = c.said or ""
    out["source"] = c.source or ""
    out["mapping"] = c.mapping or ""
    out["difference"] = c.difference or ""
    if c.judged_status:
        out["judged"] = c.judged_status
        out["judged_label"] = STATUS_LABELS.get(c.judged_status, c.judged_status)
        out["judged_icon"] = STATUS_ICONS.get(c.judged_status, "?")
    if c.board_target is not None:
        out["board"] = c.board_target.text or "(blank)"
    return out


def _overruled(m: Metric) -> dict[str, str] | None:
    ruling = m.status_override
    if ruling is None:
        return None
    judged = ruling.judged or "unknown"
    return {
        "reason": ruling.reason.rstrip(". "),
        "judged": judged,
        "judged_label": STATUS_LABELS.get(judged, judged),
        "judged_icon": STATUS_ICONS.get(judged, "?"),
    }


def _sentence(v: MetricView, downtime: dict[str, str] | None, month_days: int) -> str:
    """The finding in plain English, from the numbers."""
    if v.status == "breach":
        text = f"{v.name} was {v.actual_read} against a commitment of {v.commitment}."
        if downtime and downtime.get("actual"):
            text += (
                f" That is about {downtime['actual']} of downtime in a {month_days}-day month,"
                f" where {downtime['allowed']} is allowed."
            )
        return text
    if v.status == "near_miss":
        return (
            f"{v.name} was {v.actual_read}: within its commitment of {v.commitment},"
            f" but {v.budget} of the error budget is used."
        )
    if v.status == "met":
        return f"{v.name} was {v.actual_read} against a commitment of {v.commitment}."
    return f"{v.name} could not be judged: the target or the actual value was not readable."


def _target_text(m: Metric, ops: dict[str, str], unreadable: str, no_op: str) -> str:
    """The target as the report says it: "under 200 ms" (OP_WORDS) or "< 200 ms" (OP_SYMBOLS)."""
    amount = _quantity(m.target.value, m.target.unit)
    if amount is None:
        return unreadable
    if m.target.op is None:
        return f"{amount} ({no_op})"
    return f"{ops.get(m.target.op, m.target.op)} {amount}"


def _downtime(m: Metric, month_days: int) -> dict[str, str | None] | None:
    """Allowed (and actual) downtime in a month for an availability target such as 99.9 %."""
    key = f" {metric_key(m.name)} "
    if not any(f" {w} " in key for w in AVAILABILITY_WORDS):
        return None
    t = m.target
    if t.unit != "%" or t.value is None or t.op not in (">", ">=") or not 0 < t.value < 100:
        return None
    minutes = month_days * 24 * 60
    out: dict[str, str | None] = {
        "allowed": _minutes((100 - t.value) / 100 * minutes),
        "actual": None,
    }
    a = m.actual
    if a.value is not None and a.unit in ("%", None) and 0 <= a.value <= 100:
        out["actual"] = _minutes((100 - a.value) / 100 * minutes)
    return out


def _minutes(value: float) -> str:
    if value < 1:
        return f"{value * 60:.0f} s"
    if value < 10:
        return f"{value:.2f} min"
    if value < 100:
        return f"{value:.1f} min".replace(".0 min", " min")
    hours = value / 60
    return f"{value:.0f} min ({hours:.1f} h)"


def _doubted_cells(m: Metric) -> dict[str, bool]:
    """Which cells of the row its review codes doubt (a document written before codes: which
    its reasons name)."""
    if len(m.review_codes) == len(m.review_reasons):
        fields = {c.field for c in m.review_codes}
        return {
            "Metric": "name" in fields,
            "Target": bool(fields & {"target", "row"}),
            "Actual": bool(fields & {"actual", "row"}),
            "Board mark": "mark" in fields,
        }
    text = " ".join(m.review_reasons).lower()
    return {
        "Metric": "name" in text,
        "Target": "target" in text or bool(m.target.text and m.target.text.lower() in text),
        "Actual": "actual" in text or bool(m.actual.text and m.actual.text.lower() in text),
        "Board mark": "mark" in text,
    }


def _cells(m: Metric, image: np.ndarray) -> list[CellView]:
    """A crop of each cell of a row that needs review, labelled, the doubtful ones flagged."""
    boxes = [b for b in m.cell_boxes if len(b) == 4 and b[2] > 0 and b[3] > 0]
    if not boxes:
        return []
    if len(boxes) == 1 or len(boxes) > len(FIELD_NAMES):
        crop = _crop(image, boxes)
        return [CellView("Row as photographed", crop, True)] if crop else []
    doubted = _doubted_cells(m)
    if not any(doubted.values()):
        doubted = dict.fromkeys(doubted, True)
    cells = []
    for label, box in zip(FIELD_NAMES, boxes, strict=False):
        crop = _crop(image, [box])
        if crop:
            cells.append(CellView(label, crop, bool(doubted[label])))
    return cells


def _action_view(
    a: Action,
    internal: bool,
    by_key: dict[str, MetricView],
    image: np.ndarray | None,
    record: Any | None = None,
) -> dict[str, Any]:
    """An action as the report lists it; one that needs review carries the crop of its line
    (`Action.line_box`) when there is a picture to crop it from. `record` is the history's
    action this one writes again: its status is the action's status."""
    linked = by_key.get(metric_key(a.metric))
    if a.owner:
        owner = a.owner if internal else "assigned"
    else:
        owner = None
    status = record.status if record is not None else a.status
    history_note = None
    if record is not None:
        history_note = f"action {record.id}, carried forward"
        if record.status == "done" and a.status != "done":
            history_note = f"action {record.id}: written again on the board, still done"
    return {
        "text": a.text,
        "metric": linked.name if linked is not None else _pretty(a.metric),
        "owner": owner,
        "due": _long_date(a.due),
        "status": ACTION_STATUS_LABELS.get(status, status),
        "status_key": status,
        "history_note": history_note,
        "done": status == "done",
        "needs_review": a.needs_review,
        # why, in the parser's words; an older document with the flag but no reasons says so
        "reasons": list(a.review_reasons)
        or (["the text, owner or due date may have been misread"] if a.needs_review else []),
        "crop": _line_crop(a, image) if a.needs_review and image is not None else None,
        "crop_raised": _raised_crop(a, image) if a.needs_review and image is not None else None,
    }


def _cause_view(c: RootCause, image: np.ndarray | None) -> dict[str, Any]:
    """A root cause that needs review: its words, its metric, why, and its line's crop."""
    return {
        "text": c.text,
        "metric": _pretty(c.metric),
        "reasons": list(c.review_reasons) or ["the cause or its metric may have been misread"],
        "crop": _line_crop(c, image) if image is not None else None,
        "crop_raised": _raised_crop(c, image) if image is not None else None,
    }


FADED = "text.faint"  # the reader's code for a line read from faded ink


def _raised_crop(a: Action | RootCause, image: np.ndarray) -> str | None:
    """For a line read from faded ink (a drying marker), its crop again with the contrast
    raised: the photographed crop is too pale to check the reading against. The crop as
    photographed stays beside it as the evidence."""
    box = a.line_box
    if (
        box is None
        or box[2] <= 0
        or box[3] <= 0
        or not any(c.code == FADED for c in a.review_codes)
    ):
        return None
    crop = crop_region(image, [box])
    if crop is None:
        return None
    gray = crop if crop.ndim == 2 else crop.mean(axis=2)
    ink, paper = np.percentile(gray, 1), np.percentile(gray, 90)
    if paper - ink < 1:
        return None
    raised = np.clip((gray - ink) * (255.0 / (paper - ink)), 0, 255).astype(np.uint8)
    if raised.shape[1] > CROP_MAX_WIDTH:
        raised = _scaled(raised, CROP_MAX_WIDTH / raised.shape[1])
    return _png_uri(raised)


def _line_crop(a: Action | RootCause, image: np.ndarray) -> str | None:
    box = a.line_box
    if box is None or box[2] <= 0 or box[3] <= 0:
        return None
    return _crop(image, [box])


# ---- words and numbers -------------------------------------------------------------------------


def _pretty(text: str | None) -> str | None:
    """An all-capitals board heading in sentence case, acronyms kept: 'API latency'."""
    if not text:
        return text
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4 or not all(c.isupper() for c in letters):
        return text
    words = []
    for i, word in enumerate(text.split(" ")):
        bare = re.sub(r"[^0-9a-z%]", "", word.lower())
        if bare in ACRONYMS or any(c.isdigit() for c in bare) and any(c.isalpha() for c in bare):
            words.append(word)
        elif i == 0:
            words.append(word[:1] + word[1:].lower())
        else:
            words.append(word.lower())
    return " ".join(words)


def _long_date(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        d = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{d.day} {d.strftime('%b')} {d.year}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _quantity(value: float | None, unit: str | None) -> str | None:
    if value is None:
        return None
    number = _number(value)
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}" if abs(value) >= 10000 else str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


# ---- pictures ----------------------------------------------------------------------------------


def crop_region(
    image: np.ndarray, boxes: Sequence[Sequence[int]], pad: int = CROP_PAD
) -> np.ndarray | None:
    """The union of `boxes` ([x, y, w, h] each), padded and clipped to the image; None when
    less than two pixels of it either way are inside."""
    if not boxes:
        return None
    height, width = image.shape[:2]
    x0 = max(0, min(b[0] for b in boxes) - pad)
    y0 = max(0, min(b[1] for b in boxes) - pad)
    x1 = min(width, max(b[0] + b[2] for b in boxes) + pad)
    y1 = min(height, max(b[1] + b[3] for b in boxes) + pad)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return image[y0:y1, x0:x1]


def _crop(image: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> str | None:
    """The union of `boxes`, padded and clipped to the image, as a PNG data: URI."""
    crop = crop_region(image, boxes)
    if crop is None:
        return None
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


def _jpeg_uri(image: np.ndarray) -> str | None:
    """A photo as a JPEG data: URI (a fifth of the PNG's size for a photographed board)."""
    import cv2

    ok, encoded = cv2.imencode(
        ".jpg", np.ascontiguousarray(_as_uint8(image)), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
    )
    if not ok:
        log.warning("could not encode the board picture as JPEG; leaving it out")
        return None
    return "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")


def _as_uint8(image: np.ndarray) -> np.ndarray:
    return image if image.dtype == np.uint8 else np.clip(image, 0, 255).astype(np.uint8)


def _png_uri(image: np.ndarray) -> str | None:
    import cv2

    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(_as_uint8(image)))
    if not ok:
        log.warning("could not encode a report picture as PNG; leaving it out")
        return None
    return "data:image/png;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")


__all__ = ["Evidence", "ReportOptions", "SECTIONS", "AUDIENCES", "build_view", "crop_region"]
