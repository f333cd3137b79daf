"""Slips that only show when a row's two values are read together, undone where one reading
is clearly the intended one; every repair is a reason to review the row.

Each `fix_*` function is one or two named rules of rules.REPAIR_RULES: it takes the row as
repaired so far and returns it with its hits (rule, field, the values its message names).
`repair_row` walks them in the order of REPAIRS."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace

from boardsnap.document import CANONICAL_UNITS, Actual, Target
from boardsnap.reading import vocab
from boardsnap.reading.parse.doubt import Doubt
from boardsnap.reading.parse.plausible import MIN_COMMITMENT, MIN_UPTIME, _far, _implausible, _with
from boardsnap.reading.parse.rules import Hit, Row, lowered
from boardsnap.reading.parse.values import Value, _to_number

_SUBSECOND_UNITS = ("ns", "us", "µs", "μs")

Fix = Callable[[Row], tuple[Row, list[Hit]]]


def repair_row(
    name: str,
    target: Target,
    actual: Actual,
    tv: Value,
    av: Value,
) -> tuple[Target, Actual, Doubt]:
    """The row with the slips of REPAIRS undone, and a doubt naming each repair.

    - a unit word that is no unit, close to one that fits the metric ("rea/s", "mbec", "MN");
      "ns"/"µs" on a duration metric, a misread "ms";
    - a bare "m" (minutes) that only makes sense as "ms" next to the other value in ms;
    - a percentage above 100 % whose decimal point was lost ("9995%" is 99.95 %);
    - a ">" read as a leading 7 ("799%" is "> 99%", "70.8" is "> 0.8");
    - an "s" read as a final 5 on a duration without unit ("<25" beside "0.945" is < 2 s)."""
    row = Row(name, vocab.lookup(name), target, actual, tv, av)
    doubt = Doubt()
    for fix in REPAIRS:
        row, hits = fix(row)
        doubt = lowered(doubt, hits)
    return row.target, row.actual, doubt


def _sides(row: Row) -> tuple[tuple[str, Value], tuple[str, Value]]:
    assert row.tv is not None and row.av is not None
    return ("target", row.tv), ("actual", row.av)


def _pair(row: Row, pair: tuple[Target, Actual]) -> Row:
    return replace(row, target=pair[0], actual=pair[1])


def fix_unit_spelling(row: Row) -> tuple[Row, list[Hit]]:
    """Units that are no units: the closest spelling, or a close one that keeps the two values
    in proportion ("100 wsec" beside "40msec" is msec, though "sec" is spelt closer). A unit
    word far from any unit ("36.1w" beside "24 hours") is taken as the other value's unit when
    that keeps the two in proportion; the target is tried again after the actual, so that
    "1000rea/s" can follow "1034aps" once that is read as rps."""
    hits = []
    info = row.info
    for what in ("target", "actual", "target"):
        target, actual = row.target, row.actual
        this, other = (target, actual) if what == "target" else (actual, target)
        if this.unit is None or this.unit in CANONICAL_UNITS or this.unit == "m":
            continue
        options = _unit_options(this.unit, info, other.unit)
        fits = [u for u in options if not _far(*_with(target, actual, what, unit=u))]
        if not fits and _unit_of_a_kind(other.unit, info) and this.value and other.value:
            if not _far(*_with(target, actual, what, unit=other.unit)):
                fits = [str(other.unit)]
        fits = fits or options
        if not fits:
            continue
        row = _pair(row, _with(target, actual, what, unit=fits[0]))
        hits.append(Hit("unit.misspelt", what, {"what": what, "unit": this.unit, "fixed": fits[0]}))
    return row, hits


def fix_uptime_leading_digit(row: Row) -> tuple[Row, list[Hit]]:
    """A percentage of uptime far too low or above 100 % that one misread leading digit
    explains: "19.844 %" is 99.844 % (a 9 read as 1), "199.976 %" is 99.976 % (a stray 1)."""
    hits: list[Hit] = []
    if not (row.info.direction == vocab.HIGHER and row.info.unit == "%"):
        return row, hits
    for what, v in _sides(row):
        this = row.target if what == "target" else row.actual
        raw = v.raw.translate(vocab.DIGIT_FIXES)
        if this.unit != "%" or this.value is None or not re.fullmatch(r"\d+\.\d{2,}", raw):
            continue
        if this.value < MIN_UPTIME:
            # a first 9 misread, or (for "9.953") one of two 9s lost: only one of them may fit
            options = {float("9" + raw[1:])} | ({float("9" + raw)} if raw[0] == "9" else set())
            fits = [o for o in options if MIN_COMMITMENT <= o <= 100]
            fixed = fits[0] if len(fits) == 1 else -1.0
        elif this.value > 100 and raw.startswith("1"):
            fixed = float(raw[1:])
        else:
            continue
        if MIN_COMMITMENT <= fixed <= 100:
            row = _pair(row, _with(row.target, row.actual, what, value=fixed, unit="%"))
            values = {"what": what, "raw": raw, "name": row.name, "fixed": fixed}
            hits.append(Hit("value.uptime_digit_misread", what, values))
    return row, hits


def fix_m_as_ms(row: Row) -> tuple[Row, list[Hit]]:
    """A bare "m" beside milliseconds, far off as minutes and not as ms."""
    hits = []
    for what in ("target", "actual"):
        target, actual = row.target, row.actual
        this = target if what == "target" else actual
        other_unit = actual.unit if what == "target" else target.unit
        if (
            this.unit == "min"
            and other_unit == "ms"
            and re.search(r"\d\s*m(?![A-Za-z])", this.text, re.IGNORECASE)
        ):
            as_ms = _with(target, actual, what, unit="ms")
            if _far(target, actual) and not _far(*as_ms):
                row = _pair(row, as_ms)
                hits.append(Hit("unit.m_read_as_ms", what, {"what": what, "text": this.text}))
    return row, hits


def fix_leading_op_digit(row: Row) -> tuple[Row, list[Hit]]:
    """A ">" read as a leading 7, a "≥" as a leading 2 ("21000RPS" beside "1809QPS")."""
    tv, target, info = row.tv, row.target, row.info
    assert tv is not None
    if (
        tv.op_written
        or info.direction == vocab.LOWER
        or tv.raw[:1] not in ("7", "2")
        or len(tv.raw) <= 1
        or target.value is None
    ):
        return row, []
    rest, _, _ = _to_number(tv.raw[1:], Doubt(), True)
    if rest is None or rest <= 0:
        return row, []
    op = ">" if tv.raw[0] == "7" else ">="
    alt = replace(target, op=op, value=rest)
    if _implausible(info, target, row.actual) and not _implausible(info, alt, row.actual):
        values = {"text": alt.text, "digit": tv.raw[0], "op": op}
        return replace(row, target=alt), [Hit("comparator.read_as_leading_digit", "target", values)]
    return row, []


def fix_percent_as_digit(row: Row) -> tuple[Row, list[Hit]]:
    """A "%" read as a final 1 or 7 ("17" beside "≤1%"), where the value is far off the other
    as read and in proportion without that digit."""
    hits = []
    for what, v in _sides(row):
        target, actual = row.target, row.actual
        this, other = (target, actual) if what == "target" else (actual, target)
        raw = v.raw.translate(vocab.DIGIT_FIXES)
        if (
            v.unit is None
            and other.unit == "%"
            and re.fullmatch(r"\d+(?:\.\d*)?[17]", raw)  # one point at most: "99.9.57" is none
            and not raw.endswith(".1")
            and not raw.endswith(".7")
            and _far(target, actual)
        ):
            alt = _with(target, actual, what, value=float(raw[:-1]), unit="%")
            if not _far(*alt):
                row = _pair(row, alt)
                values = {"what": what, "text": this.text, "digit": raw[-1]}
                hits.append(Hit("unit.percent_read_as_digit", what, values))
    return row, hits


def fix_percent_point(row: Row) -> tuple[Row, list[Hit]]:
    """A decimal point lost in a percentage ("9995%", "999517"); for an uptime target, "298%"
    is "≥ 98%" (29.8 % is no commitment): the comparator read as a digit."""
    tv, info = row.tv, row.info
    assert tv is not None and row.av is not None
    hits = []
    for what, v in _sides(row):
        this = row.target if what == "target" else row.actual
        raw = v.raw.translate(vocab.DIGIT_FIXES)
        if not (
            this.unit == "%"
            and this.value is not None
            and this.value > 100
            and re.fullmatch(r"\d{3,}", raw)
        ):
            continue
        other = row.actual if what == "target" else row.target
        fixed = _decimal_point_back(raw, other.value if other.unit == "%" else None)
        as_op = float(raw[1:]) if raw[0] in "27" and len(raw) > 2 else None
        if (
            what == "target"
            and as_op is not None
            and not tv.op_written
            and info.direction == vocab.HIGHER
            and info.unit == "%"
            and fixed < MIN_COMMITMENT <= as_op <= 100
        ):
            op = ">" if raw[0] == "7" else ">="
            row = replace(row, target=replace(row.target, op=op, value=as_op))
            values = {"raw": raw, "digit": raw[0], "op": op}
            hits.append(Hit("comparator.percent_read_as_leading_digit", "target", values))
            continue
        if fixed <= 100:
            row = _pair(row, _with(row.target, row.actual, what, value=fixed))
            values = {"what": what, "raw": raw, "fixed": fixed}
            hits.append(Hit("value.percent_point_lost", what, values))
    return row, hits


def fix_duration_final_five(row: Row) -> tuple[Row, list[Hit]]:
    """An "s" read as a final 5 on a duration with no unit written; and a duration with no
    unit on either value, which is worth a look."""
    tv, av, target, actual = row.tv, row.av, row.target, row.actual
    assert tv is not None and av is not None
    if not row.info.duration:
        return row, []
    t5, a5 = _final_five(tv), _final_five(av)
    t_s = (
        tv.unit is None
        and t5 is not None
        and (av.unit == "s" or (av.unit is None and a5 is not None))
    )
    a_s = (
        av.unit is None
        and a5 is not None
        and (tv.unit == "s" or (tv.unit is None and t5 is not None))
    )
    # beside another duration unit, only when the value as written is far off the other
    # and in seconds it is not ("< 25" beside "469 ms" is < 2 s; "877.35" under "< 45 min"
    # is 877.3 s)
    if not t_s and tv.unit is None and t5 is not None and av.unit in vocab.DURATION_SECONDS:
        alt = replace(target, value=t5, unit="s")
        t_s = _far(replace(target, unit=av.unit), actual) and not _far(alt, actual)
    if not a_s and av.unit is None and a5 is not None and tv.unit in vocab.DURATION_SECONDS:
        alt_a = replace(actual, value=a5, unit="s")
        a_s = _far(target, replace(actual, unit=tv.unit)) and not _far(target, alt_a)
    hits = []
    if t_s:
        target = replace(target, value=t5, unit="s")
        hits.append(Hit("unit.s_read_as_5", "target", {"what": "target", "text": target.text}))
    if a_s:
        actual = replace(actual, value=a5, unit="s")
        hits.append(Hit("unit.s_read_as_5", "actual", {"what": "actual", "text": actual.text}))
    if (
        tv.unit is None
        and av.unit is None
        and not (t_s or a_s)
        and target.value is not None
        and actual.value is not None
    ):
        hits.append(Hit("unit.none_on_duration", "row", {"name": row.name}))
    return replace(row, target=target, actual=actual), hits


REPAIRS: tuple[Fix, ...] = (
    fix_unit_spelling,
    fix_uptime_leading_digit,
    fix_m_as_ms,
    fix_leading_op_digit,
    fix_percent_as_digit,
    fix_percent_point,
    fix_duration_final_five,
)


def _unit_options(unit: str | None, info: vocab.NameInfo, other: str | None) -> list[str]:
    """For a unit word that is none of the canonical units, the units that fit the metric it
    may be a misspelling of, closest first; [] for a canonical unit or a word kept as it is."""
    if unit is None or unit in CANONICAL_UNITS or unit == "m":
        return []
    if info.duration and unit in _SUBSECOND_UNITS:
        return ["ms"]
    if info.duration:
        allowed = set(vocab.DURATION_SECONDS)
    elif info.unit is not None:
        allowed = {info.unit}
    elif other in CANONICAL_UNITS:
        allowed = {other}
    else:
        return []
    best: dict[str, float] = {}
    slip = vocab.UNIT_SLIPS.get(unit)
    if slip is not None:
        canon = vocab.canonical_unit(slip, info.duration or other in vocab.DURATION_SECONDS)
        if canon in allowed:
            best[canon] = 1.0  # "6.24 n" beside "≤5min" is minutes
    for alias, canon in vocab.UNIT_ALIASES.items():
        if canon not in allowed or len(alias) < 2:
            continue
        sim = vocab.similarity(unit, alias) + (0.01 if canon == other else 0.0)
        if sim >= 0.65 and sim > best.get(canon, 0.0):
            best[canon] = sim
    return sorted(best, key=lambda c: -best[c])


def _decimal_point_back(raw: str, near: float | None) -> float:
    """A percentage above 100 % read from digits whose decimal point was lost: beside the row's
    other percentage, the reading of at most 100 % closest to it ("197" beside 2 % is 1.97,
    beside 99.9 % it would be 19.7); alone, two digits before the point ("9995" is 99.95)."""
    fallback = float(raw[:2] + "." + raw[2:])
    options = [float(raw[:i] + "." + raw[i:]) for i in range(1, len(raw))]
    options = [v for v in options if 0 < v <= 100]
    if near is None or near <= 0 or not options:
        return fallback
    return min(options, key=lambda v: abs(math.log(v / near)))


def _unit_of_a_kind(unit: str | None, info: vocab.NameInfo) -> bool:
    """Whether `unit` is a canonical unit of the kind the metric is measured in (any duration
    for a duration, the name's own unit, or any unit when the name does not tell)."""
    if unit is None or unit not in CANONICAL_UNITS:
        return False
    if info.duration:
        return unit in vocab.DURATION_SECONDS
    return info.unit is None or unit == info.unit


def _final_five(v: Value) -> float | None:
    """The value without its last digit when that is a 5 that may be a misread "s"."""
    raw = v.raw.translate(vocab.DIGIT_FIXES)
    if v.value is None or len(raw) < 2 or raw[-1] != "5" or not re.fullmatch(r"[\d.]+", raw):
        return None
    head = raw[:-1]
    if head.endswith(".") or head.count(".") > 1:
        return None
    return float(head)
