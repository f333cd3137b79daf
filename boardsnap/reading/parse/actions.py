"""Actions (what, owner, due date) and root causes."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from boardsnap.document import Action, RootCause
from boardsnap.reading import vocab
from boardsnap.reading.parse.dates import (
    _D,
    _MONTH,
    MONTH_WORDS,
    DateHit,
    find_date,
    resolve_date,
)
from boardsnap.reading.parse.doubt import Doubt
from boardsnap.reading.parse.names import _BULLET, closest_name, match_metric_name, only_closest
from boardsnap.reading.parse.plausible import DUE_AFTER_REVIEW_DAYS, DUE_BEFORE_REVIEW_DAYS
from boardsnap.reading.parse.values import normalise

# an '@' after a space, a bracket, a dash ("-@raj") or a full stop ("DNS.@ana": no e-mail has
# one there), never inside a word (an e-mail)
_AT = r"(?:^|(?<=[\s(\[\-,;:.]))[@©®]\s?"
_OWNER_PATTERNS = (
    re.compile(_AT + r"(?P<o>[A-Za-z][\w.\-]*)"),
    re.compile(
        r"\b(?:owner|owners|assignee|assigned to|who)\b\s*[:=.\-]?\s*@?(?P<o>[A-Za-z][\w.\-]*)",
        re.IGNORECASE,
    ),
    re.compile(r"\((?P<o>[A-Za-z][A-Za-z.\-]{1,24})\)"),
    # "cwner: raj", "owher. sam": the keyword misread, so only with a separator after it
    re.compile(r"\b(?P<k>[A-Za-z]{5})(?P<sep>\s?[:=.]\s*|\s+)@?(?P<o>[A-Za-z][\w.\-]*)"),
    # "ROLLBACK@MARIA", "DEPLOYSOWNER: LENA", "11/22@tom": written apart, read together (no
    # e-mail: no dot after the name)
    re.compile(r"(?<=[A-Za-z0-9])[@©®](?P<o>[A-Za-z][\w\-]*)(?![\w.@])"),
    re.compile(r"(?<=[A-Za-z])owner\s*[:=]\s*@?(?P<o>[A-Za-z][\w.\-]*)", re.IGNORECASE),
    # "TUNE GC SETTINGS (TOM": a name in brackets at the line's end, its closing bracket not
    # read (or cut off): taken, and flagged (`read_action`)
    re.compile(r"\((?P<o>[A-Za-z][A-Za-z.\-]{1,24})\s*$"),
)
_OPEN_BRACKET_OWNER = _OWNER_PATTERNS[6]
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
} | set(MONTH_WORDS)


def _has_owner(text: str) -> bool:
    return _find_owner(text) is not None


def owner_word_at_end(text: str) -> bool:
    """Whether a line ends with an owner given by its keyword ("- owner dev", "(owner: @li)"),
    as an action's line does and a root cause's ("no owner for the rota") does not."""
    return any(re.fullmatch(r"[\s).]*", text[m.end() :]) for m in _OWNER_PATTERNS[1].finditer(text))


def _find_owner(text: str) -> tuple[str, int, int] | None:
    for pattern in _OWNER_PATTERNS:
        for m in pattern.finditer(text):
            owner = m.group("o").strip(".-")
            low = owner.lower()
            if not owner or low in _NOT_OWNERS or low in MONTH_WORDS:
                continue
            metric_like = pattern in (_OWNER_PATTERNS[2], _OPEN_BRACKET_OWNER)
            if metric_like and vocab.lookup(owner).direction is not None:
                continue  # "(p95)", "(latency)": a metric, not a person
            if pattern is _FUZZY_OWNER and not _like_owner_word(
                m.group("k"), 3 if m.group("sep").strip() else 4
            ):
                continue
            glued = re.fullmatch(rf"(?P<o>[a-z]{{2,}}?){_MONTH}", low, re.IGNORECASE)
            if glued and re.match(r"\s*\d", text[m.end() :]):
                # "@EvaMay 15": the owner and the due month written together
                return glued.group("o"), m.start(), m.start("o") + len(glued.group("o"))
            day = re.fullmatch(r"(?P<o>[a-z]{2,}?)\d{1,2}", low)
            if day and re.match(r"[/.\-]\d", text[m.end() :]):
                # "@ana11/16": the owner and the due date's month (or day) read together
                return day.group("o"), m.start(), m.start("o") + len(day.group("o"))
            return low, m.start(), m.end()
    return None


def _open_bracket(owner: str, doubt: Doubt) -> Doubt:
    """An owner read from a bracket left open at the line's end ("(TOM"): the name is a guess
    (its end may be cut off or its bracket a letter), so a person checks."""
    return doubt.lower(
        "guessed", f"owner {owner!r}: its bracket not closed", "owner.bracket_open", "owner"
    )


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
    found: list[tuple[int, float, str]] = []
    for n in set(metric_names):
        k = len(n.split())
        if n and len(words) > k + 1:
            head = " ".join(words[:k]).rstrip(".,;")
            sim = vocab.similarity(head, n)
            if sim >= max(threshold, 0.85):
                found.append((-len(n), -sim, n))
    if not found:
        return None
    # the longest name, then the closest, then the first in order: never the set's hash order
    # ("p90 latency" and "p99 latency" are as long; the head written decides)
    n = min(found)[2]
    k = len(n.split())
    return n, " ".join(words[k:]), k


def read_action(
    text: str,
    review_date: date | None,
    metric_names: tuple[str, ...] | list[str] = (),
    date_order: str = "mdy",
    name_match: float = 0.8,
    review_doubtful: bool = False,
    review_year_doubtful: bool = False,
    team: tuple[str, ...] = (),
    owner_word_match: float = 0.8,
) -> tuple[Action | None, Doubt]:
    """The action of a line and how sure it is. `review_doubtful`: the review date was read with
    a repair, so a due date without a year, counted from it, is doubtful too;
    `review_year_doubtful`: the title's year is far from the photo's, so a due date's own year,
    written by the same hand, may be misread the same way; `team`: the roster, whose names an
    unmarked last word is matched to (from `owner_word_match`)."""
    t = normalise(text)
    t = _BULLET.sub("", t).strip()
    metric, rest = _split_metric_prefix(t, metric_names, name_match)
    doubt = metric_doubt(t, rest, metric, metric_names)
    t = rest
    owner = None
    found = _find_owner(t)
    if found is None and team:
        marked = _roster_marked(t, team)
        if marked is not None:
            found, how = marked[:3], marked[3]
            doubt = doubt.lower(
                "guessed", f"owner {found[0]!r}: {how}", "owner.roster_marked", "owner"
            )
    if found and not re.search(r"\d", found[0]):  # "tom-2027-01-23": the date first
        if t[found[2] : found[2] + 1].isdigit():  # "@ana11/16": where the name ends is a guess
            doubt = doubt.lower(
                "guessed",
                f"owner {found[0]!r}: read run together with the date after it",
                "owner.glued_date",
                "owner",
            )
        owner, t, doubt = _cut_owner(t, found, doubt)
    due = None
    t, doubt = _date_repairs(t, doubt)
    bare = _without_accents(t)  # "28 Sép": an accent OCR put on a month; same length as t
    hit = find_date(bare, date_order) or _slashless_date(bare, date_order)
    hit = hit or _glued_date(bare, date_order)
    if hit is not None:
        due, doubt = _due(hit, review_date, review_doubtful, doubt)
        t = t[: hit.start] + " " + t[hit.end :]
    found = _find_owner(t) if owner is None else None
    if found:
        owner, t, doubt = _cut_owner(t, found, doubt)
    elif owner is None and hit is not None:
        # "... Feb 22 Sam": one name-like word after the due date ends the line; its '@' was not
        # read. Taken as the owner, and a person checks.
        after = re.fullmatch(r"\s*(?P<o>[A-Za-z][a-z]{1,11}|[A-Z]{2,12})\s*", t[hit.start + 1 :])
        if after and after.group("o").lower() not in _NOT_OWNERS | MONTH_WORDS:
            owner = after.group("o").lower()
            t = t[: hit.start + 1]
            doubt = doubt.lower(
                "guessed",
                f"owner {owner!r}: the word after the due date, no '@' read",
                "owner.no_marker",
                "owner",
            )
    t = _tidy_text(t)
    if owner is None and team:
        owner, t, doubt = _roster_owner(t, team, owner_word_match, doubt)
    if not t:
        return None, doubt
    doubt = _missing_doubts(t, owner, due, hit, doubt)
    if due is not None and review_year_doubtful and hit is not None and hit.year is not None:
        # the same hand's year, misread in the title, may be misread here too
        doubt = doubt.lower(
            "doubtful",
            "due date checked against a doubtful review date",
            "due.review_doubtful",
            "due",
        )
    if owner is not None and not re.fullmatch(r"[a-z]+(?:[.\-][a-z]+)?", owner):
        doubt = doubt.lower(
            "guessed", f"owner {owner!r} does not read as a name", "owner.not_a_name", "owner"
        )
    return Action(
        text=t,
        owner=owner,
        due=due,
        metric=metric,
        status="open",
        needs_review=bool(doubt.reasons),
        review_reasons=doubt.reasons,
        review_codes=doubt.codes,
    ), doubt


def _roster_owner(
    t: str, team: tuple[str, ...], owner_word_match: float, doubt: Doubt
) -> tuple[str | None, str, Doubt]:
    """(owner, text without it, doubt) for an action whose line named no owner by a marker:
    a member's name run into its last word (`_roster_glued`), or its last word close to one
    (`_roster_word`); each flagged. (None, the text, the doubt) when neither."""
    glued = _roster_glued(t, team)
    if glued is not None:
        owner, word, rest = glued
        why = f"owner {owner!r}: run into the word before it ({word!r})"
        return owner, rest, doubt.lower("guessed", why, "owner.roster_marked", "owner")
    named = _roster_word(t, team, owner_word_match)
    if named is not None:
        owner, word, rest = named
        why = f"owner {owner!r}: the last word {word!r} taken for them, no '@' read"
        return owner, rest, doubt.lower("guessed", why, "owner.roster_word", "owner")
    return None, t, doubt


def _cut_owner(t: str, found: tuple[str, int, int], doubt: Doubt) -> tuple[str, str, Doubt]:
    """The owner found, the line without it, and the doubt with an open bracket's said."""
    owner, start, end = found
    if t[start] == "(" and ")" not in t[start:end]:
        doubt = _open_bracket(owner, doubt)
    return owner, t[:start] + " " + t[end:], doubt


