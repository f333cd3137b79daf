"""One metric row from its cells, or from a line of text."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from boardsnap.document import Metric
from boardsnap.reading import vocab
from boardsnap.reading.parse.actions import _has_owner
from boardsnap.reading.parse.checks import check_row
from boardsnap.reading.parse.context import ParseContext
from boardsnap.reading.parse.marks import mark_written, parse_mark
from boardsnap.reading.parse.names import _percentile_guess, match_metric_name
from boardsnap.reading.parse.repairs import repair_row
from boardsnap.reading.parse.targets import read_actual, read_target
from boardsnap.reading.parse.values import _has_number, normalise, read_value
from boardsnap.reading.results import OcrText

_POSITIONAL = {"name": 0, "target": 1, "actual": 2, "mark": 3}


def _cell(row: tuple[OcrText, ...], i: int | None) -> OcrText | None:
    return row[i] if i is not None and 0 <= i < len(row) else None


def _conf(cell: OcrText | None) -> float:
    if cell is None or not cell.text.strip():
        return 1.0
    c = cell.confidence
    if not isinstance(c, (int, float)) or math.isnan(c):
        return 0.0
    return min(1.0, max(0.0, float(c)))


def _unsure_digit(cell: OcrText, limit: float) -> str | None:
    """Which digit of the cell OCR read less surely than `limit`, in words, if any.

    A line's confidence is the mean over its characters, so one doubtful digit among five sure
    ones hardly lowers it; a digit misread is the error that changes a verdict."""
    digits = [
        (i, conf)
        for i, (ch, conf) in enumerate(zip(cell.text, cell.char_confidences, strict=False))
        if ch.isdigit() or ch in ".,"
    ]
    if not digits:
        return None
    i, conf = min(digits, key=lambda d: d[1])
    if conf >= limit:
        return None
    return f"the {cell.text[i]!r} at character {i + 1} is unsure ({conf:.2f})"


@lru_cache(maxsize=64)
def _folded(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(vocab.fold(n) for n in names)


def build_metric(
    name_cell: OcrText | None,
    target_cell: OcrText | None,
    actual_cell: OcrText | None,
    mark_cell: OcrText | None,
    ctx: ParseContext,
    notes: bool = False,
) -> tuple[Metric, list[str]]:
    """One metric row from its cells, with its doubts; and the warnings it raises. `notes`:
    the mark's column is headed as notes, whose writing need not be a mark."""
    raw_name = name_cell.text if name_cell else ""
    name, name_score = match_metric_name(raw_name, ctx.name_match)
    target, tdoubt = read_target(target_cell.text if target_cell else "", name)
    info = vocab.lookup(name)
    tv = read_value(target.text, info.duration, direction=info.direction)
    actual, adoubt, av = read_actual(actual_cell.text if actual_cell else "", name, target)
    mark = parse_mark(mark_cell.text) if mark_cell else None
    if mark is None and av.rest:
        mark = parse_mark(av.rest)
    target, actual, rdoubt = repair_row(name, target, actual, tv, av)
    cdoubt = check_row(name, target, actual, tv, av, ctx.near_miss_at)
    doubt = tdoubt + adoubt + rdoubt + cdoubt
    warnings = []
    guessed = _percentile_guess(raw_name, name)
    if guessed:
        doubt = doubt.lower("glyph", guessed, "name.percentile_guessed", "name")
    if not name:
        doubt = doubt.lower("implausible", "metric name unreadable", "name.absent", "name")
        warnings.append("metric name unreadable")
    elif not vocab.is_known_name(name) and vocab.fold(name) not in _folded(ctx.metrics):
        # "Ukire" for Uptime, "P95 \atency": a name no vocabulary, roster or earlier review of
        # the team knows is more often misread than new (every such unflagged row of seven
        # seeds was wrong); `[team] metrics` and the history's names are known
        reason = f"name {name!r} is not a metric name BoardSnap or the team knows; check it"
        doubt = doubt.lower("ocr", reason, "name.unknown", "name")
    if target.value is None:
        warnings.append("target value unreadable")
    if actual.value is None:
        warnings.append("actual value unreadable" if actual.text else "no actual value")
    if mark is None and mark_cell is not None and not notes and mark_written(mark_cell.text):
        # the board says something beside the row that is not read as a mark ("DRERH", "0s"):
        # said, not lost (the judge has no board's verdict to check its own against)
        reason = f"status {mark_cell.text!r} not read as met, near miss or breach"
        doubt = doubt.lower("ocr", reason, "mark.unread", "mark")
    if target.op is None and target.value is not None:
        doubt = doubt.lower(
            "doubtful",
            "no comparator, and the name does not tell whether lower or higher is better",
            "direction.unknown",
            "target",
        )
    for what, cell in (("target", target_cell), ("actual", actual_cell)):
        c = _conf(cell)
        if c < ctx.low_confidence:
            doubt = doubt.lower(
                "ocr", f"{what} read with low OCR confidence ({c:.2f})", "ocr.low_confidence", what
            )
        elif cell is not None and (unsure := _unsure_digit(cell, ctx.low_digit_confidence)):
            doubt = doubt.lower("ocr", f"{what} {cell.text!r}: {unsure}", "ocr.digit_unsure", what)
    if _conf(name_cell) < ctx.low_confidence and name_score < ctx.name_match:
        doubt = doubt.lower(
            "ocr",
            f"name read with low OCR confidence ({_conf(name_cell):.2f})",
            "ocr.low_confidence",
            "name",
        )
    ocr = min(_conf(c) for c in (name_cell, target_cell, actual_cell))
    boxes = tuple(
        tuple(int(v) for v in c.box)  # type: ignore[misc]
        for c in (name_cell, target_cell, actual_cell, mark_cell)
        if c is not None and c.box is not None
    )
    metric = Metric(
        name=name,
        target=target,
        actual=actual,
        confidence=round(max(0.0, min(1.0, ocr * doubt.certainty_in(ctx.parse))), 3),
        needs_review=bool(doubt.reasons),
        board_mark=mark,
        review_reasons=doubt.reasons,
        review_codes=doubt.codes,
        cell_boxes=boxes,  # type: ignore[arg-type]
    )
    return metric, warnings


