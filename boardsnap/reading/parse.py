"""Parse stage: what OCR read (`Reading`) → the board document (`Board`), not yet judged.

The table's cells become metric rows (name, target, actual, board mark); the free text lines
become the title (service and review date), root causes and actions. When there are no cells the
table rows are looked for among the lines ("P95 latency < 200ms 240ms"), which is how a
whole-page OCR is read.

Handwriting read by Tesseract is noisy, so every value is read with the confusions it is known to
make ("2OO" for 200, "°/o" for %, "¢" for <) undone where that is safe, and every repair or
implausible value lowers the row's confidence and is listed in `review_reasons` with
`needs_review` set. A wrong value that is not flagged is the worst outcome; flagging every row is
the second worst, so only what is doubtful is flagged.

All functions are pure and never raise on any text.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from boardsnap.document import CANONICAL_UNITS, Action, Actual, Board, Metric, RootCause, Target
from boardsnap.reading import vocab
from boardsnap.reading.results import OcrText, Reading


@dataclass(frozen=True)
class ParseContext:
    source: str
    fallback_date: date | None = None  # EXIF capture date, else the file's date
    date_order: str = "mdy"  # how short dates such as 12/01 are read: mdy | dmy
    low_confidence: float = 0.6  # OCR confidence below which a field needs review
    low_digit_confidence: float = 0.7  # a digit read less surely than this needs review
    name_match: float = 0.8  # similarity from which a read name is taken as a known name
    review_date_apart_days: int = 183  # a title's date this far from fallback_date is doubtful
    capture_date: date | None = None  # EXIF capture date: the day the board was photographed
    review_capture_days: int = 7  # a title's date this far before the capture date is doubtful
    team: tuple[str, ...] = ()  # the roster of owners ([team] members), when given
    owner_match: float = 0.6  # similarity from which a read owner is taken as a member


# ---- doubt: certainty and reasons to review ------------------------------------------------


@dataclass(frozen=True)
class Doubt:
    """How sure a reading is (0..1) and why a person should look at it (empty: no need)."""

    certainty: float = 1.0
    reasons: tuple[str, ...] = ()

    def lower(self, factor: float, reason: str | None = None) -> Doubt:
        reasons = self.reasons
        if reason and reason not in reasons:
            reasons = reasons + (reason,)
        return Doubt(self.certainty * factor, reasons)

    def __add__(self, other: Doubt) -> Doubt:
        reasons = self.reasons + tuple(r for r in other.reasons if r not in self.reasons)
        return Doubt(self.certainty * other.certainty, reasons)


# ---- reading one value: "< 200ms", "three nines", "99,9 %", "2OO ms" ------------------------


@dataclass(frozen=True)
class Value:
    op: str | None
    value: float | None
    unit: str | None
    rest: str  # what follows the value (a mark, a note, the next value on a line)
    doubt: Doubt = Doubt()
    decimals: int = 0
    nine_before_percent: bool = False  # "99.99%" may be "99.9%" with its "%" read as "9%"
    raw: str = ""  # the number as written, spaces dropped ("0.945", "9995", "7O.8")
    op_written: bool = False  # a comparator was written (or repaired), not taken from the name


_CONF = "OoCUIl|SsBZz"  # letters OCR reads for digits (a handwritten 0 left open: C, U)
_NUM_TOKEN = re.compile(
    rf"(?<![A-Za-z0-9])(?:\.(?=\d))?[0-9{_CONF}]+(?:[ ]?[.,][ ]?[0-9{_CONF}]+)*\.?"
)
_NINES = re.compile(
    r"^(?P<n>[1-6]|one|two|t?hree|four|five|six)\s*"
    r"(?:[nm][i1l|]?nes?\b|nine'?s\b|9'?s\b|[x×*]\s*9(?!\d))",
    re.IGNORECASE,
)
_PERCENT_MISREAD = re.compile(r"\s*(?:[°º]\s*/\s*[oO0°º]|(?<=[\d\s])[oO]\s*/\s*[oO](?![a-z]))")
_UNIT_AFTER = re.compile(
    r"\s*(?:%|(?:ms|msecs?|mins?|hrs?|hours?|h|d|days?|rps|qps|req/s|secs?|s)(?![A-Za-z]))",
    re.IGNORECASE,
)
_UNIT_WORD = re.compile(r"^\s*(%|[A-Za-zµ]+(?:/[A-Za-z]+)?)\.?")
_TRAILING_OPS = (
    ("or less", "<="),
    ("or lower", "<="),
    ("or fewer", "<="),
    ("or below", "<="),
    ("or more", ">="),
    ("or higher", ">="),
    ("or above", ">="),
    ("max", "<="),
    ("maximum", "<="),
    ("minimum", ">="),
    ("+", ">="),
)
_LEADING_NOISE = " \t-–—~≈*•·:=_'\"`,;()[]{}"


def normalise(text: str) -> str:
    """NFKC, typographic dashes and spaces plain; nothing that changes a value."""
    t = unicodedata.normalize("NFKC", text or "")
    return t.replace("\u00a0", " ").replace("\u2009", " ").strip()


def read_value(
    text: str, duration: bool = False, in_cell: bool = True, direction: str | None = None
) -> Value:
    """One value as written: comparator, number and unit, with OCR repairs noted in the doubt.

    `in_cell`: the text is one table cell, so digit groups split by a space ("2 00") are one
    number and a second number is suspicious; on a line of several values they are not joined.
    `direction`: the metric's (vocab.LOWER / HIGHER), used only to undo a comparator misread as
    a digit ("2 99.9%" is "≥ 99.9%" for an uptime)."""
    s = normalise(text)
    doubt = Doubt()
    if _PERCENT_MISREAD.search(s):
        s = _PERCENT_MISREAD.sub("%", s)
        doubt = doubt.lower(0.95)
    op, s, doubt = _leading_op(s, doubt)
    s = s.lstrip(_LEADING_NOISE)
    if op is None and in_cell and re.match(r"[27]\s+(?:one|two|three|four|five|six)\s", s, re.I):
        op, s, doubt = _digit_as_op(s, doubt, direction)  # "2 THREE NINES": "≥ three nines"
    nines = _NINES.match(s)
    if nines:
        n = nines.group("n").lower()
        count = vocab.NINES_WORDS.get("three" if n == "hree" else n) or int(n)
        value = round(100 - 10 ** (2 - count), count)
        if n == "hree" or nines.group(0)[len(n) :].strip()[:1] in ("m", "M"):
            doubt = doubt.lower(0.8, f"{nines.group(0)!r} read as {count} nines")
        rest = s[nines.end() :]
        unit_m = re.match(r"\s*%", rest)
        if unit_m:
            rest = rest[unit_m.end() :]
        op2, rest = _trailing_op(rest)
        return Value(
            op or op2,
            value,
            "%",
            rest.strip(),
            doubt,
            max(0, count - 2),
            op_written=(op or op2) is not None,
        )
    if op is None and in_cell:
        op, s, doubt = _digit_as_op(s, doubt, direction)
    m = _find_number(s)
    if m is None:
        return Value(op, None, None, s, doubt, op_written=op is not None)
    skipped = s[: m.start()].strip(_LEADING_NOISE + ".")
    if skipped and re.search(r"[A-Za-z]", skipped):
        # words before the number that are no comparator as written: a garbled one ("unde",
        # "at lest") is taken; anything else is noise worth a look ("about 240", "p95: 240")
        guess = _fuzzy_op(skipped) if op is None else None
        if guess is not None:
            op = guess
            doubt = doubt.lower(0.8)
        else:
            doubt = doubt.lower(0.7, f"ignored {skipped!r} before the number")
    raw = m.group(0)
    # give a trailing "s"/"S"/"B"/"Z" back to the unit ("250s" is 250 seconds), unless it
    # follows a decimal point or comes before another unit ("0.S%", "2S ms": a misread 5)
    while len(raw) > 1 and raw[-1] in "sSBZz":
        if raw[-2] in ".," or _UNIT_AFTER.match(s, m.start() + len(raw)):
            break
        raw = raw[:-1]
    if raw.endswith((".", ",")):
        doubt = doubt.lower(0.6, f"{raw!r} ends in a decimal point: a digit may be missing")
    raw = raw.rstrip(" .,")
    end = m.start() + len(raw)
    number, decimals, doubt = _to_number(raw, doubt, in_cell)
    rest = s[end:]
    if in_cell:
        more = re.match(r" (?=\d)", rest)
        if more and number is not None:
            follow = _NUM_TOKEN.match(rest, 1)
            # its digits, before a unit read glued to them ("0.2 6SECS" is 0.26 s)
            digits = re.match(r"\d+", follow.group(0)) if follow else None
            if digits:
                joined = raw.replace(" ", "") + digits.group(0)
                number, decimals, doubt = _to_number(joined, doubt, in_cell)
                doubt = doubt.lower(0.6, f"'{raw} {digits.group(0)}' read as one number")
                raw = joined
                rest = rest[1 + len(digits.group(0)) :]
    nine_pct = bool(re.fullmatch(r".*\d9", raw.replace(" ", ""))) and rest.lstrip().startswith("%")
    unit, rest = _read_unit(rest, duration)
    if op is None:
        op2, rest = _trailing_op(rest)
        op = op2
    rest = rest.strip()
    if in_cell and number is not None and _has_number(rest):
        doubt = doubt.lower(0.7, f"more than one number in {normalise(text)!r}")
    return Value(
        op, number, unit, rest, doubt, decimals, nine_pct, raw.replace(" ", ""), op is not None
    )


def _leading_op(s: str, doubt: Doubt) -> tuple[str | None, str, Doubt]:
    t = s.lstrip(" -–—~*•:")
    if re.match(r"c\s?\d", t):
        t = "<" + t[1:]  # a drawn "<" read as a lowercase c ("c1 hr"); "C.42" stays a 0
        doubt = doubt.lower(0.9)
    if t[:1] in vocab.MISREAD_COMPARATORS:
        sym = vocab.MISREAD_COMPARATORS[t[0]]
        t = sym + t[1:]
        doubt = doubt.lower(0.9)
    t = re.sub(r"^([<>])\s+=", r"\1=", t)
    glyph = re.match(r"^(?:7\s?=(?!\s*[<>=])|\((?=\s?[\d.])(?!.*\)))", t)
    if glyph:  # "7=" is a ">=" whose ">" was read as a 7; "(300" an unclosed "(" for "<"
        t = (">=" if glyph.group(0)[0] == "7" else "<") + t[glyph.end() :]
        doubt = doubt.lower(0.9)
    low = t.lower()
    for word, op in vocab.COMPARATORS:
        if " " in word and low.startswith(word.replace(" ", "")):
            # "ATLEAST99%": the words run together
            word = word.replace(" ", "")
        if low.startswith(word):
            after = t[len(word) :]
            if word[0].isalpha() and after[:1].isalpha():
                continue  # "minutes", "overall": a word, not a comparator
            if word in ("min", "minimum") and not (
                re.match(r"\s*[\d.,OoIl|]", after) or _NINES.match(after.lstrip())
            ):
                continue  # "min" not before a number ("min four nines" is one)
            return op, after.lstrip(" :"), doubt
    return None, t, doubt


def _digit_as_op(s: str, doubt: Doubt, direction: str | None) -> tuple[str | None, str, Doubt]:
    """A lone "2" or "7" before the number is a comparator read as a digit: "2 99.9%" is
    "≥ 99.9%", "7 0.8" is "> 0.8". Not when the next group is three digits ("2 000 rps" is
    2000). Always worth a look: the comparator's strictness is a guess."""
    m = re.match(
        r"^([27])\s+(?=\.?\d|(?:one|two|three|four|five|six)\s)(?!\d{3}(?![\d.,]))", s, re.I
    )
    if not m:
        return None, s, doubt
    if m.group(1) == "7":
        op = ">"
    else:
        op = "<=" if direction == vocab.LOWER else ">="
    return (
        op,
        s[m.end() :],
        doubt.lower(0.7, f"{m.group(1)!r} before the number read as the comparator {op}"),
    )


