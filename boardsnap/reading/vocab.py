"""The SLA vocabulary: metric names and their direction, comparator words, units.

Everything parse and judge know about the words on an SLA board lives here, as data: which
metric names are lower-is-better or higher-is-better (docs/board.md, "Reading values"), which are
durations (so a bare "m" after them means minutes), how comparators and units are spelled, and
the OCR confusions that are safe to undo in names. Lookups are case-insensitive and tolerate the
usual Tesseract slips ("P95 Iatency", "err rate", "Up+ime").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from boardsnap import units

LOWER = "lower"
HIGHER = "higher"


@dataclass(frozen=True)
class Term:
    """One metric of the vocabulary: a display name, its aliases (lower-case), and its kind."""

    name: str
    direction: str  # LOWER | HIGHER
    duration: bool  # values are durations (ms, s, min, h, d)
    aliases: tuple[str, ...]
    unit: str | None = None  # the unit meant when the board writes none ("99.9" uptime is %)
    most: float | None = None  # the highest value it can take, written without a unit


TERMS: tuple[Term, ...] = (
    Term("Latency", LOWER, True, ("latency", "lat")),
    Term("Response time", LOWER, True, ("response time", "resp time", "rt")),
    Term("Error rate", LOWER, False, ("error rate", "err rate", "error %", "err %"), unit="%"),
    Term("Errors", LOWER, False, ("errors", "error", "errs", "err")),
    Term("5xx rate", LOWER, False, ("5xx", "5xx rate", "5xx errors", "http 5xx")),
    Term(
        "MTTR",
        LOWER,
        True,
        (
            "mttr",
            "mean time to recover",
            "mean time to repair",
            "mean time to resolve",
            "mean time to restore",
        ),
    ),
    Term("MTTA", LOWER, True, ("mtta", "mean time to acknowledge")),
    Term("MTTD", LOWER, True, ("mttd", "mean time to detect")),
    Term("TTFR", LOWER, True, ("ttfr", "time to first response")),
    Term("TTR", LOWER, True, ("ttr", "time to resolve", "time to resolution")),
    Term("Resolution time", LOWER, True, ("resolution time", "resolve time")),
    Term("Downtime", LOWER, True, ("downtime", "down time")),
    Term("Queue time", LOWER, True, ("queue time", "queueing time", "queuing time", "wait time")),
    Term("Uptime", HIGHER, False, ("uptime", "up time"), unit="%"),
    Term("Availability", HIGHER, False, ("availability", "avail"), unit="%"),
    Term("Success rate", HIGHER, False, ("success rate", "success", "success %"), unit="%"),
    Term("Throughput", HIGHER, False, ("throughput", "tput"), unit="rps"),
    Term("RPS", HIGHER, False, ("rps", "qps", "req/s"), unit="rps"),
    Term("Apdex", HIGHER, False, ("apdex",), most=1.0),  # a score from 0 to 1
    Term("Durability", HIGHER, False, ("durability",), unit="%"),
)

# Latency percentiles: p50, p90, p95, p99, p99.9, p999 (lower is better, durations).
PERCENTILE = re.compile(r"^p\d{2,3}(?:\.\d+)?$")

# Words worth correcting inside a read metric name (OCR slips such as "Iatency" -> "latency").
NAME_WORDS: tuple[str, ...] = (
    "latency",
    "response",
    "time",
    "error",
    "errors",
    "rate",
    "uptime",
    "availability",
    "success",
    "throughput",
    "apdex",
    "durability",
    "downtime",
    "queue",
    "resolution",
    "requests",
    "request",
    "first",
    "checkout",
    "login",
    "search",
    "payments",
    "payment",
    "page",
    "load",
    "api",
    "mttr",
    "mtta",
    "mttd",
    "ttfr",
    "rps",
    "qps",
    # operational words that stand beside the SLA ones on review boards
    "average",
    "median",
    "peak",
    "site",
    "jobs",
    "open",
    "tickets",
    "ticket",
    "backlog",
    "deploys",
    "deployments",
    "pages",
    "incidents",
    "alerts",
    "cost",
    "freshness",
    "builds",
)

# Two-word names whose second (or first) word is worth correcting from the other one.
NAME_PHRASES: tuple[str, ...] = (
    "error rate",
    "success rate",
    "response time",
    "queue time",
    "resolution time",
    "page load",
    "first response",
)

# Whole metric names as review boards write them: a measure, alone or after one qualifier
# ("Avg response time", "Site uptime", "Job success rate"), and operational counts. A read name
# close to exactly one of them, with each differing word close to its counterpart, is that
# name ("Ava response time", "Cost Der rea"); names far from all of them are kept as read.
NAME_MEASURES: tuple[str, ...] = (
    "latency",
    "response time",
    "page load time",
    "error rate",
    "errors",
    "5xx rate",
    "5xx errors",
    "uptime",
    "availability",
    "success rate",
    "failure rate",
    "throughput",
    "requests",
    "downtime",
    "queue time",
    "resolution time",
    "apdex",
    "durability",
)
NAME_QUALIFIERS: tuple[str, ...] = (
    "avg",
    "average",
    "mean",
    "median",
    "peak",
    "max",
    "api",
    "site",
    "web",
    "app",
    "mobile",
    "login",
    "checkout",
    "search",
    "payment",
    "payments",
    "job",
    "batch",
    "db",
    "storage",
)
NAME_COUNTS: tuple[str, ...] = (
    "backlog",
    "open tickets",
    "deploys",
    "deployments",
    "on-call pages",
    "pages",
    "incidents",
    "alerts",
    "cost per req",
    "cost per request",
    "time to first response",
    "mean time to recover",
    "mean time to repair",
    "mean time to resolve",
    "mean time to detect",
    "mean time to acknowledge",
)
KNOWN_NAMES: tuple[str, ...] = (
    NAME_MEASURES + tuple(f"{q} {m}" for q in NAME_QUALIFIERS for m in NAME_MEASURES) + NAME_COUNTS
)
_KNOWN_NAME_WORDS = frozenset(
    w for n in KNOWN_NAMES + tuple(a for t in TERMS for a in t.aliases) for w in n.split()
)  # every word of a known name or an alias ("err rate" is as written, no misread)
_KNOWN_NAMES_BY_LENGTH: dict[int, tuple[str, ...]] = {
    k: tuple(n for n in KNOWN_NAMES if len(n.split()) == k)
    for k in {len(n.split()) for n in KNOWN_NAMES}
}  # names of as many words as the one read, the only ones it is compared with

# Metric acronyms, and the letter pairs OCR confuses in capitals ("TIFR" is TTFR, "MTTK" MTTR).
ACRONYMS: tuple[str, ...] = ("mttr", "mtta", "mttd", "ttfr", "ttr")
_ACRONYM_CONFUSIONS = {frozenset(p) for p in ("it", "rk", "mw", "mn", "tf", "il", "tl")}

# ---- comparators -----------------------------------------------------------------------------

# Written before the number, longest first so "<=" wins over "<" and "at least" over "at".
COMPARATORS: tuple[tuple[str, str], ...] = (
    ("no more than", "<="),
    ("not more than", "<="),
    ("less than", "<"),
    ("fewer than", "<"),
    ("more than", ">"),
    ("greater than", ">"),
    ("at least", ">="),
    ("at most", "<="),
    ("up to", "<="),
    ("maximum", "<="),
    ("minimum", ">="),
    ("under", "<"),
    ("below", "<"),
    ("above", ">"),
    ("over", ">"),
    ("max", "<="),
    ("min", ">="),
    ("<=", "<="),
    ("=<", "<="),
    (">=", ">="),
    ("=>", ">="),
    ("≤", "<="),
    ("≥", ">="),
    ("⩽", "<="),
    ("⩾", ">="),
    ("<", "<"),
    (">", ">"),
)

# Glyphs Tesseract reads for a handwritten "<" or ">": a repair, so a little less certain.
MISREAD_COMPARATORS: dict[str, str] = {"¢": "<", "«": "<", "‹": "<", "»": ">", "›": ">"}

# ---- units -----------------------------------------------------------------------------------

UNIT_ALIASES: dict[str, str] = units.ALIASES  # how boards write each unit (boardsnap/units.py)

# Unit words as OCR misreads handwritten ones ("m" read as "n", "h" as "n" or "m"): tried, as a
# repair, only where the metric or the other side says which units may be meant.
UNIT_SLIPS: dict[str, str] = {"n": "m", "nin": "min", "nins": "mins", "nr": "hr", "mr": "hr"}

# Seconds per duration unit: durations compare across units (0.2 s equals 200 ms).
DURATION_SECONDS: dict[str, float] = units.SECONDS

NINES_WORDS: dict[str, int] = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def canonical_unit(word: str, duration: bool = False) -> str | None:
    """The canonical unit for a unit as written; the word itself (lower-cased) when unknown."""
    w = word.strip().lower().rstrip(".")
    if not w:
        return None
    if w == "m":
        return "min" if duration else "m"
    return UNIT_ALIASES.get(w, w)


def to_seconds(value: float, unit: str | None) -> float | None:
    return units.to_seconds(value, unit)


# ---- metric names ----------------------------------------------------------------------------

_OCR_LETTERS = str.maketrans(
    {"ı": "l", "|": "l", "1": "l", "!": "l", "/": "l", "+": "t", "0": "o", "$": "s"}
)


def fold(text: str) -> str:
    """Lower-case, NFKC, punctuation to spaces, single spaces."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"[^\w%/.|+!$]+", " ", t)
    return re.sub(r"\s+", " ", t).strip(" .")


