"""The board's title: service and review date."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from boardsnap.reading import vocab
from boardsnap.reading.parse.actions import _has_owner
from boardsnap.reading.parse.context import ParseContext
from boardsnap.reading.parse.dates import (
    MONTH_WORDS,
    DateHit,
    _latest_on_or_before,
    find_date,
    month_of,
)
from boardsnap.reading.parse.doubt import Doubt
from boardsnap.reading.parse.names import only_closest
from boardsnap.reading.parse.values import normalise

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


# "LedgerSLAReview8/4/2026": the recogniser loses the spaces of a title written in one sweep;
# the title's own words, in the case they are written, show where the spaces were
_GLUED = (
    re.compile(r"(?<=[a-z])(?=SLA?(?:[A-Z]|\b)|Review)|(?<=[A-Z]{2})(?=SLA[A-Z]|REVIEW)"),
    re.compile(r"(?<=SLA)(?=[A-Z][a-z]|[Rr]eview)|(?<=(?:Review|REVIEW|review))(?=[0-9A-Z])"),
    # a service's last word "API" run into the word before ("PAYMENTSAPI"); not "OpenAPI"
    re.compile(r"(?<=[A-Za-z]{3})(?<!open|Open|OPEN)(?=API\b)"),
)


def unglued(title: str) -> str:
    """The title with spaces put back around its words "SLA" and "Review" where they were lost
    ("AuthserviceSLAReview10/9/2026" → "Authservice SLA Review 10/9/2026"), and before a
    service's last word "API" ("PAYMENTSAPI SLA REVIEW" → "PAYMENTS API SLA REVIEW")."""
    for pattern in _GLUED:
        title = pattern.sub(" ", title)
    return title


def known_service(
    service: str | None, services: tuple[str, ...], threshold: float
) -> tuple[str | None, str | None]:
    """The service as the team writes it (`[team] services`, or the history's), and what the
    document must say when the reading was corrected to it ("Leager" → "Ledger"). A reading that
    differs from a known service only in case or spacing is that service, nothing to say; one
    near none of them is a new service, kept as read."""
    if not service or not services:
        return service, None
    squeezed = _squeezed(services)
    key = vocab.fold(service).replace(" ", "")
    if key in squeezed:
        return squeezed[key], None
    name = only_closest(key, squeezed, threshold) or _leading(service, squeezed, threshold, 1)
    if name is None:
        return service, None
    known = squeezed[name]
    return known, f"service: {service!r} read as {known!r}, one of the team's services; check"


def _squeezed(services: tuple[str, ...]) -> dict[str, str]:
    """The team's services by their spelling folded, spaces out."""
    return {vocab.fold(s).replace(" ", ""): s for s in services}


def _leading(text: str, squeezed: dict[str, str], threshold: float, after: int) -> str | None:
    """The team's service (its squeezed key) that the first words of `text` are, `after` words
    or more following it (the title's other words misread: "Checkout A evew Ma" for "Checkout
    SLA review Mar"): the most words that match, one to three."""
    words = text.split()
    for n in range(min(3, len(words) - after), 0, -1):
        head = vocab.fold(" ".join(words[:n])).replace(" ", "")
        if len(head) >= 3 and (name := only_closest(head, squeezed, threshold)) is not None:
            return name
    return None


def starts_with_service(text: str, services: tuple[str, ...], threshold: float) -> bool:
    """Whether a line begins with one of the team's services: a title whose other words were
    misread ("Checkout A evew Ma 27 206")."""
    if not services:
        return False
    return _leading(normalise(text), _squeezed(services), threshold, 0) is not None


def _title_parts(text: str, date_order: str) -> tuple[str | None, DateHit | None]:
    t = unglued(normalise(text))
    hit = find_date(t, date_order)
    if hit is not None and hit.year is None and t[hit.end : hit.end + 1].isalnum():
        # "JUL20Lb" for "26 JUL 2026": a title's date runs on into what may be its misread year
        hit = replace(
            hit,
            doubt=hit.doubt.lower(
                "misread",
                f"date {t[hit.start : hit.end]!r} runs on into {t[hit.end :].split()[0]!r}",
                "date.runs_on",
            ),
        )
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


# a month's name as written in full or short (dates.MONTH_WORDS), not a word it begins
_MONTH_WORD = rf"(?P<mon>{'|'.join(sorted(MONTH_WORDS, key=len, reverse=True))})(?![a-z])"
# a month's word and a year after it, the day between them not read as one ("Jan99 2026",
# "JAN ?? 2026", "Jan 2026"), or a year and a month at the start of an ISO date ("2026-01-2?")
_MONTH_YEAR = (
    re.compile(rf"(?<![a-z]){_MONTH_WORD}\.?[^a-z]{{0,6}}?(?P<y>20\d\d)(?!\d)", re.IGNORECASE),
    re.compile(r"(?<!\d)(?P<y>20\d\d)[-/.](?P<m>0?[1-9]|1[0-2])(?!\d)"),
)


def title_month(text: str) -> date | None:
    """The first day of the month a title names with its year when its date was not read
    whole ("Checkout SLA review Jan99 2026" → 2026-01-01), else None. Due dates written without
    a year are counted from it rather than from the photo's date, which may be months later."""
    t = unglued(normalise(text))
    for pattern in _MONTH_YEAR:
        m = pattern.search(t)
        if m is None:
            continue
        month = month_of(m.group("mon")) if "mon" in m.groupdict() else int(m.group("m"))
        return date(int(m.group("y")), month, 1)
    return None