def _fuzzy_op(text: str) -> str | None:
    low = re.sub(r"\s+", " ", text.lower()).strip()
    if len(low) < 3:
        return None
    best, score = None, 0.0
    for word, op in vocab.COMPARATORS:
        if word[0].isalpha() and len(word) >= 3:
            sim = vocab.similarity(low, word)
            if sim > score:
                best, score = op, sim
    return best if score >= 0.75 else None


def _trailing_op(rest: str) -> tuple[str | None, str]:
    low = rest.strip().lower()
    for word, op in _TRAILING_OPS:
        if low.startswith(word) and not low[len(word) : len(word) + 1].isalpha():
            return op, rest.strip()[len(word) :]
    return None, rest


_ONE_AS_LETTER = re.compile(r"[Il|]")


def _find_number(s: str) -> re.Match[str] | None:
    """The first numeric token that holds a real digit, or failing that one made only of
    look-alike letters directly followed by a unit ("lOO%")."""
    fallback = None
    for m in _NUM_TOKEN.finditer(s):
        tok = m.group(0)
        if any(c.isdigit() for c in tok):
            return m
        after = s[m.end() :]
        if fallback is None and re.match(r"\s*(%|ms\b)", after) and re.search(r"[Oo]", tok):
            fallback = m
        # "<ID", "=<I SEC", "<lhr", "ISEC", "<ls": a 1 read as a letter, before a unit
        if fallback is None and tok[0] in "Il|" and _UNIT_AFTER.match(s, m.start() + 1):
            fallback = _ONE_AS_LETTER.match(s, m.start())
    return fallback


def _to_number(raw: str, doubt: Doubt, in_cell: bool) -> tuple[float | None, int, Doubt]:
    compact = raw.replace(" ", "")
    if compact != raw:
        doubt = doubt.lower(0.95)  # "99. 9": the space itself changes nothing
    fixed = compact.translate(vocab.DIGIT_FIXES)
    if fixed != compact:
        doubt = doubt.lower(0.6, f"{compact!r} read as {fixed} (letters taken for digits)")
    seps = [c for c in fixed if c in ".,"]
    if not seps:
        digits = fixed
    elif len(seps) == 1 and "," in fixed:
        head, tail = fixed.split(",")
        if len(tail) == 3 and head and head[0] != "0" and len(head) <= 3:
            digits = head + tail  # "1,500 rps": a thousands separator
        else:
            digits = head + "." + tail  # "99,9": a decimal comma
            doubt = doubt.lower(0.98)
    elif len(seps) == 1:
        digits = fixed
    elif "," in fixed and seps[-1] == "." and fixed.count(".") == 1:
        digits = fixed.replace(",", "")  # "1,000.5"
    elif re.fullmatch(r"[.,]\d+[.,]\d+", fixed):
        digits = fixed[1:]  # ".0.24": a speck before a number with its own decimal point
        doubt = doubt.lower(0.7, f"{compact!r}: the mark before the number taken for a speck")
    else:
        first = fixed.replace(",", ".").index(".")
        digits = fixed[:first] + "." + re.sub(r"[.,]", "", fixed[first + 1 :])
        doubt = doubt.lower(0.5, f"{compact!r} has more than one decimal point")
    try:
        number = float(digits)
    except ValueError:
        return None, 0, doubt.lower(0.5, f"{compact!r} is not a number")
    if not math.isfinite(number):
        return None, 0, doubt.lower(0.5, f"{compact!r} is not a number")
    if re.fullmatch(r"0\d+", digits):
        # nobody writes "021": a decimal point was lost ("0.21"); the reading says so
        digits = "0." + digits[1:]
        number = float(digits)
        doubt = doubt.lower(
            0.6, f"{compact!r} starts with 0: read as {digits} (a decimal point may be lost)"
        )
    elif re.match(r"0\d", digits):
        doubt = doubt.lower(0.6, f"{compact!r} starts with 0: a digit may be misread")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return number, decimals, doubt


def _read_unit(rest: str, duration: bool) -> tuple[str | None, str]:
    m = _UNIT_WORD.match(rest)
    if not m:
        return None, rest
    word = m.group(1)
    low = word.lower()
    if low in ("max", "maximum", "minimum", "or"):
        return None, rest
    if low not in vocab.UNIT_ALIASES and low != "m" and len(low) > 12:
        return None, rest
    return vocab.canonical_unit(word, duration), rest[m.end() :]


def _has_number(text: str) -> bool:
    return bool(re.search(r"\d", text))


# Plausibility: beyond these a value is more likely misread than true (a dropped or extra
# digit, a lost decimal point, a wrong unit), so the row needs review.
FAR_RATIO = 10.0  # actual 10x the target (lower-is-better), or target 10x the actual (higher)
# Review reasons (fragments of them) that say OCR was unsure of a character or a cell, or that
# two columns were cut apart from one cell; not that the values disagree with each other or with
# the metric. The second look weighs them apart.
READING_ONLY_DOUBTS = ("is unsure (", "low OCR confidence", "read from one cell")
POINT_LOST_RATIO = 5.0  # from this far off, a value written without a point may have lost it
TINY_RATIO = 0.01  # actual a hundredth of a duration or count target
FAR_BUDGET = 10.0  # a higher-is-better percentage using 10x its error budget (99.9 vs 99.0)
MIN_UPTIME = 50.0  # uptime, availability, success rate below this %
MIN_COMMITMENT = 90.0  # nobody commits to less than this % of uptime or success
DUE_BEFORE_REVIEW_DAYS = 31  # an action due this long before its review is doubtful
DUE_AFTER_REVIEW_DAYS = 366  # and one due more than a year after it


# ---- targets and actuals --------------------------------------------------------------------


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
                0.8, f"no comparator and a name not recognised: {better} taken as better ({v.unit})"
            )
        elif v.value is not None and v.unit == "%" and MIN_COMMITMENT <= v.value <= 100:
            # nobody commits to 99.9 % of errors: a share that high is an uptime or success rate
            op = ">="
            doubt = doubt.lower(
                0.8,
                f"no comparator and a name not recognised: higher taken as better ({v.value:g} %)",
            )
    unit = v.unit
    if unit is None and v.value is not None and info.unit == "%" and 0 <= v.value <= 100:
        unit = "%"  # "99.9" for uptime
        doubt = doubt.lower(0.95)
    if v.value is None:
        doubt = doubt.lower(0.3, "target value unreadable" if text.strip() else "no target")
    return Target(op, v.value, unit, normalise(text)), doubt


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
            doubt = doubt.lower(0.9)
        elif info.unit == "%" and 0 <= v.value <= 100:
            unit = "%"
            doubt = doubt.lower(0.9)
    if v.value is None:
        doubt = doubt.lower(0.3, "actual value unreadable" if text.strip() else "no actual value")
    return Actual(v.value, unit, normalise(text)), doubt, v


def parse_actual(text: str, metric_name: str, target: Target | None = None) -> Actual:
    """An actual cell ("240ms", "99.95 %"); without a unit it takes the target's."""
    return read_actual(text, metric_name, target)[0]


_SUBSECOND_UNITS = ("ns", "us", "µs", "μs")