@lru_cache(maxsize=16384)  # pure; a board asks for the same words many times
def similarity(a: str, b: str) -> float:
    """0..1, OCR-tolerant: 'I'/'l'/'1', 'O'/'0', '+'/'t' are the same letter here."""
    a2, b2 = fold(a), fold(b)
    if not a2 or not b2:
        return 0.0
    if a2 == b2:
        return 1.0
    return SequenceMatcher(None, _letters(a2), _letters(b2)).ratio()


def _letters(word: str) -> str:
    return word.replace("i", "l").translate(_OCR_LETTERS)


@lru_cache(maxsize=16384)  # pure; a board asks for the same words many times
def correct_word(word: str, threshold: float = 0.8) -> tuple[str, float]:
    """A read word corrected to a vocabulary word when close enough, else kept; and the score."""
    low = word.lower()
    fixed = fix_percentile(low)
    if fixed is not None:
        return _same_case(fixed, word), 1.0 if fixed == low else 0.9
    acronym = fix_acronym(word)
    if acronym is not None:
        return _same_case(acronym, word), 1.0 if acronym == low else 0.85
    # a stray mark inside a word ("abili.y", "lat'ency") is no letter
    probe = re.sub(r"(?<=\w)[.,'`](?=\w)", "", low)
    if low in NAME_WORDS or low in _KNOWN_NAME_WORDS:
        return word, 1.0  # "mean" is no misread "median"
    if not all(c.isalpha() or c in "|!+$01/" for c in probe):
        return word, 1.0
    if len(probe) < 4:
        return word, 1.0
    best, score = word, 0.0
    for cand in NAME_WORDS:
        slack = 3 if len(cand) >= 10 else 2  # "availaliy": long words lose more letters
        if abs(len(cand) - len(probe)) > slack or probe.startswith(cand) or cand.startswith(probe):
            continue  # "pages" is no misread "page"
        s = SequenceMatcher(None, _letters(probe), _letters(cand)).ratio()
        if s > score:
            best, score = cand, s
    if score >= threshold:
        return _same_case(best, word), min(score, 0.99)
    return word, 1.0


