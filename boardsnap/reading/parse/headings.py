"""Section headings and the table's column headings."""

from __future__ import annotations

import re
from functools import lru_cache

from boardsnap.config import ParseConfig
from boardsnap.reading import vocab
from boardsnap.reading.parse.names import clean_name
from boardsnap.reading.parse.values import _has_number, normalise
from boardsnap.reading.results import OcrText

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


def heading_of(
    text: str,
    match: float = ParseConfig.heading_match,
    alone: float = ParseConfig.heading_alone_match,
) -> tuple[str | None, str]:
    """('root' | 'actions' | None, the text after the heading) for a line: its start is a
    heading at least `match` similar to one, a line that is nothing but one at least `alone`
    (`[parse] heading_match`, `heading_alone_match`)."""
    t = clean_name(text)
    head, _, rest = t.partition(":")
    low = re.sub(r"\s+", " ", head.lower()).strip(" ?")
    # a line that is a heading alone ("ACTANS:", "Root cavses") may be read further off its
    # word than one that goes on after it
    least = alone if not rest.strip() else match
    for kind, words in (("root", _ROOT_HEADINGS), ("actions", _ACTION_HEADINGS)):
        for w in words:
            if low == w or (
                len(w) >= 5 and abs(len(low) - len(w)) <= 2 and vocab.similarity(low, w) >= least
            ):
                return kind, rest.strip()
    return None, t


def after_causes_match(
    text: str, box: tuple[int, ...] | None, causes_heading: tuple[int, ...] | None, p: ParseConfig
) -> float:
    """How like an Actions heading a lone word under the root causes, before any Actions
    heading, must be to be taken for it (`lone_action_heading`): `heading_at_causes_match` when
    it starts with the heading's A where the Root causes heading starts (within half its own
    height: where a heading stands, not indented as the causes are), else
    `heading_after_causes_match`."""
    at_indent = (
        box is not None
        and causes_heading is not None
        and abs(box[0] - causes_heading[0]) <= 0.5 * box[3]
    )
    if at_indent and text.lstrip()[:1] in "aA":
        return p.heading_at_causes_match
    return p.heading_after_causes_match


def lone_action_heading(text: str, match: float, joined_match: float, word_match: float) -> bool:
    """Whether a line is a lone word at least `match` similar to a one-word Actions heading
    ("ACHicS", "icns:"), or two words that are once joined at least `joined_match` similar
    ("PEME NATION" for "REMEDIATION": a space read inside the word; a cause's two words, "API
    dvallabi", are often somewhat like one), or two words each at least `word_match` (and
    `match`) like those of a two-word heading ("Acbon ilens" for "Action items"): read where the
    Actions heading belongs (after the root causes, none read yet), it is that heading misread
    further than `heading_of` takes."""
    t = clean_name(text).strip(" :;.-?")
    if not re.fullmatch(r"[A-Za-z]{2,12}(?: [A-Za-z]{2,10})?", t):
        return False
    joined = t.replace(" ", "").lower()
    least = max(match, joined_match) if " " in t else match
    if 4 <= len(joined) <= 12 and any(
        vocab.similarity(joined, w) >= least for w in _ACTION_HEADINGS if " " not in w
    ):
        return True
    # two words, each like its word of a two-word heading ("Acbon ilens" for "Action items":
    # 0.73 and 0.6 alike, though only 0.67 once joined), `word_match` alike word for word
    words = t.lower().split()
    each = max(match, word_match)
    return len(words) == 2 and any(
        len(h) == 2 and all(vocab.similarity(a, b) >= each for a, b in zip(words, h, strict=True))
        for h in (w.split() for w in _ACTION_HEADINGS)
    )


# headers of a column whose cells may hold free text, read as marks when they are marks
NOTE_WORDS = ("notes", "note", "comment", "comments")


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
        *NOTE_WORDS,
        "met",
        "ok",
        "verdict",
        "state",
        "breach",
        "pass",
    ),
}


def notes_header(text: str) -> bool:
    """Whether a header names a column of notes ("Notes", "Comments"), not of marks."""
    return any(w in NOTE_WORDS for w in re.findall(r"[a-z]+", normalise(text).lower()))


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