def repair_row(
    name: str, target: Target, actual: Actual, tv: Value, av: Value
) -> tuple[Target, Actual, Doubt]:
    """Slips that only show when the two values of a row are read together, undone where one
    reading is clearly the intended one; every repair is a reason to review the row.

    - a unit word that is no unit, close to one that fits the metric ("rea/s", "mbec", "MN");
      "ns"/"µs" on a duration metric, a misread "ms";
    - a bare "m" (minutes) that only makes sense as "ms" next to the other value in ms;
    - a percentage above 100 % whose decimal point was lost ("9995%" is 99.95 %);
    - a ">" read as a leading 7 ("799%" is "> 99%", "70.8" is "> 0.8");
    - an "s" read as a final 5 on a duration without unit ("<25" beside "0.945" is < 2 s)."""
    info = vocab.lookup(name)
    doubt = Doubt()
    # the s of "sec" read as a final 5 ("0.75ec" is 0.7 sec, "7198.55ec" 7198.5 sec)
    for what, v in (("target", tv), ("actual", av)):
        raw = v.raw.translate(vocab.DIGIT_FIXES)
        if v.unit in ("ec", "ecs", "econd", "econds") and re.fullmatch(r"\d+(?:\.\d+)?5", raw):
            target, actual = _with(target, actual, what, value=float(raw[:-1]), unit="s")
            doubt = doubt.lower(0.6, f"{what} {raw}{v.unit}: the final 5 read as the s of sec")
    # units that are no units: the closest spelling, or a close one that keeps the two values
    # in proportion ("100 wsec" beside "40msec" is msec, though "sec" is spelt closer)
    # A unit word far from any unit ("36.1w" beside "24 hours") is taken as the other value's
    # unit when that keeps the two in proportion; the target is tried again after the actual, so
    # that "1000rea/s" can follow "1034aps" once that is read as rps.
    for what in ("target", "actual", "target"):
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
        target, actual = _with(target, actual, what, unit=fits[0])
        doubt = doubt.lower(0.7, f"{what} unit {this.unit!r} read as {fits[0]}")
    # a "q" read as a final 9 before "ps" ("9849ps" is 984 qps), or as a final 0 where the value
    # as read is far off the other and without it is not ("2840PS" beside "MIN 200 RPS")
    for what, v in (("target", tv), ("actual", av)):
        raw = v.raw.translate(vocab.DIGIT_FIXES)
        if v.unit == "ps" and re.fullmatch(r"\d{2,}[09]", raw):
            alt = _with(target, actual, what, value=float(raw[:-1]), unit="rps")
            as_read = _with(target, actual, what, unit="rps")
            if raw[-1] == "9" or (_far(*as_read) and not _far(*alt)):
                target, actual = alt
                doubt = doubt.lower(
                    0.6, f"{what} {raw}ps: the final {raw[-1]} read as the q of qps"
                )
    # a percentage of uptime far too low or above 100 % that one misread leading digit explains:
    # "19.844 %" is 99.844 % (a 9 read as 1), "199.976 %" is 99.976 % (a stray 1 before it)
    if info.direction == vocab.HIGHER and info.unit == "%":
        for what, v in (("target", tv), ("actual", av)):
            this = target if what == "target" else actual
            raw = v.raw.translate(vocab.DIGIT_FIXES)
            if this.unit != "%" or this.value is None or not re.fullmatch(r"\d+\.\d{2,}", raw):
                continue
            if this.value < MIN_UPTIME:
                # a first 9 misread, or (for "9.953") one of two 9s lost: only one of them may fit
                options = {float("9" + raw[1:])} | ({float("9" + raw)} if raw[0] == "9" else set())
                fits = [v for v in options if MIN_COMMITMENT <= v <= 100]
                fixed = fits[0] if len(fits) == 1 else -1.0
            elif this.value > 100 and raw.startswith("1"):
                fixed = float(raw[1:])
            else:
                continue
            if MIN_COMMITMENT <= fixed <= 100:
                target, actual = _with(target, actual, what, value=fixed, unit="%")
                doubt = doubt.lower(
                    0.5, f"{what} {raw} % is implausible for {name}: read as {fixed:g} %"
                )
    # a bare "m" beside milliseconds
    for what in ("target", "actual"):
        this = target if what == "target" else actual
        other_unit = actual.unit if what == "target" else target.unit
        if (
            this.unit == "min"
            and other_unit == "ms"
            and re.search(r"\d\s*m(?![A-Za-z])", this.text, re.IGNORECASE)
        ):
            as_ms = (
                (replace(target, unit="ms"), actual)
                if what == "target"
                else (target, replace(actual, unit="ms"))
            )
            if _far(target, actual) and not _far(*as_ms):
                target, actual = as_ms
                doubt = doubt.lower(
                    0.6,
                    f"{what} {this.text!r}: 'm' read as ms (minutes would "
                    "be far off the other value)",
                )
    # a ">" read as a leading 7, a "≥" as a leading 2 ("21000RPS" beside "1809QPS")
    if (
        not tv.op_written
        and info.direction != vocab.LOWER
        and tv.raw[:1] in ("7", "2")
        and len(tv.raw) > 1
        and target.value is not None
    ):
        rest, _, _ = _to_number(tv.raw[1:], Doubt(), True)
        if rest is not None and rest > 0:
            op = ">" if tv.raw[0] == "7" else ">="
            alt = replace(target, op=op, value=rest)
            if _implausible(info, target, actual) and not _implausible(info, alt, actual):
                target = alt
                doubt = doubt.lower(
                    0.6, f"target {target.text!r}: the leading {tv.raw[0]} read as '{op}'"
                )
    # a "%" read as a final 1 or 7 ("17" beside "≤1%"), where the value is far off the other
    # as read and in proportion without that digit
    for what, v in (("target", tv), ("actual", av)):
        this, other = (target, actual) if what == "target" else (actual, target)
        raw = v.raw.translate(vocab.DIGIT_FIXES)
        if (
            v.unit is None
            and other.unit == "%"
            and re.fullmatch(r"\d[\d.]*[17]", raw)
            and not raw.endswith(".1")
            and not raw.endswith(".7")
            and _far(target, actual)
        ):
            alt = _with(target, actual, what, value=float(raw[:-1]), unit="%")
            if not _far(*alt):
                target, actual = alt
                doubt = doubt.lower(
                    0.6, f"{what} {this.text!r}: the final {raw[-1]} read as the '%'"
                )
    # a decimal point lost in a percentage ("9995%", "999517")
    for what in ("target", "actual"):
        this = target if what == "target" else actual
        raw = (tv if what == "target" else av).raw.translate(vocab.DIGIT_FIXES)
        if (
            this.unit == "%"
            and this.value is not None
            and this.value > 100
            and re.fullmatch(r"\d{3,}", raw)
        ):
            other = actual if what == "target" else target
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
                # "298%" is "≥ 98%" (29.8 % is no commitment): the comparator read as a digit
                op = ">" if raw[0] == "7" else ">="
                target = replace(target, op=op, value=as_op)
                doubt = doubt.lower(0.6, f"target {raw} %: the leading {raw[0]} read as {op}")
                continue
            if fixed <= 100:
                if what == "target":
                    target = replace(target, value=fixed)
                else:
                    actual = replace(actual, value=fixed)
                doubt = doubt.lower(
                    0.5,
                    f"{what} {raw} % is above 100 %: read as {fixed:g} % (a decimal point lost)",
                )
    # an "s" read as a final 5 on a duration with no unit written
    if info.duration:
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
        if t_s:
            target = replace(target, value=t5, unit="s")
            doubt = doubt.lower(0.6, f"target {target.text!r}: the final 5 read as 's'")
        if a_s:
            actual = replace(actual, value=a5, unit="s")
            doubt = doubt.lower(0.6, f"actual {actual.text!r}: the final 5 read as 's'")
        if (
            tv.unit is None
            and av.unit is None
            and not (t_s or a_s)
            and target.value is not None
            and actual.value is not None
        ):
            doubt = doubt.lower(0.8, f"no unit written for {name}, a duration")
    return target, actual, doubt


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


def _with(target: Target, actual: Actual, what: str, **changes: Any) -> tuple[Target, Actual]:
    """The pair with the `what` side ("target" or "actual") changed."""
    if what == "target":
        return replace(target, **changes), actual
    return target, replace(actual, **changes)


def _final_five(v: Value) -> float | None:
    """The value without its last digit when that is a 5 that may be a misread "s"."""
    raw = v.raw.translate(vocab.DIGIT_FIXES)
    if v.value is None or len(raw) < 2 or raw[-1] != "5" or not re.fullmatch(r"[\d.]+", raw):
        return None
    head = raw[:-1]
    if head.endswith(".") or head.count(".") > 1:
        return None
    return float(head)


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


def _percent_verdict(op: str, target: float, actual: float) -> int:
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
    return 1 if used >= 0.9 - 1e-9 else 0


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


# ---- board marks ----------------------------------------------------------------------------

_MARK_SYMBOLS = {
    "✓": "met",
    "✔": "met",
    "☑": "met",
    "✅": "met",
    "√": "met",
    "+": "met",
    "✗": "breach",
    "✘": "breach",
    "❌": "breach",
    "×": "breach",
    "☒": "breach",
    "x": "breach",
    "⚠": "near_miss",
    "!": "near_miss",
    "~": "near_miss",
    "?": "unknown",
}
_MARK_WORDS: tuple[tuple[str, str], ...] = (
    ("near miss", "near_miss"),
    ("nearmiss", "near_miss"),
    ("near", "near_miss"),
    ("at risk", "near_miss"),
    ("close", "near_miss"),
    ("amber", "near_miss"),
    ("yellow", "near_miss"),
    ("warn", "near_miss"),
    ("warning", "near_miss"),
    ("borderline", "near_miss"),
    ("barely", "near_miss"),
    ("not met", "breach"),
    ("breach", "breach"),
    ("breached", "breach"),
    ("missed", "breach"),
    ("miss", "breach"),
    ("fail", "breach"),
    ("failed", "breach"),
    ("red", "breach"),
    ("no", "breach"),
    ("violated", "breach"),
    ("bad", "breach"),
    ("met", "met"),
    ("ok", "met"),
    ("okay", "met"),
    ("pass", "met"),
    ("passed", "met"),
    ("green", "met"),
    ("good", "met"),
    ("yes", "met"),
    ("achieved", "met"),
    ("v", "met"),
    ("unknown", "unknown"),
    ("n/a", "unknown"),
    ("na", "unknown"),
    ("tbd", "unknown"),
    ("unclear", "unknown"),
)