@lru_cache(maxsize=16384)  # pure; a board asks for the same words many times
def closest_known_name(name: str, threshold: float = 0.8) -> tuple[str | None, float]:
    """The known whole name (KNOWN_NAMES) a read name is a misreading of, and how similar; None
    when the name's words are all known already, or no name is close, or two are equally close.

    Close means: the same number of words, the whole at least `threshold` similar (OCR-tolerant),
    and every word that differs within two letters of its counterpart's length and at least
    0.6 similar to it, so that a name of other real words ("Edge latency") is never turned
    into a known one ("Site latency"). Two names as close ("APT": API or App?) are no match.
    """
    words = fold(name).split()
    if not words or all(w in _KNOWN_NAME_WORDS or w in NAME_WORDS for w in words):
        return None, 0.0
    if any(PERCENTILE.match(w) for w in words):
        return None, 0.0  # percentile names are repaired word by word
    scored = []
    for known in _KNOWN_NAMES_BY_LENGTH.get(len(words), ()):
        parts = known.split()
        if any(
            a != b
            and (
                a.startswith(b)  # "rates" is no misread "rate" (a lost letter is: "AP")
                or abs(len(a) - len(b)) > 2
                or SequenceMatcher(None, _letters(a), _letters(b)).ratio() < 0.6
            )
            for a, b in zip(words, parts, strict=True)
        ):
            continue
        scored.append((similarity(" ".join(words), known), known))
    scored.sort(reverse=True)
    if not scored or scored[0][0] < threshold:
        return None, 0.0
    if len(scored) > 1 and scored[1][0] > scored[0][0] - 0.04:
        return None, 0.0  # as close to another name: no telling which
    return scored[0][1], scored[0][0]


