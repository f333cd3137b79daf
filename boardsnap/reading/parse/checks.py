"""Values that read fine one by one but are implausible together, or for their metric.

Each `check_*` function is one or more named rules of rules.CHECK_RULES: it looks at the row and
returns its hits (rule, field, the values its message names); it changes nothing. `check_row`
walks them in the order of CHECKS."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from boardsnap.config import JudgeConfig
from boardsnap.document import CANONICAL_UNITS, Actual, Target
from boardsnap.reading import vocab
from boardsnap.reading.parse.doubt import Doubt
from boardsnap.reading.parse.plausible import (
    FAR_BUDGET,
    FAR_RATIO,
    MIN_COMMITMENT,
    MIN_UPTIME,
    POINT_LOST_RATIO,
    TINY_RATIO,
    _percent_verdict,
    _ratio,
    _written_op,
)
from boardsnap.reading.parse.rules import Hit, Row, lowered
from boardsnap.reading.parse.values import Value

_NEAR_MISS_AT = JudgeConfig().near_miss_at

Check = Callable[[Row], list[Hit]]


def check_row(
    name: str,
    target: Target,
    actual: Actual,
    tv: Value | None = None,
    av: Value | None = None,
    near_miss_at: float = _NEAR_MISS_AT,
) -> Doubt:
    """The doubts of CHECKS about the row. `near_miss_at` is the judge's (JudgeConfig): only
    used to tell whether a doubtful digit changes the verdict."""
    row = Row(name, vocab.lookup(name), target, actual, tv, av, near_miss_at)
    doubt = Doubt()
    for check in CHECKS:
        doubt = lowered(doubt, check(row))
    return doubt


def _uptime_like(info: vocab.NameInfo) -> bool:
    return info.direction == vocab.HIGHER and info.unit == "%"


def check_percentages(row: Row) -> list[Hit]:
    """A percentage above 100 %, or one too low for an uptime (a target unusually low)."""
    hits = []
    for what, value in (("target", row.target.value), ("actual", row.actual.value)):
        unit = row.target.unit if what == "target" else row.actual.unit
        if value is None or unit != "%":
            continue
        values = {"what": what, "value": value, "name": row.name}
        if value > 100:
            hits.append(Hit("value.percent_above_100", what, values))
        if _uptime_like(row.info):
            if value < MIN_UPTIME:
                hits.append(Hit("value.uptime_too_low", what, values))
            elif what == "target" and value < MIN_COMMITMENT:
                hits.append(Hit("target.commitment_low", what, values))
        elif what == "target" and _far_below(row, value):
            # the name unread ("Site etine"), but the comparator says higher is better
            actual = row.actual.value
            hits.append(Hit("target.far_below_actual", what, {**values, "actual": actual}))
    return hits


def check_scale(row: Row) -> list[Hit]:
    """A value without a unit above the most its metric can take: an Apdex score is from 0 to
    1, so "1.98" beside a target of 0.85 is a misread "0.98" or worse (seed 9979's photo 35:
    judged met, not flagged)."""
    most = row.info.most
    if most is None:
        return []
    hits = []
    for what, value, unit in (
        ("target", row.target.value, row.target.unit),
        ("actual", row.actual.value, row.actual.unit),
    ):
        if value is not None and unit is None and value > most:
            values = {"what": what, "value": value, "name": row.name, "most": most}
            hits.append(Hit("value.above_scale", what, values))
    return hits


def _far_below(row: Row, target: float) -> bool:
    """A target written as a floor ('>=', '>') that is a tenth of its percentage actual or
    less: '>=9.9%' beside '99.957%' lost a digit (a floor met tenfold is no commitment)."""
    actual = row.actual.value
    return (
        row.target.op in (">", ">=")
        and row.actual.unit == "%"
        and actual is not None
        and target * FAR_RATIO <= actual
    )


def check_direction(row: Row) -> list[Hit]:
    """A written comparator that says the opposite of what the metric's name says."""
    op, info = row.target.op, row.info
    if not (op and info.direction and row.target.text):
        return []
    said = vocab.LOWER if op in ("<", "<=") else vocab.HIGHER
    if said != info.direction and _written_op(row.target.text):
        values = {"op": op, "name": row.name, "direction": info.direction}
        return [Hit("comparator.against_direction", "target", values)]
    return []


def check_unit_one_side(row: Row) -> list[Hit]:
    """ "< 1" beside "0.43 hr": an hour, a day? For a duration a lost unit letter changes the
    verdict; and a "%" is easily read as a last digit ("99.9671" for "99.967%")."""
    if row.target.value is None or row.actual.value is None:
        return []
    hits = []
    for what, written, other in (("target", row.tv, row.av), ("actual", row.av, row.tv)):
        if written is not None and other is not None and written.unit is None and other.unit:
            # a duration by the metric's name, or by the other side's unit when the name is
            # unread ("991bency": "max 400ms" beside "106")
            duration = row.info.duration or (
                row.info.direction is None and other.unit in vocab.DURATION_SECONDS
            )
            lost = "a unit may be lost" if duration else "a '%' may be read as a digit"
            # ("%" reads as a final 1 or 7: "99.9671", "0.097")
            if duration or (other.unit == "%" and written.raw[-1:] in ("1", "7")):
                values = {"what": what, "other": other.unit, "lost": lost}
                hits.append(Hit("unit.missing_one_side", what, values))
    return hits