def _tidy_text(t: str) -> str:
    """An action's text once owner and due date are cut out: a trailing "due"/"by" with nothing
    after it, empty brackets, and the punctuation left at its ends removed."""
    t = re.sub(
        r"\b(?:due|by|until|deadline)\b\s*:?\s*(?=$|[\s,;()\-–—]*$)", " ", t, flags=re.IGNORECASE
    )
    t = re.sub(r"\(\s*\)|\[\s*\]", " ", t)
    t = re.sub(r"\s+", " ", t).strip(" .,;:-–—|()[]")
    return re.sub(r"\s+(?:due|by)$", "", t, flags=re.IGNORECASE).strip(" .,;:-–—|")


def _missing_doubts(
    t: str, owner: str | None, due: str | None, hit: DateHit | None, doubt: Doubt
) -> Doubt:
    """The doubt with what an action's line lacks said: a due date or owner not read, and
    whether the text seems to hold one (a digit, a month, "due", an '@') or not."""
    if due is None and re.search(
        rf"(?<![\w+/]){_D}*\d{_D}*(?![\w+%/])|\b{_MONTH}(?![a-z])|"
        r"\b(?:due|by)\b",
        t,
        re.IGNORECASE,
    ):
        doubt = doubt.lower(
            "guessed", f"a date may be in {t!r} but none was read", "due.unread", "due"
        )
    elif due is None and hit is None:
        doubt = doubt.lower("doubtful", "no due date read", "due.absent", "due")
    if owner is None and re.search(r"[@©®]", t):
        doubt = doubt.lower("guessed", "an '@' but no owner read", "owner.unread", "owner")
    elif owner is None:
        doubt = doubt.lower("doubtful", "no owner read", "owner.absent", "owner")
    return doubt