_KNOWN_FOLDED = frozenset(fold(n) for n in KNOWN_NAMES)


def is_known_name(name: str) -> bool:
    """Whether a read name is one BoardSnap knows as written: a known name ("Queue time"), a
    metric acronym ("MTTR"), or a percentile of a known measure ("p95 latency")."""
    words = fold(name).split()
    if " ".join(words) in _KNOWN_FOLDED:
        return True
    if len(words) == 1 and words[0] in ACRONYMS:
        return True
    return (
        len(words) > 1
        and bool(PERCENTILE.match(words[0]))
        and (" ".join(words[1:]) in _KNOWN_FOLDED or words[1] in PERCENTILE_WORDS)
    )


def fix_acronym(word: str) -> str | None:
    """'TIFR', 'ITFR' → 'ttfr', 'MTIK' → 'mttr', 'TIR' → 'ttr': a capitalised 3-4 letter word
    one misread letter (or two OCR look-alikes) from exactly one metric acronym; None if none."""
    if not (word.isalpha() and word.isupper() and len(word) in (3, 4)):
        return None
    low = word.lower()
    if low in ACRONYMS:
        return low
    costs = []
    for acr in ACRONYMS:
        if len(acr) != len(low):
            continue
        cost = sum(
            0.0 if a == b else 0.5 if frozenset((a, b)) in _ACRONYM_CONFUSIONS else 1.0
            for a, b in zip(low, acr, strict=True)
        )
        costs.append((cost, acr))
    costs.sort()
    limit = 1.0 if len(low) == 4 else 0.5
    if not costs or costs[0][0] > limit or (len(costs) > 1 and costs[1][0] <= costs[0][0]):
        return None
    return costs[0][1]


def fix_percentile(word: str) -> str | None:
    """'p95', 'P9S', 'pgs' style reads of a latency percentile, as 'p95'; None if not one."""
    m = re.fullmatch(r"[pP]([0-9OoSsIl|BZzYygq]{2,3}(?:\.[0-9OoSsIl|]+)?)", word)
    if not m or not any(c.isdigit() for c in m.group(1)):
        return None
    digits = m.group(1).translate(DIGIT_FIXES).translate(_NINE_FIXES)
    return "p" + digits if re.fullmatch(r"\d{2,3}(?:\.\d+)?", digits) else None


COMMON_PERCENTILES = frozenset({"50", "75", "90", "95", "99"})

# Words after which a short token is a percentile ("p95 latency").
PERCENTILE_WORDS = frozenset({"latency", "response", "latancy"})
_PERCENTILE_FIXES = str.maketrans({"C": "0", "c": "0", "Q": "0", "U": "0", "u": "0"})


def fix_percentile_before_latency(word: str) -> str | None:
    """A token read in front of "latency", as the percentile it must be: 'P9C' → 'P90',
    'Pso' → 'P50', '099' → 'P99' (the P read as a zero), 'D99', '199' and '99' → 'P99' (the P
    read as a D or a 1, or lost); None if it cannot be one."""
    m = re.fullmatch(r"[pP0OoD1]?([0-9OoSsIl|BZzYygqCcQUu]{2})", word)
    if not m or (m.group(0) == m.group(1) and not any(c.isdigit() for c in word)):
        return None  # a bare two-letter word ("Is latency") is no percentile
    digits = m.group(1).translate(_PERCENTILE_FIXES).translate(DIGIT_FIXES).translate(_NINE_FIXES)
    if not re.fullmatch(r"\d{2}", digits) or digits == "00":
        return None
    if m.group(0) == m.group(1) or word[0] == "1":
        # no P read at all, or read as a 1 ("199"): only the percentiles boards use
        # ("12 latency" is no p12, "150 latency" no p50)
        return "p" + digits if digits in COMMON_PERCENTILES else None
    return ("P" if word[0].isupper() or word[0] in "0O" else "p") + digits


