"""Values that read fine one by one but are implausible together."""

from __future__ import annotations

import math
import re

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
from boardsnap.reading.parse.values import Value


def check_row(
    name: str, target: Target, actual: Actual, tv: Value | None = None, av: Value | None = None
) -> Doubt:
    """Values that read fine one by one but are implausible together, or for this metric."""
    info = vocab.lookup(name)
    doubt = Doubt()
    for what, val, unit in (
        ("target", target.value, target.unit),
        ("actual", actual.value, actual.unit),
    ):
        if val is None:
            continue
        if unit == "%" and val > 100:
            doubt = doubt.lower(0.5, f"{what} {val:g} % is above 100 %")
        if unit == "%" and info.direction == vocab.HIGHER and info.unit == "%":
            if val < MIN_UPTIME:
                doubt = doubt.lower(0.5, f"{what} {val:g} % is implausibly low for {name}")
            elif what == "target" and val < MIN_COMMITMENT:
                doubt = doubt.lower(
                    0.6,
                    f"a target of {val:g} % is unusually low for {name}: a digit may be misread",
                )
    op = target.op
    if op and info.direction and target.text:
        said = vocab.LOWER if op in ("<", "<=") else vocab.HIGHER
        if said != info.direction and _written_op(target.text):
            doubt = doubt.lower(0.6, f"comparator {op} but {name} is {info.direction}-is-better")
    if target.value is not None and actual.value is not None:
        # "< 1" beside "0.43 hr": an hour, a day? For a duration a lost unit letter changes
        # the verdict; and a "%" is easily read as a last digit ("99.9671" for "99.967%")
        for what, written, other in (("target", tv, av), ("actual", av, tv)):
            if written is not None and other is not None and written.unit is None and other.unit:
                lost = "a unit may be lost" if info.duration else "a '%' may be read as a digit"
                # ("%" reads as a final 1 or 7: "99.9671", "0.097")
                if info.duration or (other.unit == "%" and written.raw[-1:] in ("1", "7")):
                    doubt = doubt.lower(
                        0.8, f"no unit on the {what} (the other is in {other.unit}): {lost}"
                    )
    for what, text in (("target", target.text), ("actual", actual.text)):
        if re.match(r"\s*['`\"‘’“”?]\s*[.,]?\d", text or ""):
            doubt = doubt.lower(
                0.7, f"{what} {text!r}: a mark before the number, a digit may be lost"
            )
    if target.unit and actual.unit and target.unit != actual.unit:
        if not (target.unit in vocab.DURATION_SECONDS and actual.unit in vocab.DURATION_SECONDS):
            doubt = doubt.lower(
                0.5, f"target in {target.unit}, actual in {actual.unit}: not comparable"
            )
    if info.direction is not None:
        for what, unit in (("target", target.unit), ("actual", actual.unit)):
            if unit is not None and unit not in CANONICAL_UNITS:
                doubt = doubt.lower(0.6, f"{what} unit {unit!r} not understood")
            elif unit in vocab.DURATION_SECONDS and not info.duration and info.score >= 1.0:
                doubt = doubt.lower(0.6, f"{what} unit {unit!r} is no unit for {name}")
    ratio = _ratio(target, actual)
    if ratio is not None and math.isclose(ratio, 1.0, rel_tol=1e-9):
        doubt = doubt.lower(
            0.8,
            "actual equals the target: the verdict hangs on whether the "
            "comparator is strict, which is easily misread",
        )
    if ratio is not None:
        percent = (target.unit or actual.unit) == "%"
        higher = target.op in (">", ">=")
        far = (1 / ratio if higher else ratio) if not (higher and percent) else None
        if far is not None and far >= FAR_RATIO:
            doubt = doubt.lower(
                0.5,
                f"actual {actual.text!r} is {far:.0f}× off the target "
                f"{target.text!r}: a digit, decimal point or unit may be "
                "misread",
            )
        elif ratio <= TINY_RATIO and not percent:
            doubt = doubt.lower(
                0.5,
                f"actual is 1/{1 / ratio:.0f} of the target: a digit, "
                "decimal point or unit may be misread",
            )
        elif far is not None and far >= POINT_LOST_RATIO and tv is not None and av is not None:
            # "416 mins" under "< 45m": a bad month, or "41.6" with its point lost
            big = av if ratio > 1 else tv
            if re.fullmatch(r"\d{3,}", big.raw):
                what = "actual" if big is av else "target"
                doubt = doubt.lower(
                    0.7,
                    f"actual {actual.text!r} is {far:.0f}× off the target {target.text!r}: "
                    f"a decimal point may be lost in the {what}",
                )
    if (
        target.unit == "%"
        and target.op in (">", ">=")
        and target.value is not None
        and actual.value is not None
        and 50 <= target.value < 100
        and actual.value <= 100
        and (100 - actual.value) >= FAR_BUDGET * (100 - target.value)
    ):
        doubt = doubt.lower(
            0.5,
            f"actual {actual.value:g} % uses "
            f"{(100 - actual.value) / (100 - target.value):.0f}× the error "
            "budget: a digit may be misread",
        )
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
        if _percent_verdict(target.op, target.value, av.value) != _percent_verdict(
            target.op, target.value, shorter
        ):
            doubt = doubt.lower(
                0.6,
                f"actual {actual.text!r}: the last 9 may be a misread '%' "
                f"({shorter:g} % would be judged differently)",
            )
    return doubt