def _date_like(word: str) -> bool:
    """A word that is part of a date read wrong ("2OZL", "1Dc", "11/82026"), not of a name
    ("v2", "S3")."""
    w = word.strip(".,:;()[]")
    if re.search(r"\d.*\d|\d[/.-]|[/.-]\d", w):
        return True
    return bool(re.search(r"\d", w)) and len(w) >= 3 and not re.fullmatch(r"[A-Za-z]+\d+", w)


def _fuzzy_title_word(word: str) -> bool:
    low = word.lower()
    if low == "sl" or re.fullmatch(r"[s5e][l1iu|\\.][a4]", low):
        return True  # "SLA" misread: "5LA", "SIA", "ELA", "SUA", "S.A", "SL"
    return len(low) >= 5 and vocab.similarity(low, "review") >= 0.8


def tidy_title(title: str, service: str | None, date_order: str) -> str:
    """The title as a report shows it: spaces put back around its words (`unglued`), the
    service as the document names it (the team's spelling, in the title's case), and its own
    words where a letter or two was misread ("reNiew", "REVEW" → review, "5LA", "SUA" → SLA).
    The rest, its date too, as read (the review date's own checks say what it was read as)."""
    t = unglued(normalise(title))
    read, _ = _title_parts(title, date_order)
    if read and service and read in t and _word_for_word(read, service):
        t = t.replace(read, service.upper() if read.isupper() else service, 1)
    words = t.split(" ")
    for i, w in enumerate(words):
        core = w.strip(".,:;")
        if not core or _TITLE_WORDS.fullmatch(core) or not _fuzzy_title_word(core):
            continue
        if len(core) <= 3 or core.lower() == "sl":
            fixed = "SLA"
        elif abs(len(core) - len("review")) > 1:
            continue  # more than a letter misread: another word run into it ("SLAreview")
        else:
            fixed = "REVIEW" if core.isupper() else "Review" if core[0].isupper() else "review"
        words[i] = w.replace(core, fixed)
    return " ".join(words)


def _word_for_word(read: str, service: str) -> bool:
    """Whether `service` is `read` with letters of its words misread, word for word: as many
    words, each at most a letter longer or shorter. Not so, the reading holds more than the
    service ("Identih S renew" for "Identity SLA review": its other words would be lost)."""
    a, b = read.split(), service.split()
    return len(a) == len(b) and all(abs(len(x) - len(y)) <= 1 for x, y in zip(a, b, strict=True))


REVIEW_SIGNS = re.compile(r"\bsla|\bslo|review", re.IGNORECASE)  # what only a title says


def _looks_like_title(text: str, date_order: str) -> bool:
    t = normalise(text)
    return bool(
        REVIEW_SIGNS.search(t)
        or any(_fuzzy_title_word(w.strip(".,:;-|")) for w in t.split())
        or (find_date(t, date_order) is not None and not _has_owner(t))
    )


def review_date(
    title: str | None, ctx: ParseContext
) -> tuple[str | None, date | None, Doubt | None, bool, date | None]:
    """The service and the review date a title says, the doubt about that date, whether it is
    far from the photo's date (a year misread, which a due date's year may share), and the day
    due dates without a year are counted from: the review date, or the first of the month the
    title names when its day was not read and the photo was taken in another month."""
    service, review, title_doubt, due_from = None, None, None, None
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
        month = title_month(title) if title else None
        if month is not None and (review is None or month != review.replace(day=1)):
            # "Jan99 2026" on a photo dated in December: its due dates' year is January's
            due_from = month
            taken += f"; due dates without a year counted from the title's {month:%B %Y}"
        title_doubt = Doubt().lower("misread", f"{where}; {taken}", "review_date.absent", "title")
    review_far = bool(
        from_title
        and ctx.fallback_date is not None
        and review is not None
        and abs((review - ctx.fallback_date).days) >= ctx.review_date_apart_days
    )
    if review_far and ctx.fallback_date is not None and review is not None:
        # "2024" for "2026": a title's year misread, or an old photo; the photo's date says which
        shot = ctx.capture_date
        if shot is not None and (review.month, review.day) == (shot.month, shot.day):
            # the board photographed on the title's very day, but another year: the title's
            # year misread ("8/13/2024" on a photo of 2026-08-13); the photo's year taken
            title_doubt = (title_doubt or Doubt()).lower(
                "misread",
                f"the title's year {review.year} read as {shot.year}: the photo was taken on "
                f"its day, {shot.isoformat()}",
                "review_date.year_from_photo",
                "title",
            )
            review = shot
        else:
            # a photo without a capture date is dated by its file, which may be a copy's
            far = f"the title's date {review.isoformat()} is far from the "
            if ctx.capture_date is not None:
                far += f"photo's date {ctx.fallback_date.isoformat()}"
            else:
                far += (
                    f"file's date {ctx.fallback_date.isoformat()} (the photo holds no capture "
                    "date: a year misread, or the file copied later)"
                )
            title_doubt = (title_doubt or Doubt()).lower(
                "misread",
                far,
                "review_date.far_from_photo",
                "title",
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
            "misread",
            f"the title's date {review.isoformat()} is not the photo's capture date "
            f"{ctx.capture_date.isoformat()} or a few days before it",
            "review_date.not_capture_day",
            "title",
        )
    return service, review, title_doubt, review_far, due_from or review