def _roster(team: tuple[str, ...]) -> frozenset[str]:
    """The team's names as an owner is read: lower case, without an '@'."""
    return frozenset(m.strip().lower().lstrip("@") for m in team) - {""}


def _roster_word(text: str, team: tuple[str, ...], threshold: float) -> tuple[str, str, str] | None:
    """(member, word, text without it) when the last word of an action's text (past anything
    with a digit: a due date misread) is one of the team's names read without its marker:
    "... - ANA" (the '@' lost), "AFATIM" (the '@' read as an A). Words of three letters or more
    only, at least `threshold` alike, one member closest, and never the text's only word."""
    tokens = text.split()
    end = len(tokens)
    while end > 0 and (
        re.search(r"\d", tokens[end - 1]) or not re.search(r"[A-Za-z]", tokens[end - 1])
    ):
        end -= 1
    if end < 2:
        return None
    word = tokens[end - 1].strip(" .,;:-–—|()[]")
    if not re.fullmatch(r"[A-Za-z]{3,}", word) or word.lower() in _NOT_OWNERS:
        return None
    roster = _roster(team)
    for guess in (word, word[1:] if word[0] in "aA" and len(word) > 3 else None):
        member = only_closest(guess.lower(), roster, threshold) if guess else None
        if member is not None:
            rest = " ".join(tokens[: end - 1] + tokens[end:]).strip(" .,;:-–—|")
            return member, word, rest
    return None


