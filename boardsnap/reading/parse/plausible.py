"""What a row's two values may plausibly be beside each other."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from boardsnap.document import Actual, Target
from boardsnap.reading import vocab
from boardsnap.reading.parse.values import read_value

# Plausibility: beyond these a value is more likely misread than true (a dropped or extra
# digit, a lost decimal point, a wrong unit), so the row needs review.
FAR_RATIO = 10.0  # actual 10x the target (lower-is-better), or target 10x the actual (higher)
# Review codes that say OCR was unsure of a character or a cell, that two columns were cut
# apart from one cell, or that the name is none BoardSnap knows; not that the values disagree
# with each other or with the metric. The second look weighs them apart (re-reading the values
# does not mend them).
READING_ONLY_DOUBTS = ("ocr.digit_unsure", "ocr.low_confidence", "cell.split", "name.unknown")
POINT_LOST_RATIO = 5.0  # from this far off, a value written without a point may have lost it
TINY_RATIO = 0.01  # actual a hundredth of a duration or count target
FAR_BUDGET = 10.0  # a higher-is-better percentage using 10x its error budget (99.9 vs 99.0)
MIN_UPTIME = 50.0  # uptime, availability, success rate below this %
MIN_COMMITMENT = 90.0  # nobody commits to less than this % of uptime or success
DUE_BEFORE_REVIEW_DAYS = 31  # an action due this long before its review is doubtful
DUE_AFTER_REVIEW_DAYS = 366  # and one due more than a year after it


def _with(target: Target, actual: Actual, what: str, **changes: Any) -> tuple[Target, Actual]:
    """The pair with the `what` side ("target" or "actual") changed."""
    if what == "target":
        return replace(target, **changes), actual
    return target, replace(actual, **changes)


def _far(target: Target, actual: Actual) -> bool:
    ratio = _ratio(target, actual)
    return ratio is not None and (ratio >= FAR_RATIO or ratio <= 1 / FAR_RATIO)


def _implausible(info: vocab.NameInfo, target: Target, actual: Actual) -> bool:
    """A target that is no percentage, or far off the actual."""
    if target.value is None:
        return False
    if target.unit == "%":
        low = MIN_UPTIME if info.direction == vocab.HIGHER and info.unit == "%" else 0
        return not low <= target.value <= 100
    return _far(target, actual)


def _percent_verdict(op: str, target: float, actual: float, near_miss_at: float) -> int:
    """0 met, 1 near miss, 2 breach, roughly (parse does not judge; this only tells whether a
    doubtful digit matters)."""
    holds = {
        "<": actual < target,
        "<=": actual <= target,
        ">": actual > target,
        ">=": actual >= target,
    }.get(op, True)
    if not holds:
        return 2
    if op in ("<", "<="):
        used = actual / target if target > 0 else 0.0
    elif target < 100:
        used = (100 - actual) / (100 - target)
    else:
        used = 0.0
    return 1 if used >= near_miss_at - 1e-9 else 0


def _written_op(text: str) -> bool:
    return read_value(text).op is not None


def _ratio(target: Target, actual: Actual) -> float | None:
    if target.value is None or actual.value is None or target.value <= 0 or actual.value <= 0:
        return None
    t, a = target.value, actual.value
    if target.unit != actual.unit:
        ts, as_ = vocab.to_seconds(t, target.unit), vocab.to_seconds(a, actual.unit)
        if ts is None or as_ is None:
            return None
        t, a = ts, as_
    return a / t