def parse_mark(text: str) -> str | None:
    """What was written beside a row, as met / near_miss / breach / unknown; None for nothing."""
    t = normalise(text).lower()
    t = re.sub(r"\s+", " ", t).strip(" .,:;-_'\"`()[]")
    if not t:
        return None
    for sym, mark in _MARK_SYMBOLS.items():
        if t == sym or (len(sym) == 1 and not sym.isalnum() and t.startswith(sym)):
            return mark
    words = re.findall(r"[a-z/]+", t)
    if not words:
        return None
    phrase = " ".join(words[:2])
    for w, mark in _MARK_WORDS:
        if " " in w and phrase.startswith(w):
            return mark
    first = words[0]
    for w, mark in _MARK_WORDS:
        if first == w:
            return mark
    if len(first) >= 4:
        best = max(_MARK_WORDS, key=lambda wm: vocab.similarity(first, wm[0]))
        if vocab.similarity(first, best[0]) >= 0.8:
            return best[1]
    return None


# ---- dates ----------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# a month as written, and as OCR misreads one: "Uct"/"0ct" (Oct), "Ju1" (Jul)
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|apt|may|june?|ju[l1|]y?|"
    r"aug(?:ust)?|aus|sep(?:t(?:ember)?)?|[o0ud]ct(?:ober)?|n[o0]v(?:ember)?|dec(?:ember)?|"
    r"sul)\.?"
)
# month names as OCR misreads them in handwriting: a g read as s, an r as t, an o as 0
_MONTH_SLIPS = {
    "uct": "oct",
    "dct": "oct",  # an O closed on its left read as D
    "sul": "jul",  # a J without its hook read as S
    "0ct": "oct",
    "ju1": "jul",
    "ju|": "jul",
    "aus": "aug",
    "apt": "apr",
    "n0v": "nov",
}
_D = "[0-9OoIlCU]"  # a digit, or a letter OCR reads for one (a 0 open at the top reads as C or U)
# In a dashed ISO date (its shape tells it is one) more letters stand for digits: "20Z6-O5-O9",
# "202G-05-09", "2c26-c6-28".
_DL = "[0-9OoDCcUuIl|iZzSsGbBgq]"
_DATE_DIGIT_FIXES = {
    **vocab.DIGIT_FIXES,
    **str.maketrans({"c": "0", "u": "0", "G": "6", "b": "6", "g": "9", "q": "9"}),
}
_DAY = r"\d{1,2}|\d[OoIl]|[OoIl]\d"  # "Aug 2O", "I2 May": a look-alike letter beside a digit
_DATE_PATTERNS = (
    (
        "ymd",
        re.compile(
            rf"(?<![\w/])(?P<y>{_D}{{4}})[-/.](?P<a>{_D}{{1,2}})[-/.](?P<b>{_D}{{1,2}})"
            r"(?![\w/])"
        ),
    ),
    (
        "ymd",
        re.compile(rf"(?<!\d)(?P<y>[2Z]{_DL}{{3}})-(?P<a>{_DL}{{2}})-(?P<b>{_DL}{{2}})(?![\w/])"),
    ),
    (
        "abY",
        re.compile(
            rf"(?<![\w/.])(?P<a>{_D}{{1,2}})[/.-](?P<b>{_D}{{1,2}})[/.-]"
            rf"(?P<y>{_D}{{4}}|{_D}{{2}})(?![\w/])"
        ),
    ),
    (
        "mon_d",
        re.compile(
            rf"\b{_MONTH}\s*(?P<b>{_DAY})(?:st|nd|rd|th)?\b"
            r"(?:,?\s*(?P<y>\d{4})\b)?",
            re.IGNORECASE,
        ),
    ),
    (
        "d_mon",
        re.compile(
            rf"(?<![\w/.])(?P<b>{_DAY})(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTH}\b"
            r"(?:,?\s*(?P<y>\d{4})\b)?",
            re.IGNORECASE,
        ),
    ),
    ("ab", re.compile(rf"(?<![\w/.])(?P<a>{_D}{{1,2}})/(?P<b>{_D}{{1,2}})(?![\w/])")),
)


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    year: int | None
    month: int
    day: int
    doubt: Doubt


def find_date(text: str, date_order: str = "mdy") -> DateHit | None:
    """The first date written in the text (full or short), or None."""
    hits = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            hit = _date_hit(kind, m, date_order)
            if hit is not None:
                hits.append(hit)
                break
    if not hits:
        return None
    # the earliest; at the same place the longest (a full date over its short prefix)
    return min(hits, key=lambda h: (h.start, -(h.end - h.start)))


def _digits(s: str) -> tuple[int, bool]:
    fixed = s.translate(_DATE_DIGIT_FIXES)
    return int(fixed), fixed != s


def _date_hit(kind: str, m: re.Match[str], date_order: str) -> DateHit | None:
    doubt = Doubt()
    repaired = False
    try:
        year: int | None = None
        if m.groupdict().get("y"):
            year, r = _digits(m.group("y"))
            repaired |= r
            if year < 100:
                year += 2000
            if repaired and not 2000 <= year < 2100:
                return None  # letters read as the digits of a year no review is held in
        by_name = kind.startswith("mon") or kind.startswith("d_mon")
        if sum(c.isdigit() for c in m.group(0)) < (1 if by_name else 2):
            return None  # "CI/CD", "Ol/lC": letters alone make no date
        if by_name:
            mon = m.group("mon").lower()[:3]
            month = _MONTHS[_MONTH_SLIPS.get(mon, mon)]
            day, repaired = _digits(m.group("b"))
            repaired |= mon in _MONTH_SLIPS
        elif kind == "ymd":
            month, r1 = _digits(m.group("a"))
            day, r2 = _digits(m.group("b"))
            repaired |= r1 or r2
        else:
            a, r1 = _digits(m.group("a"))
            b, r2 = _digits(m.group("b"))
            repaired |= r1 or r2
            month, day = (b, a) if date_order == "dmy" else (a, b)
            if month > 12 and day <= 12:
                month, day = day, month
                doubt = doubt.lower(0.6, f"date {m.group(0)!r} read with day and month swapped")
    except ValueError:
        return None
    if repaired:
        doubt = doubt.lower(0.6, f"date {m.group(0)!r}: letters taken for digits")
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is not None:
        try:
            date(year, month, day)
        except ValueError:
            return None
    elif day > 29 and month == 2:
        return None
    return DateHit(m.start(), m.end(), year, month, day, doubt)


def resolve_date(hit: DateHit, review_date: date | None) -> date | None:
    """A full date as written; a short one is the first such day on or after the review date."""
    if hit.year is not None:
        return date(hit.year, hit.month, hit.day)
    if review_date is None:
        return None
    for year in range(review_date.year, review_date.year + 9):
        try:
            d = date(year, hit.month, hit.day)
        except ValueError:
            continue  # 30 February, or 29 February outside a leap year
        if d >= review_date:
            return d
    return None


def parse_due(text: str, review_date: date | None, date_order: str = "mdy") -> str | None:
    """The due date written in the text, ISO, or None."""
    hit = find_date(normalise(text), date_order)
    if hit is None:
        return None
    d = resolve_date(hit, review_date)
    return d.isoformat() if d else None


# ---- title ----------------------------------------------------------------------------------

_TITLE_WORDS = re.compile(
    r"\b(?:sla|slas|slo|slos|sli|review|reviews|monthly|weekly|quarterly|meeting|report|"
    r"retro|q[1-4])\b",
    re.IGNORECASE,
)


def parse_title(text: str, date_order: str = "mdy") -> tuple[str | None, date | None]:
    """(service, review date) from a title such as "Payments API SLA review 2026-11-20"."""
    service, hit = _title_parts(text, date_order)
    if hit is None or hit.year is None:
        return service, None
    return service, date(hit.year, hit.month, hit.day)


def _title_parts(text: str, date_order: str) -> tuple[str | None, DateHit | None]:
    t = normalise(text)
    hit = find_date(t, date_order)
    if hit is not None:
        t = t[: hit.start] + " " + t[hit.end :]
    words = []
    for w in t.split():
        core = w.strip(".,:;-–—|()[]")
        if core and (_TITLE_WORDS.fullmatch(core) or _fuzzy_title_word(core)):
            words.append("")
            continue
        words.append(w)
    if hit is None:
        # a date not read ("2OZL", "1Dc 2026", "11/82026") starts at the first word with a
        # digit after the name: it is not part of the service's name
        for i, w in enumerate(words):
            if i and any(words[:i]) and _date_like(w):
                words = words[:i]
                break
    service = " ".join(w for w in words if w)
    service = re.sub(r"\(\s*\)|\[\s*\]", " ", service)
    service = re.sub(r"\b(?:19|20)\d\d\b", " ", service)
    service = re.sub(r"\s+", " ", service).strip(" .,:;-–—|/()[]#*")
    service = re.sub(r"^(?:for|of|on)\s+", "", service, flags=re.IGNORECASE)
    service = re.sub(r"\s+(?:for|of|on)$", "", service, flags=re.IGNORECASE).strip(" .,:;-–—|")
    return (service or None), hit


