"""What the review history gives back: saved reviews, their metrics and actions, trends and
what an action changed (frozen records), and the hashes that tell a board saved before."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from boardsnap.document import STATUSES, Board

# ---- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    review_id: int
    created: bool
    actions_new: int = 0  # actions first recorded by this review
    actions_linked: int = 0  # actions carried forward from an earlier review
    actions_done: int = 0  # of those, actions done already: written again, still done


@dataclass(frozen=True)
class MetricRecord:
    name: str
    target_op: str | None
    target_value: float | None
    target_unit: str | None
    target_text: str
    actual_value: float | None
    actual_unit: str | None
    actual_text: str
    status: str
    budget_used: float | None
    override_reason: str | None = None  # a person overruled the judge, for this reason
    judged_status: str | None = None  # what the numbers said, when overruled


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    service: str
    review_date: str | None
    title: str | None
    source: str
    photo_sha256: str | None
    saved_at: str
    metrics: tuple[MetricRecord, ...] = ()


@dataclass(frozen=True)
class ReviewSummary:
    """A saved review as a list of reviews shows it: what it was, its verdict counts, and for a
    search, which of its texts matched."""

    id: int
    service: str
    review_date: str | None
    title: str | None
    source: str  # the photo's (or document's) name as it was saved
    photo_sha256: str | None
    document_sha256: str
    saved_at: str
    met: int = 0
    near_miss: int = 0
    breach: int = 0
    unknown: int = 0
    actions: int = 0  # actions the review lists
    # what a search matched: (service | metric | action | owner, the text as saved)
    matches: tuple[tuple[str, str], ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """Metric rows per status, in the order of document.STATUSES."""
        return {s: getattr(self, s) for s in STATUSES}


@dataclass(frozen=True)
class ActionRecord:
    id: int
    service: str
    review_id: int  # the review that first recorded it
    review_date: str | None
    metric: str | None
    text: str
    owner: str | None
    due: str | None
    status: str  # open | in_progress | done
    overdue: bool
    updated_at: str
    note: str
    reviews: tuple[int, ...] = ()  # every review that lists it, oldest first


@dataclass(frozen=True)
class ActionEvent:
    id: int
    action_id: int
    at: str
    status: str
    note: str
    origin: str  # board (recorded or changed by a saved review) | cli | migration
    review_id: int | None


@dataclass(frozen=True)
class TrendPoint:
    review_id: int | None  # None: the board being reported, not saved (yet)
    review_date: str | None
    actual_value: float | None  # in the trend's unit
    actual_text: str
    status: str
    budget_used: float | None


@dataclass(frozen=True)
class MetricTrend:
    name: str
    unit: str | None
    target_op: str | None
    target_value: float | None  # in the trend's unit
    points: tuple[TrendPoint, ...]  # oldest first; the last is the current board
    change: float | None  # current actual minus the previous review's, in `unit`
    direction: str | None  # better | worse | unchanged | None (not comparable)


@dataclass(frozen=True)
class Remediation:
    action: ActionRecord
    metric: str
    before: TrendPoint  # the metric at the last review that listed the action
    after: TrendPoint | None  # at the next review; None when that review lacks the metric
    verdict: str  # improved | unchanged | worse | not measured


@dataclass(frozen=True)
class HistoryContext:
    service: str
    as_of: str | None  # the reported board's review date
    previous: ReviewRecord
    reviews_shown: int  # reviews in each trend, the current board included
    previous_actions: tuple[ActionRecord, ...]  # the previous review's, and older ones not done
    trends: tuple[MetricTrend, ...]
    remediation: tuple[Remediation, ...]
    # The history's record of each of the board's actions (same order), when the action was
    # already in the history: written again on this board, it keeps its id and status.
    board_actions: tuple[ActionRecord | None, ...] = ()


# ---- text matching ---------------------------------------------------------------------------


def document_sha256(board: Board) -> str:
    canonical = json.dumps(board.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