# the word "owner" cut to its end and run into the word before ("OMNER:RAJ", "aner:ana",
# "ner: li"): only with a separator after it, and only before one of the team's names
_OWNER_TAIL = re.compile(r"(?i)(?:(?<=[a-z0-9])|\b)[a-z]{0,3}ner\s*[:=]\s*@?(?P<o>[a-z]+)")
# an owner after its '@' with a letter read as a digit ("@1i" for @li, "@0mar" for @omar)
_DIGIT_OWNER = re.compile(_AT + r"(?P<o>[A-Za-z0-9|]*\d[A-Za-z0-9|]*)")
_DIGIT_LETTERS = str.maketrans({"1": "l", "|": "l", "0": "o", "5": "s", "8": "b", "6": "b"})


def _roster_marked(text: str, team: tuple[str, ...]) -> tuple[str, int, int, str] | None:
    """(member, start, end, how) for one of the team's names written after a marker that OCR
    did not read as one: the word "owner" cut to "ner" and run into the word before
    ("ALERTOMLAGOMNER:RAJ7129"), or a letter of the name after its '@' read as a digit ("@1i").
    (A name run into the line's last word is `_roster_glued`'s, once the due date is cut out.)
    Only exact names of the team: a person checks each."""
    roster = _roster(team)
    for m in _OWNER_TAIL.finditer(text):
        name = m.group("o").lower()
        if name in roster:
            marker = text[m.start() : m.start("o")].strip()
            return name, m.start(), m.end(), f"read after {marker!r} (the word owner misread)"
    for m in _DIGIT_OWNER.finditer(text):
        name = m.group("o").translate(_DIGIT_LETTERS).lower()
        if name in roster:
            return name, m.start(), m.end(), f"read as {m.group(0).strip()!r}, a letter as a digit"
    return None


def _roster_glued(text: str, team: tuple[str, ...]) -> tuple[str, str, str] | None:
    """(member, word, text without the name) when the line's last word (its due date cut out)
    ends in a member's name, its '@' or bracket lost and the name run into the word before
    ("DNSLOMAR", "channelfatima"), or its first letter taken for the bracket ("channelatima"
    for "channel (fatima)"): names of four letters or more (six when the first is lost: "aria"
    ends "malaria"), the word before at least two letters. Exact names only; a person checks
    each."""
    last = re.search(r"(?P<w>[A-Za-z]+)[\s.,;:)\]|-]*$", text)
    if last is None:
        return None
    word = last.group("w").lower()
    roster = _roster(team)
    for name in sorted(roster, key=len, reverse=True):
        for tail in (name, name[1:] if len(name) >= 6 else None):
            if tail and len(tail) >= 4 and word.endswith(tail) and len(word) - len(tail) >= 2:
                cut = last.start("w") + len(word) - len(tail)
                return name, last.group("w"), (text[:cut] + text[last.end("w") :]).strip()
    return None


def _date_repairs(text: str, doubt: Doubt) -> tuple[str, Doubt]:
    """An action line with the words around its due date put right where OCR ran them into it:
    "dve 27 Dec" (the word "due" misread), "due9/26", "by_4/23", "reportdueMay26",
    "B21 Mar"."""
    t = text
    # "dve 27 Dec": the word "due" misread
    t = re.sub(r"(?<![A-Za-z])(?:dve|duc|clue)(?=[\s:.]+\w)", "due", t, flags=re.IGNORECASE)
    # "due9/26", "by_4/23" (a stroke read as an underscore)
    t = re.sub(r"\b(due|by)(?:_|(?=\d))", r"\1 ", t, flags=re.IGNORECASE)
    # "reportdueMay26", "deploysdue11/22": "due" run into its date (a month's or a numeric
    # one) and into the word before it; not "overdue", "undue", "residue"
    t = re.sub(
        rf"(?<!over)(?<!un)(?<!resi)due(?=(?:{_MONTH}(?![a-z])\.?\s*|\d{{1,2}}[/.\-])\d)",
        " due ",
        t,
        flags=re.I,
    )
    # "B21 Mar": "by" read as a B run into the day. Only before a month's name; flagged, as
    # the B may be the day's own digit misread ("B1 Mar" for 31 Mar)
    glued = re.search(rf"(?<![\w/])B(?=\d{{1,2}}\s*{_MONTH}(?![a-z]))", t, re.IGNORECASE)
    if glued:
        doubt = doubt.lower(
            "guessed",
            f"due: the {glued.group(0)!r} before the day taken for 'by'",
            "due.glued_by",
            "due",
        )
        t = t[: glued.start()] + "by " + t[glued.end() :]
    return t, doubt


