"""The parser's named rules: what each repair and check of a row is, as data.

A rule has an id (which is also the review code it writes), what it applies to, the
`certainty_*` factor of the `[parse]` config it lowers a row's confidence by, the kind of doubt
it raises and the reason it gives a person. The functions that find where a rule applies are in
`repairs.py` (they change a value) and `checks.py` (they only flag); `repair_row` and
`check_row` walk them in order. Each rule's cases, positive and negative, are in
tests/parse_cases/rules.json, run by tests/test_parse_rules.py.

Kinds of doubt: "repair" (a value was changed to undo a misreading), "implausible" (values kept
as read, but unlikely together or for the metric), "missing" (something the verdict may hang
on was not written).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from boardsnap.document import Actual, Target
from boardsnap.reading import vocab
from boardsnap.reading.parse.doubt import Doubt
from boardsnap.reading.parse.values import Value


@dataclass(frozen=True)
class Rule:
    id: str  # the review code it writes ("unit.s_read_as_5")
    applies_to: str  # the rows it looks at, in words
    certainty: str  # the ParseConfig factor, without its "certainty_" prefix
    doubt: str  # repair | implausible | missing
    message: str  # the reason for a person: str.format of the hit's values


@dataclass(frozen=True)
class Row:
    """A row's two values as read (`tv`, `av`: the cells' readings) and as repaired so far."""

    name: str
    info: vocab.NameInfo
    target: Target
    actual: Actual
    tv: Value | None = None
    av: Value | None = None
    near_miss_at: float = 0.9  # the judge's, passed in by the caller (JudgeConfig)


@dataclass(frozen=True)
class Hit:
    """One rule applied to one field of a row, with the values its message names."""

    rule: str
    field: str  # target, actual, or row (both values)
    values: dict[str, Any]


REPAIR_RULES = (
    Rule(
        "unit.misspelt",
        "a unit word that is no unit, close to one that fits the metric or the other value",
        "guessed",
        "repair",
        "{what} unit {unit!r} read as {fixed}",
    ),
    Rule(
        "value.uptime_digit_misread",
        "an uptime-like percentage below 50 % or above 100 % that one leading digit explains",
        "implausible",
        "repair",
        "{what} {raw} % is implausible for {name}: read as {fixed:g} %",
    ),
    Rule(
        "unit.m_read_as_ms",
        "a value in minutes written 'm' beside one in ms, far off as minutes",
        "misread",
        "repair",
        "{what} {text!r}: 'm' read as ms (minutes would be far off the other value)",
    ),
    Rule(
        "comparator.read_as_leading_digit",
        "a target with no comparator written whose leading 7 or 2 is a '>' or '≥'",
        "misread",
        "repair",
        "target {text!r}: the leading {digit} read as '{op}'",
    ),
    Rule(
        "unit.percent_read_as_digit",
        "a value without unit beside a percentage, whose final 1 or 7 is the '%'",
        "misread",
        "repair",
        "{what} {text!r}: the final {digit} read as the '%'",
    ),
    Rule(
        "comparator.percent_read_as_leading_digit",
        "an uptime target above 100 % whose leading 2 or 7 is the comparator",
        "misread",
        "repair",
        "target {raw} %: the leading {digit} read as {op}",
    ),
    Rule(
        "value.percent_point_lost",
        "a percentage above 100 % written without a decimal point",
        "implausible",
        "repair",
        "{what} {raw} % is above 100 %: read as {fixed:g} % (a decimal point lost)",
    ),
    Rule(
        "unit.s_read_as_5",
        "a duration written without a unit: the 's' read as a final 5",
        "misread",
        "repair",
        "{what} {text!r}: the final 5 read as 's'",
    ),
    Rule(
        "unit.none_on_duration",
        "a duration metric with no unit written on either value",
        "doubtful",
        "missing",
        "no unit written for {name}, a duration",
    ),
)

CHECK_RULES = (
    Rule(
        "value.percent_above_100",
        "a percentage above 100 %",
        "implausible",
        "implausible",
        "{what} {value:g} % is above 100 %",
    ),
    Rule(
        "value.above_scale",
        "a value without a unit above the most its metric can take (an Apdex score above 1)",
        "implausible",
        "implausible",
        "{what} {value:g} is above {most:g}, the most {name} can be",
    ),
    Rule(
        "value.uptime_too_low",
        "an uptime-like percentage below 50 %",
        "implausible",
        "implausible",
        "{what} {value:g} % is implausibly low for {name}",
    ),
    Rule(
        "target.commitment_low",
        "an uptime-like target from 50 % to below 90 %",
        "misread",
        "implausible",
        "a target of {value:g} % is unusually low for {name}: a digit may be misread",
    ),
    Rule(
        "target.far_below_actual",
        "a percentage target written as a floor, a tenth of the actual or less (name unread)",
        "misread",
        "implausible",
        "a target of {value:g} % is a tenth of the actual {actual:g} % or less: a digit may be"
        " lost",
    ),
    Rule(
        "comparator.against_direction",
        "a written comparator that says the opposite of the metric's direction",
        "misread",
        "implausible",
        "comparator {op} but {name} is {direction}-is-better",
    ),
    Rule(
        "unit.missing_one_side",
        "a value without unit beside one with a unit (a duration, or a percentage ending 1 or 7)",
        "doubtful",
        "missing",
        "no unit on the {what} (the other is in {other}): {lost}",
    ),
    Rule(
        "value.mark_before_number",
        "a quote or question mark before the number",
        "guessed",
        "implausible",
        "{what} {text!r}: a mark before the number, a digit may be lost",
    ),
    Rule(
        "value.point_first",
        "a number written from its decimal point, no digit before it",
        "guessed",
        "implausible",
        "{what} {text!r} starts at its decimal point: a digit before it may be lost",
    ),
    Rule(
        "unit.not_comparable",
        "a target and an actual in units that do not convert",
        "implausible",
        "implausible",
        "target in {target}, actual in {actual}: not comparable",
    ),
    Rule(
        "unit.not_understood",
        "a unit word no repair could place, on a metric of known direction",
        "misread",
        "implausible",
        "{what} unit {unit!r} not understood",
    ),
    Rule(
        "unit.wrong_kind",
        "a duration unit on a known metric that is no duration",
        "misread",
        "implausible",
        "{what} unit {unit!r} is no unit for {name}",
    ),
    Rule(
        "value.equals_target",
        "an actual equal to its target",
        "doubtful",
        "implausible",
        "actual equals the target: the verdict hangs on whether the comparator is strict, "
        "which is easily misread",
    ),
    Rule(
        "value.far_off",
        "an actual 10× or more on the wrong side of its target (not uptime percentages)",
        "implausible",
        "implausible",
        "actual {actual!r} is {far:.0f}× off the target {target!r}: a digit, decimal point or "
        "unit may be misread",
    ),
    Rule(
        "value.tiny",
        "an actual a hundredth of its target or less (not percentages)",
        "implausible",
        "implausible",
        "actual is 1/{times:.0f} of the target: a digit, decimal point or unit may be misread",
    ),
    Rule(
        "value.point_lost",
        "an actual 5× off its target where the bigger value is three digits without a point",
        "guessed",
        "implausible",
        "actual {actual!r} is {far:.0f}× off the target {target!r}: a decimal point may be lost "
        "in the {what}",
    ),
    Rule(
        "value.budget_far",
        "an uptime-like actual using 10× its target's error budget",
        "implausible",
        "implausible",
        "actual {value:g} % uses {times:.0f}× the error budget: a digit may be misread",
    ),
    Rule(
        "value.nine_may_be_percent",
        "an actual ending in 9 before '%', more precise than its target, whose verdict the "
        "9 decides",
        "misread",
        "implausible",
        "actual {text!r}: the last 9 may be a misread '%' ({shorter:g} % would be judged "
        "differently)",
    ),
)

RULES = {r.id: r for r in REPAIR_RULES + CHECK_RULES}


def lowered(doubt: Doubt, hits: list[Hit]) -> Doubt:
    """The doubt with each hit's reason, code and certainty factor (its config key)."""
    for hit in hits:
        rule = RULES[hit.rule]
        message = rule.message.format(**hit.values)
        doubt = doubt.lower(rule.certainty, message, rule.id, hit.field)
    return doubt
