"""Dates as handwritten and as OCR reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from boardsnap.reading import vocab
from boardsnap.reading.parse.doubt import Doubt
from boardsnap.reading.parse.values import normalise

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
# a month's name as written in full or short
MONTH_WORDS = frozenset(_MONTHS) | {
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
}


def month_of(word: str) -> int:
    """The month a month's word names ("sept" → 9)."""
    return _MONTHS[word.lower()[:3]]


# a month as written, and as OCR misreads one: "Uct"/"0ct" (Oct), "Ju1" (Jul)
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|fe[lh]|mar(?:ch)?|apr(?:il)?|apt|may|june?|ju[l1|]y?|"
    r"aug(?:ust)?|aus|sep(?:t(?:ember)?)?|[o0ud]ct(?:ober)?|n[o0]v(?:ember)?|n[o0][un]|dec(?:ember)?|"
    r"sul)\.?"
)
# month names as OCR misreads them in handwriting: a g read as s, an r as t, an o as 0, a b as l
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
    "fel": "feb",  # a b whose bowl was not closed read as l or h
    "feh": "feb",
    "nou": "nov",  # a v read as u or n
    "non": "nov",
    "n0u": "nov",
    "n0n": "nov",
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
            # a separator may be read as an underscore ("2026-09_29": a dash drawn low)
            rf"(?<![\w/])(?P<y>{_D}{{4}})[-/._](?P<a>{_D}{{1,2}})[-/._](?P<b>{_D}{{1,2}})"
            r"(?![\w/])"
        ),
    ),
    (
        "ymd",
        re.compile(rf"(?<!\d)(?P<y>[2Z]{_DL}{{3}})-(?P<a>{_DL}{{2}})-(?P<b>{_DL}{{2}})(?![\w/])"),
    ),
    (
        # a year's digit lost ("226-03-08", "206-03-08" for 2026-03-08): which one is a guess, so
        # the year is not taken; month and day are, counted from the review like a short date
        "ymd",
        re.compile(rf"(?<![\w/.])(?P<ylost>2\d\d)-(?P<a>{_D}{{2}})-(?P<b>{_D}{{2}})(?![\w/])"),
    ),
    (
        # a year misread past reading ("WU6-11-15", "W6-10-21", "20% 02-22", "2066 05-31": its
        # dash read as a space), a digit in it, before a month and day in the dashed shape: the
        # month and day are taken, counted from the review like a short date, and flagged. Not
        # a percentile's "p95 12-15" nor a range of percents "5xx 10-20%"; month and day in
        # digits (the year a guess already, "2OZL-O3-O4" is no date)
        "ymd",
        re.compile(
            r"(?<![\w/.])(?![pP]\d)(?P<yunread>(?=\S*\d)[0-9A-Za-z%]{2,4})[- ]"
            r"(?P<a>\d{2})-(?P<b>\d{2})(?![\w/%]|\.\d)"
        ),
    ),
    (
        "abY",
        re.compile(
            # a second slash read as a 1 ("3/1812026"), a year's 2 lost ("7/20/026"): the date
            # is read and flagged
            rf"(?<![\w/.])(?P<a>{_D}{{1,2}})[/.-](?P<b>{_D}{{1,2}})"
            r"(?:[/.-]|(?P<slash>[1lI|])(?=20\d\d(?![\w/])))"
            rf"(?P<y>{_D}{{4}}|(?P<y3>0\d\d)|{_D}{{2}})(?![\w/])"
        ),
    ),
    (
        "mon_d",
        re.compile(
            # the day may touch the next word ("Feb 22Sam": an owner whose '@' was lost)
            # or the year, its space lost ("Jan 172026"). Not a name after an '@' that begins
            # like a month ("@mar 1": an owner cut short, then a stray digit)
            rf"(?<![@©®])\b{_MONTH}\s*(?P<b>{_DAY})(?:st|nd|rd|th)?"
            r"(?:(?P<glued>(?<=\d)(?=20\d\d\b))|\b|(?=(?-i:[A-Z@][a-z])))"
            r"(?:,?\s*(?P<y>\d{4})\b)?",
            re.IGNORECASE,
        ),
    ),
    (
        "d_mon",
        re.compile(
            # the year may touch the month ("19AUG2026")
            rf"(?<![\w/.])(?P<b>{_DAY})(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTH}(?:\b|(?=\d{{4}}\b))"
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
            if m.groupdict().get("y3"):  # "026": a 2 lost in front
                doubt = doubt.lower(
                    "misread",
                    f"date {m.group(0)!r}: year read with a digit lost, taken as {year}",
                    "date.year_digit_lost",
                )
            if repaired and not 2000 <= year < 2100:
                return None  # letters read as the digits of a year no review is held in
        by_name = kind.startswith("mon") or kind.startswith("d_mon")
        if sum(c.isdigit() for c in m.group(0)) < (1 if by_name else 2):
            return None  # "CI/CD", "Ol/lC": letters alone make no date
        if by_name:
            mon = m.group("mon").lower()[:3]
            month = _MONTHS[_MONTH_SLIPS.get(mon, mon)]
            day, repaired = _digits(m.group("b"))
            if mon in _MONTH_SLIPS:
                doubt = doubt.lower(
                    "misread",
                    f"month {m.group('mon')!r} read as {_MONTH_SLIPS[mon].capitalize()}",
                    "date.month_misread",
                )
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
                doubt = doubt.lower(
                    "misread",
                    f"date {m.group(0)!r} read with day and month swapped",
                    "date.day_month_swapped",
                )
    except ValueError:
        return None
    if repaired:
        doubt = doubt.lower(
            "misread", f"date {m.group(0)!r}: letters taken for digits", "date.letters_as_digits"
        )
    if m.groupdict().get("ylost"):
        doubt = doubt.lower(
            "misread",
            f"date {m.group(0)!r}: year read with a digit lost; the year taken from the review's",
            "date.year_digit_lost",
        )
    if m.groupdict().get("yunread"):
        doubt = doubt.lower(
            "misread",
            f"date {m.group(0)!r}: year {m.group('yunread')!r} not read as one; the year taken"
            " from the review's",
            "date.year_unread",
        )
    if m.groupdict().get("glued") is not None:
        doubt = doubt.lower(
            "misread", f"date {m.group(0)!r}: day and year run together", "date.run_together"
        )
    if m.groupdict().get("slash"):
        doubt = doubt.lower(
            "misread",
            f"date {m.group(0)!r}: {m.group('slash')!r} taken for a slash",
            "date.slash_as_digit",
        )
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


def _latest_on_or_before(hit: DateHit, limit: date) -> date | None:
    for year in range(limit.year, limit.year - 9, -1):
        try:
            d = date(year, hit.month, hit.day)
        except ValueError:
            continue
        if d <= limit:
            return d
    return None
