"""A target cell and an actual cell, each read alone."""

from __future__ import annotations

from boardsnap.document import Actual, Target
from boardsnap.reading import vocab
from boardsnap.reading.parse.doubt import Doubt
from boardsnap.reading.parse.plausible import MIN_COMMITMENT
from boardsnap.reading.parse.values import Value, normalise, read_value


def read_target(text: str, metric_name: str) -> tuple[Target, Doubt]:
    """The target and how sure it is."""
    info = vocab.lookup(metric_name)
    v = read_value(text, info.duration, direction=info.direction)
    doubt = v.doubt
    op = v.op
    if op is None:
        if info.direction == vocab.LOWER:
            op = "<="
        elif info.direction == vocab.HIGHER:
            op = ">="
        elif v.value is not None and (v.unit in vocab.DURATION_SECONDS or v.unit == "rps"):
            # a name not recognised, but its unit tells: a time to wait is better short, a
            # request rate better high
            op = "<=" if v.unit in vocab.DURATION_SECONDS else ">="
            better = "lower" if op == "<=" else "higher"
            doubt = doubt.lower(
                "doubtful",
                f"no comparator and a name not recognised: {better} taken as better ({v.unit})",
                "comparator.from_unit",
                "target",
            )
        elif v.value is not None and v.unit == "%" and MIN_COMMITMENT <= v.value <= 100:
            # nobody commits to 99.9 % of errors: a share that high is an uptime or success rate
            op = ">="
            doubt = doubt.lower(
                "doubtful",
                f"no comparator and a name not recognised: higher taken as better ({v.value:g} %)",
                "comparator.from_percent",
                "target",
            )
    unit = v.unit
    if unit is None and v.value is not None and info.unit == "%" and 0 <= v.value <= 100:
        unit = "%"  # "99.9" for uptime
        doubt = doubt.lower("spacing")
    if v.value is None:
        doubt = doubt.lower(
            "absent",
            "target value unreadable" if text.strip() else "no target",
            "target.absent",
            "target",
        )
    return Target(op, v.value, unit, normalise(text)), doubt.about("target")


def parse_target(text: str, metric_name: str) -> Target:
    """A target cell ("< 200ms", "≥ 99.9 %", "three nines", "max 4h") for a metric of this name.

    Without a comparator the op comes from the name (`<=` lower-is-better, `>=` higher-is-better,
    None when the name does not tell)."""
    return read_target(text, metric_name)[0]


def read_actual(
    text: str, metric_name: str, target: Target | None = None
) -> tuple[Actual, Doubt, Value]:
    info = vocab.lookup(metric_name)
    v = read_value(text, info.duration, direction=info.direction)
    doubt = v.doubt
    unit = v.unit
    if unit is None and v.value is not None:
        if target is not None and target.unit is not None:
            unit = target.unit  # "240" under a target in ms
            doubt = doubt.lower("glyph")
        elif info.unit == "%" and 0 <= v.value <= 100:
            unit = "%"
            doubt = doubt.lower("glyph")
    if v.value is None:
        doubt = doubt.lower(
            "absent",
            "actual value unreadable" if text.strip() else "no actual value",
            "actual.absent",
            "actual",
        )
    return Actual(v.value, unit, normalise(text)), doubt.about("actual"), v


def parse_actual(text: str, metric_name: str, target: Target | None = None) -> Actual:
    """An actual cell ("240ms", "99.95 %"); without a unit it takes the target's."""
    return read_actual(text, metric_name, target)[0]
