"""Reading one value as written: comparator, number and unit, with OCR slips undone."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from boardsnap.reading import vocab
from boardsnap.reading.parse.doubt import Doubt


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


# control characters (a NUL, an escape) OCR may give: no board holds one, no document may
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalise(text: str) -> str:
    """NFKC, typographic dashes and spaces plain, control characters out; nothing that changes
    a value."""
    t = _CONTROL.sub("", unicodedata.normalize("NFKC", text or ""))
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
        doubt = doubt.lower("spacing")
    op, s, doubt = _leading_op(s, doubt)
    s = s.lstrip(_LEADING_NOISE)
    if op is None and in_cell and re.match(r"[27]\s+(?:one|two|three|four|five|six)\s", s, re.I):
        op, s, doubt = _digit_as_op(s, doubt, direction)  # "2 THREE NINES": "≥ three nines"
    nines = _NINES.match(s)
    if nines:
        return _nines_value(nines, s, op, doubt)
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
            doubt = doubt.lower("doubtful")
        else:
            doubt = doubt.lower(
                "guessed", f"ignored {skipped!r} before the number", "value.words_ignored"
            )
    raw = m.group(0)
    # give a trailing "s"/"S"/"B"/"Z" back to the unit ("250s" is 250 seconds), unless it
    # follows a decimal point or comes before another unit ("0.S%", "2S ms": a misread 5)
    while len(raw) > 1 and raw[-1] in "sSBZz":
        if raw[-2] in ".," or _UNIT_AFTER.match(s, m.start() + len(raw)):
            break
        raw = raw[:-1]
    if raw.endswith((".", ",")):
        doubt = doubt.lower(
            "misread",
            f"{raw!r} ends in a decimal point: a digit may be missing",
            "value.trailing_point",
        )
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
                doubt = doubt.lower(
                    "misread",
                    f"'{raw} {digits.group(0)}' read as one number",
                    "value.digits_joined",
                )
                raw = joined
                rest = rest[1 + len(digits.group(0)) :]
    nine_pct = bool(re.fullmatch(r".*\d9", raw.replace(" ", ""))) and rest.lstrip().startswith("%")
    unit, rest = _read_unit(rest, duration)
    if op is None:
        op2, rest = _trailing_op(rest)
        op = op2
    rest = rest.strip()
    if in_cell and number is not None and _has_number(rest):
        doubt = doubt.lower(
            "guessed", f"more than one number in {normalise(text)!r}", "value.two_numbers"
        )
    return Value(
        op, number, unit, rest, doubt, decimals, nine_pct, raw.replace(" ", ""), op is not None
    )


def _nines_value(nines: re.Match[str], s: str, op: str | None, doubt: Doubt) -> Value:
    """A value written as a count of nines ("three nines", "4x9"): a percentage."""
    n = nines.group("n").lower()
    count = vocab.NINES_WORDS.get("three" if n == "hree" else n) or int(n)
    value = round(100 - 10 ** (2 - count), count)
    if n == "hree" or nines.group(0)[len(n) :].strip()[:1] in ("m", "M"):
        doubt = doubt.lower(
            "doubtful", f"{nines.group(0)!r} read as {count} nines", "value.nines_misread"
        )
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


def _leading_op(s: str, doubt: Doubt) -> tuple[str | None, str, Doubt]:
    t = s.lstrip(" -–—~*•:")
    if re.match(r"c\s?\d", t):
        t = "<" + t[1:]  # a drawn "<" read as a lowercase c ("c1 hr"); "C.42" stays a 0
        doubt = doubt.lower("glyph")
    if t[:1] in vocab.MISREAD_COMPARATORS:
        sym = vocab.MISREAD_COMPARATORS[t[0]]
        t = sym + t[1:]
        doubt = doubt.lower("glyph")
    t = re.sub(r"^([<>])\s+=", r"\1=", t)
    glyph = re.match(r"^(?:7\s?=(?!\s*[<>=])|\((?=\s?[\d.])(?!.*\)))", t)
    if glyph:  # "7=" is a ">=" whose ">" was read as a 7; "(300" an unclosed "(" for "<"
        t = (">=" if glyph.group(0)[0] == "7" else "<") + t[glyph.end() :]
        doubt = doubt.lower("glyph")
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
        doubt.lower(
            "guessed",
            f"{m.group(1)!r} before the number read as the comparator {op}",
            "comparator.read_as_digit",
        ),
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
        doubt = doubt.lower("spacing")  # "99. 9": the space itself changes nothing
    fixed = compact.translate(vocab.DIGIT_FIXES)
    if fixed != compact:
        doubt = doubt.lower(
            "misread",
            f"{compact!r} read as {fixed} (letters taken for digits)",
            "value.letters_as_digits",
        )
    seps = [c for c in fixed if c in ".,"]
    if not seps:
        digits = fixed
    elif len(seps) == 1 and "," in fixed:
        head, tail = fixed.split(",")
        if len(tail) == 3 and head and head[0] != "0" and len(head) <= 3:
            digits = head + tail  # "1,500 rps": a thousands separator
        else:
            digits = head + "." + tail  # "99,9": a decimal comma
            doubt = doubt.lower("decimal_comma")
    elif len(seps) == 1:
        digits = fixed
    elif "," in fixed and seps[-1] == "." and fixed.count(".") == 1:
        digits = fixed.replace(",", "")  # "1,000.5"
    elif re.fullmatch(r"[.,]\d+[.,]\d+", fixed):
        digits = fixed[1:]  # ".0.24": a speck before a number with its own decimal point
        doubt = doubt.lower(
            "guessed",
            f"{compact!r}: the mark before the number taken for a speck",
            "value.speck_before",
        )
    else:
        first = fixed.replace(",", ".").index(".")
        digits = fixed[:first] + "." + re.sub(r"[.,]", "", fixed[first + 1 :])
        doubt = doubt.lower(
            "implausible", f"{compact!r} has more than one decimal point", "value.many_points"
        )
    try:
        number = float(digits)
    except ValueError:
        return (
            None,
            0,
            doubt.lower("implausible", f"{compact!r} is not a number", "value.not_a_number"),
        )
    if not math.isfinite(number):
        return (
            None,
            0,
            doubt.lower("implausible", f"{compact!r} is not a number", "value.not_a_number"),
        )
    if re.fullmatch(r"0\d+", digits):
        # nobody writes "021": a decimal point was lost ("0.21"); the reading says so
        digits = "0." + digits[1:]
        number = float(digits)
        doubt = doubt.lower(
            "misread",
            f"{compact!r} starts with 0: read as {digits} (a decimal point may be lost)",
            "value.leading_zero_point",
        )
    elif re.match(r"0\d", digits):
        doubt = doubt.lower(
            "misread", f"{compact!r} starts with 0: a digit may be misread", "value.leading_zero"
        )
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