def split_row_line(text: str) -> tuple[str, str, str, str] | None:
    """(name, target, actual, rest) from a table row read as one line, or None if it is none."""
    t = normalise(text)
    if "|" in t:
        parts = [p.strip() for p in t.split("|")]
        parts = [p for p in parts if p]
        values = " ".join(parts[1:3])
        if len(parts) >= 2 and re.search(r"[A-Za-z]", parts[0]) and _has_number(values):
            parts += ["", "", ""]
            return parts[0], parts[1], parts[2], " ".join(parts[3:]).strip()
    if _has_owner(t) or not _has_number(t):
        return None
    tokens = t.split()
    for i in range(1, len(tokens)):
        if _starts_value(tokens[i:]):
            name = " ".join(tokens[:i])
            break
    else:
        return None
    if name.endswith(":") or not re.search(r"[A-Za-z]{2}", name):
        return None
    rest = " ".join(tokens[i:])
    first = read_value(rest, in_cell=False)
    if first.value is None:
        return None
    target_text = rest[: len(rest) - len(first.rest)].strip() if first.rest else rest
    second = read_value(first.rest, in_cell=False) if first.rest else None
    if second is not None and second.value is not None:
        actual_text = (
            first.rest[: len(first.rest) - len(second.rest)].strip() if second.rest else first.rest
        )
        return name, target_text, actual_text.strip(), second.rest
    return name, target_text, "", first.rest


def _starts_value(tokens: list[str]) -> bool:
    tok = tokens[0]
    low = tok.lower()
    if re.match(r"^(?:[<>≤≥¢«»]|=<|=>)", tok):
        return True
    if re.fullmatch(r"[~≈]?\d[\d.,]*(?:%|[a-z/]+)?", low) and not re.fullmatch(r"\dxx\w*", low):
        return True
    nxt = tokens[1].lower() if len(tokens) > 1 else ""
    if low in ("under", "below", "above", "over", "max", "min", "maximum", "minimum") and re.match(
        r"[\d.]", nxt
    ):
        return True
    if low == "at" and nxt in ("least", "most"):
        return True
    if re.fullmatch(r"[1-6]\s*[x×*]\s*9", low) or (low in ("x", "×") and nxt == "9"):
        return True
    return bool(
        (low in vocab.NINES_WORDS or low in "123456")
        and (nxt.startswith("nine") or nxt in ("9s", "9's") or nxt.startswith("x9"))
    )