def _date_like(word: str) -> bool:
    """A word that is part of a date read wrong ("2OZL", "1Dc", "11/82026"), not of a name
    ("v2", "S3")."""
    w = word.strip(".,:;()[]")
    if re.search(r"\d.*\d|\d[/.-]|[/.-]\d", w):
        return True
    return bool(re.search(r"\d", w)) and len(w) >= 3 and not re.fullmatch(r"[A-Za-z]+\d+", w)


def _fuzzy_title_word(word: str) -> bool:
    low = word.lower()
    if low in ("5la", "s1a", "sia", "5l4", "sl4"):
        return True
    return len(low) >= 5 and vocab.similarity(low, "review") >= 0.8


def _looks_like_title(text: str, date_order: str) -> bool:
    t = normalise(text)
    return bool(
        re.search(r"\bsla|\bslo|review", t, re.IGNORECASE)
        or any(_fuzzy_title_word(w.strip(".,:;-|")) for w in t.split())
        or (find_date(t, date_order) is not None and not _has_owner(t))
    )


# ---- metric names ---------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-–—*•·>~+]+|\d{1,2}[.)]|\[[ xX✓]?\]|[oO]\s(?=\S))\s*")


def clean_name(text: str) -> str:
    t = normalise(text)
    t = _BULLET.sub("", t)
    t = re.sub(r"\s+", " ", t)
    return t.strip(" .,:;|-–—_'\"`")


def match_metric_name(text: str, threshold: float = 0.8) -> tuple[str, float]:
    """The name as read, with OCR slips in known words undone ("P95 Iatency" → "P95 latency"),
    and how surely it is a known SLA metric (1.0: its words are in the vocabulary; 0.0: none
    of them). The read spelling and case are kept wherever a word was read correctly."""
    name = clean_name(text)
    if not name:
        return "", 0.0
    # "P90LATENCY", "PY5LAIENCY": a percentile and the next word written together
    name = re.sub(r"\b([pP][0-9OoSsIlYyg]{2})([A-Za-z]{4,})", r"\1 \2", name)
    words = []
    split, worst = _join_split(
        [part for w in name.split(" ") for part in vocab.split_joined(w)], threshold
    )
    for i, w in enumerate(split):
        following = vocab.correct_word(split[i + 1])[0].lower() if i + 1 < len(split) else ""
        if following in vocab.PERCENTILE_WORDS:
            # before "latency" a percentile is what was written: "099", "P9C", "Pso" → P99, P90, P50
            fixed = vocab.fix_percentile_before_latency(w)
            if fixed is not None and fixed.lower() != w.lower():
                words.append(fixed)
                worst = min(worst, 0.9)
                continue
        core = w.strip(".,:;()")
        fixed, score = vocab.correct_word(core, threshold) if core else (core, 1.0)
        if fixed != core:
            w = w.replace(core, fixed)
            worst = min(worst, score)
        words.append(w)
    words, score = _fix_phrases(words, threshold)
    worst = min(worst, score)
    known, score = vocab.closest_known_name(" ".join(words), threshold)
    if known is not None:
        # "Ava response time" → "Avg response time": each word in the case it was written in
        words = [_written_case(k, w) for k, w in zip(known.split(), words, strict=True)]
        worst = min(worst, score)
    corrected = " ".join(words)
    info = vocab.lookup(corrected)
    return corrected, round(min(info.score, worst) if info.direction else info.score, 3)


