"""Scoring one extraction against its truth, field by field.

Pure functions of `Board` documents: no images, no OCR, so the rules are unit-tested on hand-made
boards (tests/test_bench_score.py).

- Metric rows are paired one-to-one: a truth row and a read row are candidates when their names,
  normalised, are at least `NAME_MATCH_MIN` similar; pairs are taken best first by name
  similarity plus a small bonus for being at the same relative position in the table.
- Actions and root causes are paired one-to-one by text (`match_texts`), the metric a line is
  about breaking ties between lines written alike.
- Every field measure is "right / total" over the TRUTH rows (or actions, root causes), so a row
  that was not found counts as wrong in every field: the totals are the same for every tool.
- Wrong values not flagged (the number that matters most): a matched row with a wrong target op,
  value or unit, a wrong actual value or unit, or a wrong status, whose `needs_review` is false;
  plus one for every negative photo (no SLA table on it) on which a table was extracted.
  Actions with a wrong owner or due date and `needs_review` false are counted apart, and so are
  read rows that match no truth row and are not flagged (invented rows).
- Nothing lost silently: a truth action not found on a board whose warnings say nothing of
  actions (`LOST_ACTION_WARNINGS`) is lost without a warning, unless an action was read there
  that matches no truth action and is flagged for review (a line read as garbage, with its crop
  in the report: said, not silent); one such reading covers one lost action. A review date that
  is wrong with no "review date" warning is wrong without one. Metric rows likewise: a truth
  row not found on a board with a table read, whose warnings say nothing of the table's rows
  (`LOST_ROW_WARNINGS`, or unread lines among which a row may be: `ROW_AMONG_UNREAD`), is
  lost without a warning unless a flagged row that matches no truth row (a garbled name, its
  crops in the report) stands for it.
- Title: right when it equals the truth's once case, punctuation and spacing are set aside
  (`norm_text`); a title not read is wrong. Review date right or flagged: right, or wrong with a
  "review date" warning; of the photos with a table, whatever was read.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from boardsnap.document import Action, Board, Metric

NAME_MATCH_MIN = 0.5  # name similarity from which two metric rows may be the same row
POSITION_WEIGHT = 0.25  # bonus for the same relative row position, breaks ties between names
# bonus for the same metric, read apart from the text, breaks ties between actions (or causes)
# written alike: "5xx errors: validate config in CI @sam", "API error rate: validate config in
# CI @marc" (seed 9995 photo 24: both read right, paired crosswise by their texts alone)
METRIC_WEIGHT = 0.1
ACTION_MATCH_MIN = 0.6  # text similarity from which two actions may be the same action
ROOT_CAUSE_MATCH_MIN = 0.8  # text similarity from which a root cause counts as found

# Warnings that tell a person actions may be missing: a section cut off or unread.
LOST_ACTION_WARNINGS = ("actions:", "cut off:", "unread:")
REVIEW_DATE_WARNING = "review date:"
# Warnings that tell a person metric rows may be missing: a row read as no metric, a cut view.
LOST_ROW_WARNINGS = ("table: a row", "cut off:")
# ... and lines of writing left unread when the board says a row of the table may be among them
ROW_AMONG_UNREAD = "a row of the table"

# Outcome kinds of one photo.
BOARD = "board"  # a board document was produced
NO_TABLE = "no_table"  # the tool said "no SLA table" (BoardSnap: NoTableFound, exit 4)
FAILED = "failed"  # crash, time-out or any other error; `reason` says which


@dataclass(frozen=True)
class Outcome:
    kind: str
    board: Board | None = None
    reason: str | None = None

    @classmethod
    def of_board(cls, board: Board) -> Outcome:
        return cls(BOARD, board)

    @classmethod
    def no_table(cls) -> Outcome:
        return cls(NO_TABLE)

    @classmethod
    def failed(cls, reason: str) -> Outcome:
        return cls(FAILED, reason=reason)


@dataclass
class Count:
    right: int = 0
    total: int = 0

    def add(self, ok: bool, n: int = 1) -> None:
        self.total += n
        if ok:
            self.right += n

    @property
    def pct(self) -> float | None:
        return 100.0 * self.right / self.total if self.total else None


# The measures, in the order the table shows them: (key, label). Ratios first, then counts.
RATIO_MEASURES = (
    ("rows_recall", "metric rows found (recall)"),
    ("rows_precision", "metric rows read that are real (precision)"),
    ("name", "metric name"),
    ("target_op", "target comparator"),
    ("target_value", "target value"),
    ("target_unit", "target unit"),
    ("actual_value", "actual value"),
    ("actual_unit", "actual unit"),
    ("status", "status"),
    ("board_mark", "board mark"),
    ("rows_all_right", "rows right in every field"),
    ("actions_found", "actions found"),
    ("action_owner", "action owner"),
    ("action_due", "action due date"),
    ("root_causes_found", "root causes found"),
    ("title", "title (of photos with a table)"),
    ("service", "service (of photos with a table)"),
    ("review_date", "review date (of photos with a table)"),
    ("review_date_ok", "review date right or flagged (of photos with a table)"),
    ("positives_read", "photos with a table: table read"),
    ("negatives_correct", "photos without a table: said so"),
    ("rows_flagged", "rows read flagged needs_review"),
    ("wrong_rows_flagged", "wrong rows that were flagged"),
)
COUNT_MEASURES = (
    ("wrong_unflagged", "WRONG VALUES NOT FLAGGED (rows + tables on negatives)"),
    ("wrong_unflagged_rows", "  of which wrong rows not flagged"),
    ("tables_on_negatives", "  of which tables read on photos without one"),
    ("invented_rows_unflagged", "invented rows not flagged"),
    ("wrong_actions_unflagged", "actions with wrong owner/due not flagged"),
    ("actions_lost_unwarned", "actions lost without a warning"),
    ("rows_lost_unwarned", "metric rows lost without a warning"),
    ("review_date_wrong_unflagged", "review dates wrong without a warning"),
    ("failed_photos", "photos failed (crash, time-out, error)"),
)
ROW_FIELDS = ("target_op", "target_value", "target_unit", "actual_value", "actual_unit", "status")


@dataclass
class Tally:
    counts: dict[str, Count] = field(
        default_factory=lambda: {k: Count() for k, _ in RATIO_MEASURES}
    )
    numbers: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)  # why photos failed

    def __iadd__(self, other: Tally) -> Tally:
        for key, c in other.counts.items():
            mine = self.counts.setdefault(key, Count())
            mine.right += c.right
            mine.total += c.total
        self.numbers.update(other.numbers)
        self.reasons.update(other.reasons)
        return self

    def number(self, key: str) -> int:
        return int(self.numbers.get(key, 0))


# ---- normalisation and similarity --------------------------------------------------------------


def norm_name(text: str | None) -> str:
    """Case and spacing do not matter: "P95  Latency " == "p95 latency"."""
    return " ".join((text or "").lower().split())


def norm_text(text: str | None) -> str:
    """For free text (actions, root causes): lower case, punctuation to spaces, spaces collapsed."""
    return " ".join(re.sub(r"[^\w%<>=.]+", " ", (text or "").lower()).split())


def similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def same_word(a: str | None, b: str | None) -> bool:
    return norm_name(a) == norm_name(b)


# ---- pairing -----------------------------------------------------------------------------------


def match_rows(truth: tuple[Metric, ...], read: tuple[Metric, ...]) -> list[tuple[int, int]]:
    """One-to-one pairs (truth index, read index), best name similarity (+ position) first."""
    candidates = []
    nt, nr = len(truth), len(read)
    for i, t in enumerate(truth):
        for j, r in enumerate(read):
            sim = similarity(norm_name(t.name), norm_name(r.name))
            if sim < NAME_MATCH_MIN:
                continue
            pos = 1.0 - abs(i / max(nt, 1) - j / max(nr, 1))
            candidates.append((sim + POSITION_WEIGHT * pos, i, j))
    return _greedy(candidates)


def match_texts(
    truth: list[tuple[str | None, str]], read: list[tuple[str | None, str]], minimum: float
) -> list[tuple[int, int]]:
    """Pair (metric, text) items one-to-one by text similarity. The metric a line is about may
    be read apart ("P95 latency" + "add circuit breaker") or as part of the text ("P95 latency:
    add circuit breaker"): both readings of the same line are equally right. Where both have a
    metric apart, its likeness breaks ties (`METRIC_WEIGHT`), not the threshold."""
    candidates = []
    for i, (tm, tt) in enumerate(truth):
        for j, (rm, rt) in enumerate(read):
            sim = max(
                similarity(norm_text(tt), norm_text(rt)),
                similarity(norm_text(f"{tm or ''} {tt}"), norm_text(f"{rm or ''} {rt}")),
            )
            if sim >= minimum:
                same = similarity(norm_name(tm), norm_name(rm)) if tm and rm else 0.0
                candidates.append((sim + METRIC_WEIGHT * same, i, j))
    return _greedy(candidates)


def _greedy(candidates: list[tuple[float, int, int]]) -> list[tuple[int, int]]:
    used_t: set[int] = set()
    used_r: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i in used_t or j in used_r:
            continue
        used_t.add(i)
        used_r.add(j)
        pairs.append((i, j))
    return sorted(pairs)


# ---- one row, one photo ------------------------------------------------------------------------


def row_fields(truth: Metric, read: Metric) -> dict[str, bool]:
    """Which fields of a matched row are right."""
    return {
        "name": norm_name(truth.name) == norm_name(read.name),
        "target_op": truth.target.op == read.target.op,
        "target_value": same_number(truth.target.value, read.target.value),
        "target_unit": same_word(truth.target.unit, read.target.unit),
        "actual_value": same_number(truth.actual.value, read.actual.value),
        "actual_unit": same_word(truth.actual.unit, read.actual.unit),
        "status": truth.status == read.status,
        "board_mark": truth.board_mark == read.board_mark,
    }


def action_fields(truth: Action, read: Action) -> dict[str, bool]:
    return {"action_owner": same_word(truth.owner, read.owner), "action_due": truth.due == read.due}


def score_photo(truth: Board, expect: str, outcome: Outcome) -> Tally:
    """Score one photo. `expect` is the corpus' "ok" (a table is on it) or "no_table"."""
    tally = Tally()
    if outcome.kind == FAILED:
        tally.numbers["failed_photos"] += 1
        tally.reasons[outcome.reason or "unknown"] += 1
    board = outcome.board if outcome.kind == BOARD else None
    read_rows = board.metrics if board is not None else ()

    tally.counts["rows_flagged"].right += sum(m.needs_review for m in read_rows)
    tally.counts["rows_flagged"].total += len(read_rows)

    if expect == "no_table":
        tally.counts["negatives_correct"].add(outcome.kind == NO_TABLE)
        if read_rows:
            tally.numbers["tables_on_negatives"] += 1
            tally.numbers["wrong_unflagged"] += 1
        tally.counts["rows_precision"].add(False, len(read_rows))
        return tally

    tally.counts["positives_read"].add(bool(read_rows))
    pairs = match_rows(truth.metrics, read_rows)
    matched = dict(pairs)
    tally.counts["rows_recall"].right += len(pairs)
    tally.counts["rows_recall"].total += len(truth.metrics)
    tally.counts["rows_precision"].right += len(pairs)
    tally.counts["rows_precision"].total += len(read_rows)

    for i, t in enumerate(truth.metrics):
        j = matched.get(i)
        fields = row_fields(t, read_rows[j]) if j is not None else None
        for key in ("name",) + ROW_FIELDS + ("board_mark",):
            tally.counts[key].add(bool(fields and fields[key]))
        tally.counts["rows_all_right"].add(bool(fields and all(fields.values())))
        if fields is not None and not all(fields[k] for k in ROW_FIELDS):
            flagged = read_rows[j].needs_review
            tally.counts["wrong_rows_flagged"].add(flagged)
            if not flagged:
                tally.numbers["wrong_unflagged_rows"] += 1
                tally.numbers["wrong_unflagged"] += 1
    matched_read = set(matched.values())
    tally.numbers["invented_rows_unflagged"] += sum(
        1 for j, m in enumerate(read_rows) if j not in matched_read and not m.needs_review
    )
    if read_rows and not any(
        w.startswith(LOST_ROW_WARNINGS) or (w.startswith("unread:") and ROW_AMONG_UNREAD in w)
        for w in board.warnings
    ):
        said = sum(1 for j, m in enumerate(read_rows) if j not in matched_read and m.needs_review)
        tally.numbers["rows_lost_unwarned"] += max(0, len(truth.metrics) - len(pairs) - said)

    read_actions = board.actions if board is not None else ()
    a_pairs = dict(
        match_texts(
            [(a.metric, a.text) for a in truth.actions],
            [(a.metric, a.text) for a in read_actions],
            ACTION_MATCH_MIN,
        )
    )
    for i, t in enumerate(truth.actions):
        j = a_pairs.get(i)
        tally.counts["actions_found"].add(j is not None)
        fields = action_fields(t, read_actions[j]) if j is not None else None
        for key in ("action_owner", "action_due"):
            tally.counts[key].add(bool(fields and fields[key]))
        if fields is not None and not all(fields.values()) and not read_actions[j].needs_review:
            tally.numbers["wrong_actions_unflagged"] += 1

    warned = board is not None and any(w.startswith(LOST_ACTION_WARNINGS) for w in board.warnings)
    if board is not None and not warned:  # no table read at all is said, not silent
        lost = sum(1 for i in range(len(truth.actions)) if i not in a_pairs)
        matched_actions = set(a_pairs.values())
        flagged_garbled = sum(
            1 for j, a in enumerate(read_actions) if j not in matched_actions and a.needs_review
        )
        tally.numbers["actions_lost_unwarned"] += max(0, lost - flagged_garbled)
    if board is not None:
        tally.counts["title"].add(norm_text(truth.title) == norm_text(board.title))
        tally.counts["service"].add(same_word(truth.service, board.service))
        right = truth.review_date == board.review_date
        tally.counts["review_date"].add(right)
        flagged = any(w.startswith(REVIEW_DATE_WARNING) for w in board.warnings)
        tally.counts["review_date_ok"].add(right or flagged)
        if not right and not flagged:
            tally.numbers["review_date_wrong_unflagged"] += 1
    else:
        for key in ("title", "service", "review_date", "review_date_ok"):
            tally.counts[key].add(False)

    read_causes = board.root_causes if board is not None else ()
    rc_pairs = match_texts(
        [(r.metric, r.text) for r in truth.root_causes],
        [(r.metric, r.text) for r in read_causes],
        ROOT_CAUSE_MATCH_MIN,
    )
    tally.counts["root_causes_found"].right += len(rc_pairs)
    tally.counts["root_causes_found"].total += len(truth.root_causes)
    return tally