def split_joined(word: str) -> list[str]:
    """A word that is two name words written together, split: 'APIERROR' → ['API', 'ERROR'],
    '5XXERRORS' → ['5XX', 'ERRORS']; any other word as it is."""
    low = word.lower()
    if low in NAME_WORDS or len(low) < 6:
        return [word]
    for cut in range(3, len(low) - 2):
        head, tail = low[:cut], low[cut:]
        head_ok = head in NAME_WORDS or re.fullmatch(r"[1-5]xx", head)
        if head_ok and tail in NAME_WORDS:
            return [word[:cut], word[cut:]]
    return [word]


DIGIT_FIXES = str.maketrans(
    {
        "O": "0",
        "o": "0",
        "D": "0",
        "C": "0",  # a handwritten 0 left open at the top or side
        "U": "0",
        "I": "1",
        "l": "1",
        "|": "1",
        "i": "1",
        "S": "5",
        "s": "5",
        "B": "8",
        "Z": "2",
        "z": "2",
    }
)


_NINE_FIXES = str.maketrans({"Y": "9", "y": "9", "g": "9", "q": "9"})  # in a percentile only


def _same_case(fixed: str, read: str) -> str:
    if read.isupper() and len(read) > 1:
        return fixed.upper()
    if read[:1].isupper() and read[:1].lower() == fixed[:1]:
        return fixed[:1].upper() + fixed[1:]
    return fixed


@dataclass(frozen=True)
class NameInfo:
    direction: str | None
    duration: bool
    score: float  # how surely the name was recognised (1.0 exact)
    unit: str | None = None  # the unit implied by the name when the board writes none
    most: float | None = None  # the highest value the metric can take (Term.most)


@lru_cache(maxsize=2048)  # the parser asks for each row's name several times, per re-parse
def lookup(name: str) -> NameInfo:
    """Direction and kind of a metric name, from its words (fuzzy, OCR-tolerant)."""
    words = [correct_word(w)[0].lower() for w in fold(name).split()]
    text = " " + " ".join(words) + " "
    directions: set[str] = set()
    duration = False
    score = 0.0
    units: set[str | None] = set()
    mosts: set[float | None] = set()
    for term in TERMS:
        for alias in term.aliases:
            if f" {alias} " in text:
                directions.add(term.direction)
                duration = duration or term.duration
                units.add(term.unit)
                mosts.add(term.most)
                score = 1.0
    if any(PERCENTILE.match(w) for w in words):
        directions.add(LOWER)
        duration = True
        score = 1.0
    if not directions:
        # last resort: a whole-name fuzzy match ("avallabilty", "thruput")
        joined = " ".join(words)
        for term in TERMS:
            for alias in term.aliases:
                if len(alias) >= 5:
                    s = similarity(joined, alias)
                    if s >= 0.8 and s > score:
                        directions, duration, score = {term.direction}, term.duration, s
                        units, mosts = {term.unit}, {term.most}
    if len(directions) != 1:
        # both kinds of word ("error" and "success"), or none: the name does not tell
        return NameInfo(None, duration, 0.0)
    units.discard(None)
    unit = units.pop() if len(units) == 1 else None
    most = mosts.pop() if len(mosts) == 1 else None  # only where every word agrees
    return NameInfo(directions.pop(), duration, score, unit, most)


__all__ = [
    "LOWER",
    "HIGHER",
    "Term",
    "TERMS",
    "COMPARATORS",
    "MISREAD_COMPARATORS",
    "UNIT_ALIASES",
    "DURATION_SECONDS",
    "NINES_WORDS",
    "DIGIT_FIXES",
    "NameInfo",
    "canonical_unit",
    "to_seconds",
    "fold",
    "similarity",
    "correct_word",
    "fix_percentile",
    "closest_known_name",
    "is_known_name",
    "lookup",
]
