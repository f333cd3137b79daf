"""Judge stage: how much error budget each row uses, and whether it is met, a near miss or a breach.

The rules are docs/board.md's "Judging a row": `used` is actual/target for lower-is-better rows,
(100 − actual)/(100 − target) for a higher-is-better percentage below 100, target/actual for any
other higher-is-better row. A breach is a comparator that does not hold (for `<` a tie is a
breach; for `<=` and `>=` it is not); a near miss is a row that holds with `used >= near_miss_at`.
Durations compare across units. Nothing here raises on odd input: what cannot be compared is
`unknown` and needs review.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from boardsnap.config import JudgeConfig
from boardsnap.document import Board, Metric, ReviewCode, StatusOverride
from boardsnap.reading import vocab

LOWER_OPS = ("<", "<=")
HIGHER_OPS = (">", ">=")

NO_DIRECTION = "no comparator, and the name does not tell whether lower or higher is better"


def direction(metric_name: str) -> str | None:
    """'lower' or 'higher' is better for a metric of this name, or None when the name does not
    tell. Case-insensitive and tolerant of OCR slips ("P95 Iatency", "err rate")."""
    return vocab.lookup(metric_name).direction


def comparable(metric: Metric) -> tuple[float, float, str | None] | None:
    """(actual, target, unit) in the target's unit, or None when they cannot be compared.

    A missing unit on one side is taken to be the other side's unit; durations are converted
    (0.2 s against a target in ms is 200 ms)."""
    t, a = metric.target, metric.actual
    if t.value is None or a.value is None or t.op not in LOWER_OPS + HIGHER_OPS:
        return None
    if not (math.isfinite(t.value) and math.isfinite(a.value)):
        return None
    tu, au = t.unit, a.unit
    if tu is None or au is None or tu == au:
        return a.value, t.value, tu or au
    ts, as_ = vocab.to_seconds(1.0, tu), vocab.to_seconds(1.0, au)
    if ts is None or as_ is None:
        return None
    converted = a.value * as_ / ts
    return _clean(converted), t.value, tu  # 0.07 s is 70 ms, not 70.00000000000001


def _clean(x: float) -> float:
    """x to 12 significant digits: float noise off, exact decimal ties kept exact."""
    return float(f"{x:.12g}")


def round3(x: float) -> float:
    """Rounded to 3 places, half up, on the decimal value (0.7375 → 0.738)."""
    if not abs(x) < 1e12:
        return round(x, 3)
    return float(Decimal(repr(x)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def budget_used(metric: Metric) -> float | None:
    """How much of the allowed room the actual takes up (docs/board.md's table), unrounded.

    None when not comparable (a value or the comparator missing, units that do not convert).
    May be `inf` (a zero target for lower-is-better with a non-zero actual, or a zero actual for
    higher-is-better)."""
    values = comparable(metric)
    if values is None:
        return None
    used = _used(metric.target.op or "", *values)
    if used is None or not math.isfinite(used):
        return used
    return _clean(used)  # 0.09 s against 100 ms is 0.9, not 0.8999999999999999


def _used(op: str, actual: float, target: float, unit: str | None) -> float | None:
    if op in LOWER_OPS:
        if target == 0:
            return 0.0 if actual <= 0 else math.inf
        if target < 0:
            return None  # "below a negative number" has no room to use
        return actual / target
    if unit == "%" and target < 100:
        return (100 - actual) / (100 - target)
    if actual <= 0:
        return 0.0 if target <= 0 and actual >= target else math.inf
    if target < 0:
        return None
    return target / actual


def holds(op: str, actual: float, target: float) -> bool:
    if op == "<":
        return actual < target
    if op == "<=":
        return actual <= target
    if op == ">":
        return actual > target
    return actual >= target


def judge_metric(metric: Metric, cfg: JudgeConfig) -> Metric:
    """The row with `status` and `budget_used` (rounded to 3 places) set.

    Unknown rows need review, with the reason; `budget_used` is None where `used` is infinite
    (JSON holds no infinity), the status then says breach."""
    used = budget_used(metric)
    values = comparable(metric)
    if used is None or values is None or math.isnan(used):
        unknown = replace(metric, status="unknown", budget_used=None, needs_review=True)
        why, code = _why_unknown(metric)
        if any(c.code == code.code for c in metric.review_codes):
            return _overruled(unknown)  # parse already said what is wrong with that value
        return _overruled(_with_review(unknown, why, code))
    actual, target, _ = values
    op = metric.target.op or ""
    if not holds(op, actual, target):
        status = "breach"
    elif used >= cfg.near_miss_at:
        status = "near_miss"
    else:
        status = "met"
    rounded = round3(used) if math.isfinite(used) else None  # JSON holds no infinity
    return _overruled(replace(metric, status=status, budget_used=rounded))


def _overruled(metric: Metric) -> Metric:
    """A row a person overruled keeps its ruling as its status; the ruling records what the
    numbers say, so the report and the history can show both."""
    ruling = metric.status_override
    if ruling is None:
        return metric
    return replace(
        metric,
        status=ruling.status,
        status_override=StatusOverride(ruling.status, ruling.reason, metric.status),
    )


def judge_board(board: Board, cfg: JudgeConfig) -> Board:
    """Every row judged; a board mark that disagrees with the numbers is a warning and a review."""
    metrics = []
    warnings = list(board.warnings)
    for i, metric in enumerate(board.metrics, start=1):
        judged = judge_metric(metric, cfg)
        mark = judged.board_mark
        if mark not in (None, "unknown") and judged.status != "unknown" and mark != judged.status:
            label = f"row {i} ({judged.name})" if judged.name else f"row {i}"
            says = f"the board says {_words(mark)}, the numbers say {_words(judged.status)}"
            if f"{label}: {says}" not in warnings:
                warnings.append(f"{label}: {says}")
            # A tick beside a near miss is no contradiction: the target was met either way.
            if not (mark == "met" and judged.status == "near_miss"):
                judged = _with_review(judged, says, ReviewCode("mark.differs", "mark"))
        metrics.append(judged)
    return replace(board, metrics=tuple(metrics), warnings=tuple(warnings))


# ---- a document from outside: judged again from its values -------------------------------------

# Reasons that speak of the values rather than of how they were read. When a person corrects a
# document they no longer hold, so `rejudge` drops them and `judge_metric` gives again those
# that still do. (name, pattern, still true of the row)
RECOMPUTED_REASONS: tuple[tuple[str, re.Pattern[str], Callable[[Metric], bool]], ...] = (
    (
        "target.absent",
        re.compile(r"(target value unreadable|no target)$"),
        lambda m: m.target.value is None,
    ),
    (
        "actual.absent",
        re.compile(r"(actual value unreadable|no actual value)$"),
        lambda m: m.actual.value is None,
    ),
    ("direction.unknown", re.compile(re.escape(NO_DIRECTION) + "$"), lambda m: False),
    ("op.unknown", re.compile(r"unknown comparator .*$", re.DOTALL), lambda m: False),
    ("value.not_finite", re.compile(r"a value is not a finite number$"), lambda m: False),
    ("target.negative", re.compile(r"the target is negative$"), lambda m: False),
    (
        "unit.not_comparable",
        # a unit is any text a document holds, a line break too
        re.compile(r"target in .*, actual in .*: not comparable$", re.DOTALL),
        lambda m: False,
    ),
    (
        "mark.differs",
        re.compile(r"the board says .*, the numbers say .*$", re.DOTALL),
        lambda m: False,
    ),
)
_RECOMPUTED_CODES = {code: still for code, _, still in RECOMPUTED_REASONS}
_MARK_WARNING = re.compile(r"row \d+( \(.*\))?: the board says .*, the numbers say .*$")


@dataclass(frozen=True)
class Rejudged:
    """A row whose stored status or budget is not what its values give."""

    row: int  # 1-based
    name: str
    stored_status: str
    status: str
    stored_budget: float | None
    budget: float | None
    numbers_say: str  # the status the values give, before any status_override

    def line(self) -> str:
        def said(status: str, budget: float | None) -> str:
            used = "" if budget is None else f", {budget * 100:.0f} % of the budget used"
            return _words(status) + used

        text = (
            f"row {self.row} ({_printable(self.name) or 'unnamed'}): the document says "
            f"{said(self.stored_status, self.stored_budget)}; its values say "
            f"{said(self.numbers_say, self.budget)}: judged again from the values"
        )
        if self.status != self.numbers_say:
            text += f", reported as {_words(self.status)} as its status_override says"
        return text


def rejudge(board: Board, cfg: JudgeConfig) -> tuple[Board, tuple[Rejudged, ...]]:
    """A document from outside (a person may have corrected it), judged again from its values.

    Its `status` and `budget_used` are a cache: every row is judged from its target and
    actual with `cfg`; a row's `status_override` (a person's ruling with its reason) is the only
    way to keep another status. Reasons and warnings about the values are judged afresh, and a
    row flagged only for them is no longer flagged once they no longer hold. Returns the board
    and the rows whose stored status or budget differed."""
    fresh = []
    for metric in board.metrics:
        kept, codes = _still_true(metric)
        stale_only = bool(metric.review_reasons) and not kept
        fresh.append(
            replace(
                metric,
                review_reasons=kept,
                review_codes=codes,
                needs_review=metric.needs_review and not stale_only,
            )
        )
    warnings = tuple(w for w in board.warnings if not _MARK_WARNING.match(w))
    judged = judge_board(replace(board, metrics=tuple(fresh), warnings=warnings), cfg)
    changes = tuple(
        Rejudged(
            i,
            new.name,
            old.status,
            new.status,
            old.budget_used,
            new.budget_used,
            new.status_override.judged or new.status if new.status_override else new.status,
        )
        for i, (old, new) in enumerate(zip(board.metrics, judged.metrics, strict=True), start=1)
        if old.status != new.status or not _same_budget(old.budget_used, new.budget_used)
    )
    return judged, changes


def _printable(text: str, width: int = 60) -> str:
    """A name from a document as one safe line: control characters escaped, clipped."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return shown if len(shown) <= width else shown[: width - 3] + "..."