def check_mark_before(row: Row) -> list[Hit]:
    """A quote or question mark before the number: a digit may be lost under it. A number that
    starts at its decimal point (".88HRS" for "1.88HRS", the 1 lost): so may one before it."""
    hits = []
    for what, text in (("target", row.target.text), ("actual", row.actual.text)):
        if re.match(r"\s*['`\"‘’“”?]\s*[.,]?\d", text or ""):
            hits.append(Hit("value.mark_before_number", what, {"what": what, "text": text}))
        elif re.match(r"\s*(?:[<>≤≥=]+\s*)?[.,]\d", text or ""):
            hits.append(Hit("value.point_first", what, {"what": what, "text": text}))
    return hits


def check_units(row: Row) -> list[Hit]:
    """Units that do not compare, are not understood, or are no unit for the metric."""
    target, actual, info = row.target, row.actual, row.info
    hits = []
    if target.unit and actual.unit and target.unit != actual.unit:
        if not (target.unit in vocab.DURATION_SECONDS and actual.unit in vocab.DURATION_SECONDS):
            values = {"target": target.unit, "actual": actual.unit}
            hits.append(Hit("unit.not_comparable", "row", values))
    if info.direction is not None:
        for what, unit in (("target", target.unit), ("actual", actual.unit)):
            values = {"what": what, "unit": unit, "name": row.name}
            if unit is not None and unit not in CANONICAL_UNITS:
                hits.append(Hit("unit.not_understood", what, values))
            elif unit in vocab.DURATION_SECONDS and not info.duration and info.score >= 1.0:
                hits.append(Hit("unit.wrong_kind", what, values))
    return hits


def check_ratio(row: Row) -> list[Hit]:
    """An actual equal to its target, far off it, a hundredth of it, or off it by a decimal
    point that may be lost ("416 mins" under "< 45m": a bad month, or "41.6")."""
    target, actual, tv, av = row.target, row.actual, row.tv, row.av
    ratio = _ratio(target, actual)
    if ratio is None:
        return []
    hits = []
    if math.isclose(ratio, 1.0, rel_tol=1e-9):
        hits.append(Hit("value.equals_target", "row", {}))
    percent = (target.unit or actual.unit) == "%"
    higher = target.op in (">", ">=")
    far = (1 / ratio if higher else ratio) if not (higher and percent) else None
    texts = {"actual": actual.text, "target": target.text, "far": far}
    if far is not None and far >= FAR_RATIO:
        hits.append(Hit("value.far_off", "row", texts))
    elif ratio <= TINY_RATIO and not percent:
        hits.append(Hit("value.tiny", "row", {"times": 1 / ratio}))
    elif far is not None and far >= POINT_LOST_RATIO and tv is not None and av is not None:
        big = av if ratio > 1 else tv
        if re.fullmatch(r"\d{3,}", big.raw):
            what = "actual" if big is av else "target"
            hits.append(Hit("value.point_lost", what, {**texts, "what": what}))
    return hits


def check_error_budget(row: Row) -> list[Hit]:
    """An uptime-like actual using ten times its target's error budget (99.0 under 99.9)."""
    target, actual = row.target, row.actual
    if (
        target.unit == "%"
        and target.op in (">", ">=")
        and target.value is not None
        and actual.value is not None
        and 50 <= target.value < 100
        and actual.value <= 100
        and (100 - actual.value) >= FAR_BUDGET * (100 - target.value)
    ):
        times = (100 - actual.value) / (100 - target.value)
        return [Hit("value.budget_far", "actual", {"value": actual.value, "times": times})]
    return []


def check_nine_before_percent(row: Row) -> list[Hit]:
    """ "99.99%" may be "99.9%" with its "%" read as "9%": flagged where that 9 decides the
    verdict, as the judge would give it (the judge's near-miss threshold)."""
    target, tv, av = row.target, row.tv, row.av
    if (
        av is not None
        and tv is not None
        and av.nine_before_percent
        and target.unit == "%"
        and av.decimals > tv.decimals
        and av.value is not None
        and target.value is not None
        and target.op in (">", ">=")
        and target.value >= 90
    ):
        shorter = float(f"{av.value:.{av.decimals}f}"[:-1].rstrip("."))
        at = row.near_miss_at
        if _percent_verdict(target.op, target.value, av.value, at) != _percent_verdict(
            target.op, target.value, shorter, at
        ):
            values = {"text": row.actual.text, "shorter": shorter}
            return [Hit("value.nine_may_be_percent", "actual", values)]
    return []


CHECKS: tuple[Check, ...] = (
    check_percentages,
    check_scale,
    check_direction,
    check_unit_one_side,
    check_mark_before,
    check_units,
    check_ratio,
    check_error_budget,
    check_nine_before_percent,
)