def _written_case(word: str, read: str) -> str:
    """`word` in the case `read` was written in: 'AP' → 'API', 'Tob' → 'Job', 'rea' → 'req'."""
    if read.isupper() and (len(read) > 1 or len(word) > 1):
        return word.upper()
    if read[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _join_split(words: list[str], threshold: float) -> tuple[list[str], float]:
    """One vocabulary word read as two ("avail ability", "avai abili.y" → "availability"),
    and how surely (1.0: the two parts spell it exactly)."""
    out: list[str] = []
    worst = 1.0
    i = 0
    while i < len(words):
        if i + 1 < len(words):
            a, b = words[i], words[i + 1]
            if a.lower() not in vocab.NAME_WORDS and b.lower() not in vocab.NAME_WORDS:
                joined = a + b
                fixed, score = vocab.correct_word(joined, threshold)
                if joined.lower() in vocab.NAME_WORDS or (fixed != joined and score >= threshold):
                    out.append(fixed)
                    worst = min(worst, score)
                    i += 2
                    continue
        out.append(words[i])
        i += 1
    return out, worst


def _percentile_guess(raw: str, name: str) -> str | None:
    """The review reason when a percentile in the name was repaired (p50 and p95 are different
    commitments: a repaired one must be checked), else None."""
    read = re.findall(r"\b[pP]\d{2,3}\b", name)
    if not read or all(p.lower() in raw.lower() for p in read):
        return None
    return f"percentile read as {read[0]} from {raw.strip()!r}"


def _fix_phrases(words: list[str], threshold: float) -> tuple[list[str], float]:
    """Two words that read close to a two-word name of the vocabulary, one of them right:
    the other is corrected ("error ade" → "error rate", "Success rale" → "Success rate")."""
    out = list(words)
    worst = 1.0
    for i in range(len(out) - 1):
        a, b = out[i].lower(), out[i + 1].lower()
        for phrase in vocab.NAME_PHRASES:
            pa, pb = phrase.split()
            if (a == pa) == (b == pb):
                continue  # both right (nothing to do) or both wrong (no anchor)
            s = vocab.similarity(f"{a} {b}", phrase)
            wrong, right = (b, pb) if a == pa else (a, pa)
            if wrong.startswith(right) or right.startswith(wrong):
                continue  # "rates" is no misread "rate"
            if s >= max(threshold, 0.8) and len(wrong) >= 3 and wrong.isalpha():
                j = i + 1 if a == pa else i
                out[j] = vocab._same_case(pb if j == i + 1 else pa, out[j])
                worst = min(worst, s)
                break
    return out, worst


def closest_name(
    text: str, names: tuple[str, ...] | list[str], threshold: float = 0.8
) -> tuple[str | None, float]:
    """The one of `names` the text is (OCR-tolerantly) closest to, if at least `threshold`."""
    best, score = None, 0.0
    for n in names:
        s = vocab.similarity(text, n)
        if s > score:
            best, score = n, s
    return (best, score) if score >= threshold else (None, score)


# ---- actions and root causes ----------------------------------------------------------------

_OWNER_PATTERNS = (
    # "@raj" after a space, a bracket or a dash ("-@raj"), never inside a word (an e-mail)
    re.compile(r"(?:^|(?<=[\s(\[\-,;:]))[@©®]\s?(?P<o>[A-Za-z][\w.\-]*)"),
    re.compile(
        r"\b(?:owner|owners|assignee|assigned to|who)\s*[:=.\-]?\s*@?(?P<o>[A-Za-z][\w.\-]*)",
        re.IGNORECASE,
    ),
    re.compile(r"\((?P<o>[A-Za-z][A-Za-z.\-]{1,24})\)"),
    # "cwner: raj", "owher. sam": the keyword misread, so only with a separator after it
    re.compile(r"\b(?P<k>[A-Za-z]{5})(?P<sep>\s?[:=.]\s*|\s+)@?(?P<o>[A-Za-z][\w.\-]*)"),
    # "ROLLBACK@MARIA", "DEPLOYSOWNER: LENA": written apart, read together (no e-mail: no dot)
    re.compile(r"(?<=[A-Za-z])[@©®](?P<o>[A-Za-z][\w\-]*)(?![\w.@])"),
    re.compile(r"(?<=[A-Za-z])owner\s*[:=]\s*@?(?P<o>[A-Za-z][\w.\-]*)", re.IGNORECASE),
)
_FUZZY_OWNER = _OWNER_PATTERNS[3]
_NOT_OWNERS = {
    "due",
    "by",
    "done",
    "open",
    "wip",
    "todo",
    "tbd",
    "asap",
    "p1",
    "p2",
    "p3",
    "high",
    "low",
    "medium",
    "urgent",
    "in",
    "progress",
    "ms",
    "s",
    "min",
    "h",
    "d",
    "rps",
    "eod",
    "eow",
} | set(_MONTHS)


def _has_owner(text: str) -> bool:
    return _find_owner(text) is not None


def _find_owner(text: str) -> tuple[str, int, int] | None:
    for pattern in _OWNER_PATTERNS:
        for m in pattern.finditer(text):
            owner = m.group("o").strip(".-")
            low = owner.lower()
            if not owner or low in _NOT_OWNERS or low in _MONTH_WORDS:
                continue
            if pattern is _OWNER_PATTERNS[2] and vocab.lookup(owner).direction is not None:
                continue  # "(p95)", "(latency)": a metric, not a person
            if pattern is _FUZZY_OWNER and not _like_owner_word(
                m.group("k"), 3 if m.group("sep").strip() else 4
            ):
                continue
            glued = re.fullmatch(rf"(?P<o>[a-z]{{2,}}?){_MONTH}", low, re.IGNORECASE)
            if glued and re.match(r"\s*\d", text[m.end() :]):
                # "@EvaMay 15": the owner and the due month written together
                return glued.group("o"), m.start(), m.start("o") + len(glued.group("o"))
            return low, m.start(), m.end()
    return None


def _like_owner_word(word: str, same: int) -> bool:
    """'cwner', 'owher', 'cuner', 'ovner': the word "owner" with a letter or two misread (at
    least `same` of its five letters in place)."""
    low = word.lower()
    return (
        low != "owner"
        and low.endswith("r")
        and len(low) == 5
        and sum(a == b for a, b in zip(low, "owner", strict=True)) >= same
    )


_MONTH_WORDS = {
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "sept",
    "october",
    "november",
    "december",
} | set(_MONTHS)


def _split_metric_prefix(
    text: str, metric_names: tuple[str, ...] | list[str], threshold: float = 0.8
) -> tuple[str | None, str]:
    """("P95 latency", "slow API") from "P95 latency: slow API" when the prefix is a metric.

    Also when the prefix was misread ("ITFR:" for "TTFR:"), cut at its left edge ("ss rate:"
    for "Success rate:", the tail of only one metric of the table), or its colon was lost
    ("Apdex lazy-load images": a metric of the table, then more words)."""
    head = _metric_head(text, metric_names, threshold)
    m = re.match(r"^(?P<p>[^:]{1,40}?)\s*(?::|\s[-–—]\s)\s*(?P<r>.*)$", text)
    if head is not None and (m is None or len(m.group("p").split()) > head[2]):
        return head[0], head[1]
    if m and not _find_owner(m.group("p") + " x"):
        prefix = m.group("p").strip()
        name, _ = closest_name(prefix, metric_names, threshold)
        if name is not None:
            return name, m.group("r")
        corrected, score = match_metric_name(prefix, threshold)
        if score >= threshold and len(prefix.split()) <= 4:
            near, s = closest_name(corrected, metric_names, 0.6)
            return (near if near is not None else corrected), m.group("r")
        if (
            m.group(0)[len(m.group("p")) :].lstrip().startswith(":")
            and len(prefix) >= 2
            and len(prefix.split()) <= 3
        ):
            low = vocab.fold(prefix)
            tails = {
                n
                for n in metric_names
                if vocab.fold(n).endswith(low)
                and vocab.fold(n) != low
                and (len(low) >= 4 or " " not in vocab.fold(n))
            }
            if len(tails) == 1:
                return tails.pop(), m.group("r")
    return None, text


def _metric_head(
    text: str, metric_names: tuple[str, ...] | list[str], threshold: float
) -> tuple[str, str, int] | None:
    """(metric, rest, words) when the text starts with a metric of the table's words and goes
    on with at least two more words, its colon lost."""
    words = text.split()
    for n in sorted(set(metric_names), key=lambda n: -len(n)):
        k = len(n.split())
        if n and len(words) > k + 1:
            head = " ".join(words[:k]).rstrip(".,;")
            if vocab.similarity(head, n) >= max(threshold, 0.85):
                return n, " ".join(words[k:]), k
    return None


def read_action(
    text: str,
    review_date: date | None,
    metric_names: tuple[str, ...] | list[str] = (),
    date_order: str = "mdy",
    name_match: float = 0.8,
    review_doubtful: bool = False,
    review_year_doubtful: bool = False,
) -> tuple[Action | None, Doubt]:
    """The action of a line and how sure it is. `review_doubtful`: the review date was read with
    a repair, so a due date without a year, counted from it, is doubtful too;
    `review_year_doubtful`: the title's year is far from the photo's, so a due date's own year,
    written by the same hand, may be misread the same way."""
    t = normalise(text)
    t = _BULLET.sub("", t).strip()
    doubt = Doubt()
    metric, t = _split_metric_prefix(t, metric_names, name_match)
    owner = None
    found = _find_owner(t)
    if found and not re.search(r"\d", found[0]):  # "tom-2027-01-23": the date first
        owner, start, end = found
        t = t[:start] + " " + t[end:]
    due = None
    # "dve 27 Dec": the word "due" misread
    t = re.sub(r"(?<![A-Za-z])(?:dve|duc|clue)(?=[\s:.]+\w)", "due", t, flags=re.IGNORECASE)
    # "due9/26", "by_4/23" (a stroke read as an underscore)
    t = re.sub(r"\b(due|by)(?:_|(?=\d))", r"\1 ", t, flags=re.IGNORECASE)
    bare = _without_accents(t)  # "28 Sép": an accent OCR put on a month; same length as t
    hit = find_date(bare, date_order) or _slashless_date(bare, date_order)
    if hit is not None:
        d = resolve_date(hit, review_date)
        doubt = doubt + hit.doubt
        if d is None:
            doubt = doubt.lower(0.6, "due date has no year and the review date is unknown")
        else:
            due = d.isoformat()
            if hit.year is None and review_doubtful:
                doubt = doubt.lower(0.7, "due date has no year and the review date is doubtful")
            if review_date is not None and not (
                -DUE_BEFORE_REVIEW_DAYS <= (d - review_date).days <= DUE_AFTER_REVIEW_DAYS
            ):
                # "2024-04-28" on a review of 2026: a year misread, or an old line
                doubt = doubt.lower(0.6, f"due date {due} is far from the review date")
        t = t[: hit.start] + " " + t[hit.end :]
    found = _find_owner(t) if owner is None else None
    if found:
        owner, start, end = found
        t = t[:start] + " " + t[end:]
    t = re.sub(
        r"\b(?:due|by|until|deadline)\b\s*:?\s*(?=$|[\s,;()\-–—]*$)", " ", t, flags=re.IGNORECASE
    )
    t = re.sub(r"\(\s*\)|\[\s*\]", " ", t)
    t = re.sub(r"\s+", " ", t).strip(" .,;:-–—|()[]")
    t = re.sub(r"\s+(?:due|by)$", "", t, flags=re.IGNORECASE).strip(" .,;:-–—|")
    if not t:
        return None, doubt
    if due is None and re.search(
        rf"(?<![\w+/]){_D}*\d{_D}*(?![\w+%/])|\b{_MONTH}(?![a-z])|"
        r"\b(?:due|by)\b",
        t,
        re.IGNORECASE,
    ):
        doubt = doubt.lower(0.7, f"a date may be in {t!r} but none was read")
    elif due is None and hit is None:
        doubt = doubt.lower(0.8, "no due date read")
    if owner is None and re.search(r"[@©®]", t):
        doubt = doubt.lower(0.7, "an '@' but no owner read")
    elif owner is None:
        doubt = doubt.lower(0.8, "no owner read")
    if due is not None and review_year_doubtful and hit is not None and hit.year is not None:
        # the same hand's year, misread in the title, may be misread here too
        doubt = doubt.lower(0.8, "due date checked against a doubtful review date")
    if owner is not None and not re.fullmatch(r"[a-z]+(?:[.\-][a-z]+)?", owner):
        doubt = doubt.lower(0.7, f"owner {owner!r} does not read as a name")
    return Action(
        text=t, owner=owner, due=due, metric=metric, status="open", needs_review=bool(doubt.reasons)
    ), doubt


def match_owner(owner: str, team: tuple[str, ...], threshold: float) -> tuple[str | None, bool]:
    """The roster member an owner read is (lower case), and whether it was read exactly: "ras"
    on a team of raj and maria is raj, not exact; "bob" is nobody (None)."""
    roster = {m.strip().lower().lstrip("@"): m for m in team}
    if owner.lower() in roster:
        return owner.lower(), True
    scored = sorted(((vocab.similarity(owner, m), m) for m in roster), reverse=True)
    if not scored or scored[0][0] < threshold:
        return None, False
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None, False  # two members as near: no telling which
    return scored[0][1], False


def _without_accents(text: str) -> str:
    """Each character without its accent ("Sép" → "Sep"), the string as long as before."""
    return "".join(unicodedata.normalize("NFD", c)[0] for c in text)


def _slashless_date(text: str, date_order: str) -> DateHit | None:
    """ "1018" or "315" where a short date ("10/18", "3/15") lost its slash: a bare group of
    three or four digits that splits into exactly one valid month and day. Always doubtful."""
    found = None
    for m in re.finditer(r"(?<![\w/.,+])(\d{3,4})(?![\w/%+]|[.,]\d)", text):
        digits = m.group(1)
        splits = set()
        for i in range(1, len(digits)):
            a, b = digits[:i], digits[i:]
            if len(a) > 2 or len(b) > 2 or b.startswith("0") and len(b) == 1:
                continue
            month, day = (int(b), int(a)) if date_order == "dmy" else (int(a), int(b))
            if 1 <= month <= 12 and 1 <= day <= 31 and not (month == 2 and day > 29):
                splits.add((month, day))
        if len(splits) == 1 and found is None:
            month, day = splits.pop()
            found = DateHit(
                m.start(),
                m.end(),
                None,
                month,
                day,
                Doubt().lower(0.6, f"date {digits!r} read as {month}/{day} (its slash lost)"),
            )
        elif splits:
            return None  # "111": 1/11 or 11/1
    return found


def parse_action(
    text: str,
    review_date: date | None,
    metric_names: tuple[str, ...] | list[str] = (),
    date_order: str = "mdy",
) -> Action | None:
    """An action line: "- P95 latency: add circuit breaker @maria 12/15" → text, metric, owner
    ("maria"), due (ISO). None when nothing but markers is left."""
    return read_action(text, review_date, metric_names, date_order)[0]


def parse_root_cause(text: str, metric_names: tuple[str, ...] | list[str] = ()) -> RootCause | None:
    """A root cause line: "- P95 latency: slow third-party card API" → metric and text."""
    t = _BULLET.sub("", normalise(text)).strip()
    metric, rest = _split_metric_prefix(t, metric_names)
    rest = re.sub(r"\s+", " ", rest).strip(" .,;:-–—|")
    if not rest:
        return None
    return RootCause(metric=metric, text=rest)


# ---- headings -------------------------------------------------------------------------------

_ROOT_HEADINGS = (
    "root causes",
    "root cause",
    "causes",
    "cause",
    "why",
    "rca",
    "root-causes",
    "what went wrong",
    "contributing factors",
)
_ACTION_HEADINGS = (
    "actions",
    "action items",
    "action",
    "remediation",
    "next steps",
    "follow ups",
    "follow-ups",
    "followups",
    "todo",
    "to do",
    "to-do",
)


def heading_of(text: str) -> tuple[str | None, str]:
    """('root' | 'actions' | None, the text after the heading) for a line."""
    t = clean_name(text)
    head, _, rest = t.partition(":")
    low = re.sub(r"\s+", " ", head.lower()).strip(" ?")
    for kind, words in (("root", _ROOT_HEADINGS), ("actions", _ACTION_HEADINGS)):
        for w in words:
            if low == w or (len(w) >= 5 and vocab.similarity(low, w) >= 0.85):
                return kind, rest.strip()
    return None, t


# ---- table rows -----------------------------------------------------------------------------

_ROLE_WORDS = {
    "name": ("metric", "metrics", "name", "sli", "kpi", "indicator", "measure", "sla"),
    "target": ("target", "targets", "slo", "goal", "objective", "threshold", "limit"),
    "actual": (
        "actual",
        "actuals",
        "measured",
        "observed",
        "current",
        "value",
        "achieved",
        "result",
        "month",
        "week",
    ),
    "mark": (
        "status",
        "mark",
        "notes",
        "note",
        "met",
        "ok",
        "verdict",
        "state",
        "comment",
        "comments",
        "breach",
        "pass",
    ),
}


@lru_cache(maxsize=2048)  # every row is tried as a header; the second look re-parses tables
def _role_of(text: str) -> str | None:
    words = re.findall(r"[a-z]+", normalise(text).lower())
    # the whole cell first, spaces dropped: "MET RIC" is "metric", not the mark word "met"
    for w in ["".join(words), *words] if len(words) > 1 else words:
        for role, keys in _ROLE_WORDS.items():
            if w in keys or (
                len(w) >= 5 and any(vocab.similarity(w, k) >= 0.8 for k in keys if len(k) >= 5)
            ):
                return role
    return None


def column_roles(header: tuple[OcrText, ...]) -> dict[str, int] | None:
    """Column index per role from a header row, or None when the row is no header."""
    roles: dict[str, int] = {}
    cell_roles = []
    for i, cell in enumerate(header):
        if _has_number(cell.text):
            return None
        role = _role_of(cell.text)
        cell_roles.append(role)
        if role and role not in roles:
            roles[role] = i
    if not {"target", "actual"} <= roles.keys():
        # a cell naming two columns ("Target  Actual"): the line between them was not seen
        for i, cell in enumerate(header):
            pair = _two_roles(cell.text) if cell_roles[i] in (None, "name", "target") else None
            if pair is not None and all(roles.get(r, i) == i for r in pair):
                roles.update(dict.fromkeys(pair, i))
                break
    if len(roles) < 2:
        return None
    free = [i for i in range(len(header)) if i not in roles.values()]
    for role in ("name", "target", "actual", "mark"):
        if role not in roles and free:
            roles[role] = free.pop(0)
    return roles


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


def build_metric(
    name_cell: OcrText | None,
    target_cell: OcrText | None,
    actual_cell: OcrText | None,
    mark_cell: OcrText | None,
    ctx: ParseContext,
) -> tuple[Metric, list[str]]:
    """One metric row from its cells, with its doubts; and the warnings it raises."""
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
    doubt = tdoubt + adoubt + rdoubt + check_row(name, target, actual, tv, av)
    warnings = []
    guessed = _percentile_guess(raw_name, name)
    if guessed:
        doubt = doubt.lower(0.9, guessed)
    if not name:
        doubt = doubt.lower(0.5, "metric name unreadable")
        warnings.append("metric name unreadable")
    if target.value is None:
        warnings.append("target value unreadable")
    if actual.value is None:
        warnings.append("actual value unreadable" if actual.text else "no actual value")
    if target.op is None and target.value is not None:
        doubt = doubt.lower(
            0.8, "no comparator, and the name does not tell whether lower or higher is better"
        )
    for what, cell in (("target", target_cell), ("actual", actual_cell)):
        c = _conf(cell)
        if c < ctx.low_confidence:
            doubt = doubt.lower(1.0, f"{what} read with low OCR confidence ({c:.2f})")
        elif cell is not None and (unsure := _unsure_digit(cell, ctx.low_digit_confidence)):
            doubt = doubt.lower(1.0, f"{what} {cell.text!r}: {unsure}")
    if _conf(name_cell) < ctx.low_confidence and name_score < ctx.name_match:
        doubt = doubt.lower(1.0, f"name read with low OCR confidence ({_conf(name_cell):.2f})")
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
        confidence=round(max(0.0, min(1.0, ocr * doubt.certainty)), 3),
        needs_review=bool(doubt.reasons),
        board_mark=mark,
        review_reasons=doubt.reasons,
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


# ---- the whole reading ----------------------------------------------------------------------


def parse_reading(reading: Reading, ctx: ParseContext) -> Board:
    """The board document from what OCR read, not judged (every status is "unknown")."""
    warnings: list[str] = []
    metrics: list[Metric] = []
    row_warnings: list[list[str]] = []
    for metric, warns in _table_metrics(reading.cells, ctx):
        metrics.append(metric)
        row_warnings.append(warns)
    table_read = bool(metrics)

    lines = [ln for ln in reading.lines if normalise(ln.text)]
    title_lines, body = _split_title(lines, ctx.date_order)
    title = " ".join(normalise(ln.text) for ln in title_lines) or None
    service, review, title_doubt = None, None, None
    if title:
        service, hit = _title_parts(title, ctx.date_order)
        if hit is not None:
            if hit.year is not None:
                review = date(hit.year, hit.month, hit.day)
            elif ctx.fallback_date is not None:
                review = _latest_on_or_before(hit, ctx.fallback_date)
            title_doubt = hit.doubt
    from_title = review is not None
    if review is None:
        review = ctx.fallback_date
        # nothing said the review's day: the photo's date stands in, and a person must see so
        where = "no title read" if not title else "no date read in the title"
        taken = f"the photo's date {review.isoformat()} taken" if review else "unknown"
        title_doubt = Doubt().lower(0.6, f"{where}; {taken}")
    review_far = bool(
        title_doubt is None or not any(r.startswith("no ") for r in title_doubt.reasons)
    ) and bool(
        ctx.fallback_date is not None
        and review is not None
        and abs((review - ctx.fallback_date).days) >= ctx.review_date_apart_days
    )
    if review_far and ctx.fallback_date is not None and review is not None:
        # "2024" for "2026": a title's year misread, or an old photo; the photo's date says which
        title_doubt = (title_doubt or Doubt()).lower(
            0.6,
            f"the title's date {review.isoformat()} is far from the photo's date "
            f"{ctx.fallback_date.isoformat()}",
        )
    if (
        not review_far
        and from_title
        and review is not None
        and ctx.capture_date is not None
        and not 0 <= (ctx.capture_date - review).days <= ctx.review_capture_days
    ):
        # "6/2" for "6/20": a board is photographed at its review, not weeks later (or before)
        title_doubt = (title_doubt or Doubt()).lower(
            0.6,
            f"the title's date {review.isoformat()} is not the photo's capture date "
            f"{ctx.capture_date.isoformat()} or a few days before it",
        )
    if title_doubt is not None and title_doubt.reasons:
        warnings.append("review date: " + "; ".join(title_doubt.reasons))
    if not service:
        warnings.append("service: no service name read in the title")

    names = [m.name for m in metrics]
    root_causes: list[RootCause] = []
    actions: list[Action] = []
    section: str | None = None
    headed: dict[str, str] = {}  # each section's heading as read
    for line in body:
        text = normalise(line.text)
        kind, after = heading_of(text)
        if kind is not None:
            section = kind
            headed.setdefault(kind, text)
            if not after:
                continue
            text = after
        if section is None and not table_read:
            parts = split_row_line(text)
            # without a ruled table, a line is a metric row only when it names an SLA metric
            if (
                parts is not None
                and not _is_header_line(text)
                and match_metric_name(parts[0], ctx.name_match)[1] >= ctx.name_match
            ):
                name_t, target_t, actual_t, rest_t = parts
                conf = line.confidence
                metric, warns = build_metric(
                    OcrText(name_t, conf),
                    OcrText(target_t, conf),
                    OcrText(actual_t, conf),
                    OcrText(rest_t, conf) if rest_t else None,
                    ctx,
                )
                if line.box is not None:
                    metric = replace(metric, cell_boxes=(tuple(int(v) for v in line.box),))
                metrics.append(metric)
                row_warnings.append(warns)
                names.append(metric.name)
                continue
            if _is_header_line(text):
                continue
        is_action = (
            section == "actions"
            or (
                section is None
                and (_has_owner(text) or find_date(text, ctx.date_order) is not None)
            )
            or (section == "root" and re.search(r"(?:^|\s)[@©®]\w", text) is not None)
        )
        if is_action:
            action, doubt = read_action(
                text,
                review,
                names,
                ctx.date_order,
                ctx.name_match,
                review_doubtful=bool(title_doubt is not None and title_doubt.reasons),
                review_year_doubtful=review_far,
            )
            if action is None:
                continue
            if _conf(line) < ctx.low_confidence:
                action = replace(action, needs_review=True)
            if ctx.team and action.owner is not None:
                member, exact = match_owner(action.owner, ctx.team, ctx.owner_match)
                if not exact:  # corrected to a member, or on no roster: a person checks
                    action = replace(action, owner=member or action.owner, needs_review=True)
            if line.box is not None:
                action = replace(action, line_box=tuple(int(v) for v in line.box))
            actions.append(action)
            continue
        cause = parse_root_cause(text, names)
        if cause is None:
            continue
        if section == "root" or cause.metric is not None:
            root_causes.append(cause)

    warnings.extend(_empty_sections(headed, root_causes, actions))
    for i, (metric, warns) in enumerate(zip(metrics, row_warnings, strict=True), start=1):
        label = f"row {i} ({metric.name})" if metric.name else f"row {i}"
        warnings.extend(f"{label}: {w}" for w in warns)
    return Board(
        source=ctx.source,
        title=title,
        service=service,
        review_date=review.isoformat() if review else None,
        metrics=tuple(metrics),
        root_causes=tuple(root_causes),
        actions=tuple(actions),
        warnings=tuple(warnings),
    )


def _empty_sections(
    headed: dict[str, str], causes: list[RootCause], actions: list[Action]
) -> list[str]:
    """A warning for each section heading (Root causes, Actions) with nothing of its kind read
    on the board: its lines were cut off by the photo or the view, or not read."""
    out = []
    for kind, heading in headed.items():
        if actions if kind == "actions" else causes:
            continue
        what = "actions" if kind == "actions" else "root causes"
        out.append(
            f"{what}: nothing read under the heading {heading!r}: cut off by the photo or the "
            "view, or unreadable; check the board"
        )
    return out


def _table_metrics(
    cells: tuple[tuple[OcrText, ...], ...], ctx: ParseContext
) -> list[tuple[Metric, list[str]]]:
    rows = [r for r in cells if any(normalise(c.text) for c in r)]
    if not rows:
        return []
    blocks = _side_by_side(rows)
    if blocks:
        return [m for block in blocks for m in _table_metrics(block, ctx)]
    roles: dict[str, int] | None = None
    start = 0
    for i, row in enumerate(rows[:2]):
        roles = column_roles(row)
        if roles is not None:
            start = i + 1
            break
    if roles is None:
        roles = dict(_POSITIONAL)
    out = []
    for row in rows[start:]:
        if column_roles(row) is not None:
            continue  # a header repeated
        name_cell = _cell(row, roles.get("name"))
        target_cell = _cell(row, roles.get("target"))
        actual_cell = _cell(row, roles.get("actual"))
        mark_cell = _cell(row, roles.get("mark"))
        merged = None
        if target_cell is not None and roles.get("target") == roles.get("actual"):
            target_cell, actual_cell = _two_values(target_cell)
            merged = "target and actual"
        elif name_cell is not None and roles.get("name") == roles.get("target"):
            name_cell, target_cell = _name_and_value(name_cell)
            merged = "name and target"
        if not any(
            normalise(c.text) for c in (name_cell, target_cell, actual_cell) if c is not None
        ):
            continue  # only a mark or a note: no row
        if not _plausible_row(name_cell, target_cell, actual_cell) and not _named_sla_row(
            name_cell, ctx
        ):
            continue  # a box of a drawing, not a commitment
        metric, warns = build_metric(name_cell, target_cell, actual_cell, mark_cell, ctx)
        if merged:  # cut apart by the parser: a repair, worth a look like any other
            reason = f"{merged} read from one cell (the line between the columns not seen)"
            metric = replace(
                metric, needs_review=True, review_reasons=(*metric.review_reasons, reason)
            )
        out.append((metric, warns))
    if start == 0 and not any(match_metric_name(m.name)[1] >= ctx.name_match for m, _ in out):
        return []  # no header and no SLA metric named: some other grid on the board
    return out


def _side_by_side(
    rows: list[tuple[OcrText, ...]],
) -> list[tuple[tuple[OcrText, ...], ...]] | None:
    """Two tables drawn side by side whose rules line up are segmented as one grid; its header
    then names the metric column twice (Metric | Target | Actual | Metric | ...). Split it into
    one block of columns per table, each read as a table of its own."""
    for row in rows[:2]:
        if column_roles(row) is None:
            continue
        names = [i for i, c in enumerate(row) if _role_of(c.text) == "name"]
        if len(names) < 2:
            return None
        bounds = [0, *names[1:], max(len(r) for r in rows)]
        return [tuple(tuple(r[a:b]) for r in rows) for a, b in itertools.pairwise(bounds)]
    return None


def _two_roles(text: str) -> tuple[str, str] | None:
    """The two columns a header cell names when the line between them was not seen: the metric
    and the target ("METRIC TARGET"), or the target and the actual ("Target Actual", read glued
    and misspelt as "TarsetActual"); None for a cell of one role."""
    letters = "".join(re.findall(r"[a-z]+", normalise(text).lower()))
    for k in range(4, len(letters) - 3):
        first, second = _role_of(letters[:k]), _role_of(letters[k:])
        if first is not None and second is not None and (first, second) in _ADJACENT_ROLES:
            return first, second
    return None


_ADJACENT_ROLES = {("name", "target"), ("target", "actual")}


_VALUE_START = re.compile(
    r"[<>≤≥=]|(?<=\s)(?:\d|under\b|below\b|max\b|min\b|at\s*(?:least|most)\b|"
    r"(?:one|two|three|four|five|six)\s+nines?\b)",
    re.IGNORECASE,
)


def _name_and_value(cell: OcrText) -> tuple[OcrText, OcrText]:
    """A cell holding the metric name and its target ("MTTR ≤ 2 h", "P95 latency 150ms", the line
    between the columns not seen), cut where the first value that runs to the end begins."""
    text = normalise(cell.text)
    for m in _VALUE_START.finditer(text):
        name, value = text[: m.start()].strip(), text[m.start() :].strip()
        v = read_value(value, in_cell=False)
        if sum(c.isalpha() for c in name) >= 2 and v.value is not None and not v.rest.strip():
            return replace(cell, text=name, char_confidences=()), replace(
                cell, text=value, char_confidences=()
            )
    return cell, replace(cell, text="", char_confidences=())


def _two_values(cell: OcrText) -> tuple[OcrText, OcrText]:
    """A cell holding a target and an actual ("< 0.5% 0.57%", the column line between them not
    seen), cut after the first value; the actual is empty when no second value follows."""
    text = normalise(cell.text)
    rest = read_value(text, in_cell=False).rest.strip()
    cut = text.rfind(rest) if rest else -1
    if cut <= 0:
        return cell, replace(cell, text="", char_confidences=())
    chars = cell.char_confidences if len(cell.char_confidences) == len(text) else ()

    def part(a: int, b: int) -> OcrText:
        return replace(cell, text=text[a:b].strip(), char_confidences=())

    target, actual = part(0, cut), part(cut, len(text))
    if chars:  # each part keeps its characters' confidences when nothing was stripped
        if len(target.text) == cut:
            target = replace(target, char_confidences=chars[:cut])
        if len(actual.text) == len(text) - cut:
            actual = replace(actual, char_confidences=chars[cut:])
    return target, actual


def _plausible_row(name: OcrText | None, target: OcrText | None, actual: OcrText | None) -> bool:
    """A metric row names something and writes a commitment or a result as a number."""
    if name is None or len(re.findall(r"[A-Za-z]", name.text)) < 2:
        return False
    values = " ".join(c.text for c in (target, actual) if c is not None)
    return _has_number(values) or "nine" in values.lower()


def _named_sla_row(name: OcrText | None, ctx: ParseContext) -> bool:
    """A row that names an SLA metric but holds no number (not filled in, or wiped): kept as a
    row to review, so that it is not silently missing from the report."""
    return name is not None and match_metric_name(name.text, ctx.name_match)[1] >= ctx.name_match


def _is_header_line(text: str) -> bool:
    words = re.findall(r"[A-Za-z]+", text)
    return (
        not _has_number(text)
        and len(words) >= 2
        and sum(_role_of(w) is not None for w in words) >= 2
    )


def _split_title(lines: list[OcrText], date_order: str) -> tuple[list[OcrText], list[OcrText]]:
    if not lines:
        return [], []
    first = normalise(lines[0].text)
    second = normalise(lines[1].text) if len(lines) > 1 else ""

    def plain(t: str) -> bool:  # could be part of a title: no heading, bullet, owner or row
        return (
            bool(t)
            and heading_of(t)[0] is None
            and not _BULLET.match(t)
            and not _has_owner(t)
            and split_row_line(t) is None
        )

    first_title = _looks_like_title(first, date_order) and heading_of(first)[0] is None
    if first_title:
        hit = find_date(first, date_order)
        if (
            second
            and plain(second)
            and hit is None
            and find_date(second, date_order) is not None
            and len(second.split()) <= 4
        ):
            return lines[:2], lines[2:]  # "Payments API SLA review" / "2026-11-20"
        return lines[:1], lines[1:]
    if second and plain(first) and plain(second) and _looks_like_title(second, date_order):
        return lines[:2], lines[2:]  # "Payments API" / "SLA review 2026-11-20"
    return [], lines


def _latest_on_or_before(hit: DateHit, limit: date) -> date | None:
    for year in range(limit.year, limit.year - 9, -1):
        try:
            d = date(year, hit.month, hit.day)
        except ValueError:
            continue
        if d <= limit:
            return d
    return None


__all__ = [
    "ParseContext",
    "Doubt",
    "Value",
    "read_value",
    "read_target",
    "read_actual",
    "parse_target",
    "parse_actual",
    "check_row",
    "parse_mark",
    "find_date",
    "resolve_date",
    "parse_due",
    "parse_title",
    "match_metric_name",
    "closest_name",
    "parse_action",
    "parse_root_cause",
    "heading_of",
    "column_roles",
    "build_metric",
    "split_row_line",
    "parse_reading",
]