def _still_true(metric: Metric) -> tuple[tuple[str, ...], tuple[ReviewCode, ...]]:
    """The row's reasons and codes without those about its values that no longer hold. Decided
    on the codes; a document written before codes (reasons without them) on the sentences."""
    reasons, codes = metric.review_reasons, metric.review_codes
    if len(codes) == len(reasons):
        pairs = [(r, c) for r, c in zip(reasons, codes, strict=True) if not _stale(c, metric)]
        return tuple(r for r, _ in pairs), tuple(c for _, c in pairs)
    # reasons partly without codes: each list on its own
    kept = tuple(r for r in reasons if not _recomputed(r, metric))
    return kept, tuple(c for c in codes if not _stale(c, metric))


def _stale(code: ReviewCode, metric: Metric) -> bool:
    still = _RECOMPUTED_CODES.get(code.code)
    return still is not None and not still(metric)


def _recomputed(reason: str, metric: Metric) -> bool:
    return any(
        pattern.match(reason) and not still(metric) for _, pattern, still in RECOMPUTED_REASONS
    )


def _same_budget(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 0.0005


def _words(status: str) -> str:
    return status.replace("_", " ")


def _why_unknown(metric: Metric) -> tuple[str, ReviewCode]:
    """Why a row cannot be judged, in words and as the code of RECOMPUTED_REASONS."""
    t, a = metric.target, metric.actual
    if t.value is None:
        return "target value unreadable", ReviewCode("target.absent", "target")
    if a.value is None:
        return "actual value unreadable", ReviewCode("actual.absent", "actual")
    if t.op is None:
        return NO_DIRECTION, ReviewCode("direction.unknown", "target")
    if t.op not in LOWER_OPS + HIGHER_OPS:
        return f"unknown comparator {t.op!r}", ReviewCode("op.unknown", "target")
    if not (math.isfinite(t.value) and math.isfinite(a.value)):
        return "a value is not a finite number", ReviewCode("value.not_finite", "row")
    if t.value < 0:
        return "the target is negative", ReviewCode("target.negative", "target")
    return (
        f"target in {t.unit}, actual in {a.unit}: not comparable",
        ReviewCode("unit.not_comparable", "row"),
    )


def _with_review(metric: Metric, reason: str, code: ReviewCode) -> Metric:
    reasons, codes = metric.review_reasons, metric.review_codes
    if reason not in reasons:
        reasons, codes = reasons + (reason,), codes + (code,)
    return replace(metric, needs_review=True, review_reasons=reasons, review_codes=codes)


__all__ = [
    "direction",
    "budget_used",
    "judge_metric",
    "judge_board",
    "rejudge",
    "Rejudged",
    "comparable",
    "holds",
]