def _due(
    hit: DateHit, review_date: date | None, review_doubtful: bool, doubt: Doubt
) -> tuple[str | None, Doubt]:
    """The due date a date found on an action's line gives, and the doubt about it."""
    due = None
    d = resolve_date(hit, review_date)
    doubt = doubt + hit.doubt.about("due")
    if d is None:
        doubt = doubt.lower(
            "misread",
            "due date has no year and the review date is unknown",
            "due.no_year",
            "due",
        )
    else:
        due = d.isoformat()
        if hit.year is None and review_doubtful:
            doubt = doubt.lower(
                "guessed",
                "due date has no year and the review date is doubtful",
                "due.review_doubtful",
                "due",
            )
        if review_date is not None and not (
            -DUE_BEFORE_REVIEW_DAYS <= (d - review_date).days <= DUE_AFTER_REVIEW_DAYS
        ):
            # "2024-04-28" on a review of 2026: a year misread, or an old line
            doubt = doubt.lower(
                "misread",
                f"due date {due} is far from the review date",
                "due.far_from_review",
                "due",
            )
    return due, doubt


def match_owner(owner: str, team: tuple[str, ...], threshold: float) -> tuple[str | None, bool]:
    """The roster member an owner read is (lower case), and whether it was read exactly: "ras"
    on a team of raj and maria is raj, not exact; "bob" is nobody (None)."""
    roster = {m.strip().lower().lstrip("@"): m for m in team}
    if owner.lower() in roster:
        return owner.lower(), True
    return only_closest(owner, roster, threshold), False  # None: nobody, or two as near


def _without_accents(text: str) -> str:
    """Each character without its accent ("Sép" → "Sep"), the string as long as before."""
    return "".join(unicodedata.normalize("NFD", c)[0] for c in text)


def _slashless_date(text: str, date_order: str) -> DateHit | None:
    """ "1018" or "315" where a short date ("10/18", "3/15") lost its slash: a bare group of
    three or four digits that splits into exactly one valid month and day; failing that, "8123"
    where the slash was read as a 1 ("8/23"): exactly one 1 inside it that splits it so. Three
    digits that read both ways ("315": 3/15, or 3/5 with its slash read as a 1) are read the
    second way: a slash is read as a 1 more often than it is lost (on seven bench seeds 6 of
    the 7 such dates; four digits, "1018", 2 of 4, and read as before). Always doubtful, the
    other reading named."""
    found = None
    # a group before a dash and a digit is part of a dashed date ("226-03-08"), not a short one
    for m in re.finditer(r"(?<![\w/.,+])(\d{3,4})(?![\w/%+]|[.,-]\d)", text):
        digits = m.group(1)
        splits = _month_days(digits, date_order, 0)
        why, code = "its slash lost", "date.slash_lost"
        as_1 = _month_days(digits, date_order, 1)
        if not splits:
            splits = as_1
            why, code = "its slash read as a 1", "date.slash_read_as_1"
        elif len(as_1) == 1 and len(splits) == 1 and as_1 != splits:
            # the frames do not tell which; the likelier slip is taken, the other named
            if len(digits) == 3:
                month, day = next(iter(splits))
                splits = as_1
                why = f"its slash read as a 1; {month}/{day} if its slash was lost"
                code = "date.slash_read_as_1"
            else:
                month, day = next(iter(as_1))
                why += f"; {month}/{day} if a 1 in it is the slash"
        if len(splits) == 1 and found is None:
            month, day = splits.pop()
            doubt = Doubt().lower("misread", f"date {digits!r} read as {month}/{day} ({why})", code)
            found = DateHit(m.start(), m.end(), None, month, day, doubt)
        elif splits:
            return None  # "111": 1/11 or 11/1
    return found


def _month_days(digits: str, date_order: str, slash: int) -> set[tuple[int, int]]:
    """The valid (month, day) pairs a group of digits splits into: between two digits
    (`slash` 0: the slash lost), or at a 1 that stands for the slash (`slash` 1)."""
    out = set()
    for i in range(1, len(digits) - slash):
        a, b = digits[:i], digits[i + slash :]
        if slash and digits[i] != "1":
            continue
        if len(a) > 2 or len(b) > 2 or b.startswith("0") and len(b) == 1:
            continue
        month, day = (int(b), int(a)) if date_order == "dmy" else (int(a), int(b))
        if 1 <= month <= 12 and 1 <= day <= 31 and not (month == 2 and day > 29):
            out.add((month, day))
    return out


# a date run into the word before it, its space lost: "DEPLOYSEP 15", "SETTINGS10/17" (a
# number's form only where the line ends or its owner follows: "HTTP2/3 stack" is no date)
_GLUED_DATE = re.compile(
    r"(?<=[A-Za-z])(?="
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)\.?\s*\d{1,2}(?!\d)"
    rf"|{_D}{{1,2}}/{_D}{{1,2}}\s*(?:$|[@(]|owner\b))",
    re.IGNORECASE,
)


def _glued_date(text: str, date_order: str) -> DateHit | None:
    """A date written after a word but read run into it ("warm cache on deploySep 15"): read
    as if the space were there, and always doubtful (a word may end in a month's letters)."""
    m = _GLUED_DATE.search(text)
    if m is None:
        return None
    at = m.start()
    hit = find_date(text[:at] + " " + text[at:], date_order)
    if hit is None or hit.start != at + 1:
        return None
    doubt = hit.doubt.lower(
        "guessed",
        f"date {text[at : hit.end - 1]!r} read run into the word before it",
        "date.glued_word",
    )
    return DateHit(at, hit.end - 1, hit.year, hit.month, hit.day, doubt)


def parse_action(
    text: str,
    review_date: date | None,
    metric_names: tuple[str, ...] | list[str] = (),
    date_order: str = "mdy",
) -> Action | None:
    """An action line: "- P95 latency: add circuit breaker @maria 12/15" → text, metric, owner
    ("maria"), due (ISO). None when nothing but markers is left."""
    return read_action(text, review_date, metric_names, date_order)[0]


def metric_doubt(
    line: str, rest: str, metric: str | None, metric_names: tuple[str, ...] | list[str]
) -> Doubt:
    """The doubt about the metric an action or a root cause is linked to: its name as written
    before `rest` ("ITFR" of "ITFR: auto-triage tickets") is not the metric it was taken for
    ("TTFR"), or that metric is not one of the table's rows."""
    if metric is None:
        return Doubt()
    at = line.rfind(rest) if rest else len(line)
    written = line[: at if at >= 0 else len(line)].strip(" .,;:-–—|")
    if metric_names and metric not in metric_names:
        return Doubt().lower(
            "guessed",
            f"metric {written!r} is not one of the table's rows (read as {metric!r})",
            "metric.not_in_table",
            "metric",
        )
    if written and vocab.similarity(written, metric) < 1.0:
        return Doubt().lower(
            "ocr",
            f"metric {written!r} taken for the table's row {metric!r}",
            "metric.corrected",
            "metric",
        )
    return Doubt()


def read_root_cause(
    text: str, metric_names: tuple[str, ...] | list[str] = (), name_match: float = 0.8
) -> tuple[RootCause | None, Doubt]:
    """A root cause line and how sure its metric is: "- P95 latency: slow third-party card
    API" → metric and text."""
    t = _BULLET.sub("", normalise(text)).strip()
    metric, rest = _split_metric_prefix(t, metric_names, name_match)
    doubt = metric_doubt(t, rest, metric, metric_names)
    rest = re.sub(r"\s+", " ", rest).strip(" .,;:-–—|")
    if not rest:
        return None, doubt
    return RootCause(metric=metric, text=rest), doubt


def parse_root_cause(text: str, metric_names: tuple[str, ...] | list[str] = ()) -> RootCause | None:
    """A root cause line: "- P95 latency: slow third-party card API" → metric and text."""
    return read_root_cause(text, metric_names)[0]
