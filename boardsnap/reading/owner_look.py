"""Owners decoded again under the team's names.

An owner is the field of an action most often lost in a misread: its '@' read as a letter and
run into the word before ("poolemarig" for "pool @maria"), a bracket read as a letter
("channelatima" for "channel (fatima)"), a letter of the name misread ("@kay" for "@raj"). When
the team is known (`[team] members`), the recogniser's frames of such a line often give the
right name a fair probability: the end of the line, its last `[ocr] owner_grammar_words` words,
is decoded again keeping only what the owner grammar allows (any text, then an '@', a bracket
or the word "owner", one of the team's names, then the rest), and only the owner is taken from
it.

The grammar's reading is taken when the free one is not more probable than it by more than
`[ocr] grammar_accept_gap` and the parser then reads one of the team as the owner. An owner read
so is always flagged for review with both readings: the free reading had none of the team there.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from functools import cache

from boardsnap.config import Config
from boardsnap.document import Board, ReviewCode
from boardsnap.reading import judge, parse, recogniser
from boardsnap.reading.due_look import TailReading, decode_tail_with, noted, relook
from boardsnap.reading.results import Reading
from boardsnap.reading.second_look import carried

# an action with one of these has an owner to look for again: none read, an '@' with no name,
# a name not on the team, a letter of it read unsurely
LOOK_AGAIN = frozenset(
    {"owner.absent", "owner.unread", "owner.not_on_team", "owner.unsure_character"}
)
CODE = ReviewCode("owner.grammar", "owner")


def names(team: tuple[str, ...]) -> tuple[str, ...]:
    """The team's names as an owner is written after its marker, longest first."""
    found = {m.strip().lower().lstrip("@") for m in team}
    return tuple(sorted((n for n in found if n), key=len, reverse=True))


@cache
def owner_grammar(team: tuple[str, ...]) -> recogniser.Grammar:
    """Any text, a marker ('@', '(', the word "owner"), one of `team`'s names, a closing
    bracket or none; then the line's end, or a separator and any text. (A name after a bare
    space is not looked for: any short word would do as one, "la" for "li".)"""
    marker = ("@", "(", "owner ", "owner:", "owner: ", "owner-", "owner - ")
    name, close = names(team), (")", "")
    return recogniser.Grammar(
        (
            (recogniser.ANY, marker, name, close),
            (recogniser.ANY, marker, name, close, (" ", ",", ".", ";"), recogniser.ANY),
        )
    )


def owner_span(text: str, team: tuple[str, ...]) -> tuple[int, int] | None:
    """Where the last of `team`'s names written after a marker ('@', '(', "owner") is in
    `text` (marker and brackets included), or None."""
    alternatives = "|".join(re.escape(n) for n in names(team))
    marked = rf"(?:[@(]|\bowner\s?[:\-]?\s?)(?:{alternatives})\)?(?![a-z])"
    found = list(re.finditer(marked, text, re.I))
    return (found[-1].start(), found[-1].end()) if found else None


def owner_look(
    doc: Board, reading: Reading, frames: dict, cfg: Config, ctx: parse.ParseContext
) -> tuple[Board, Reading]:
    """The board and reading after decoding again, under the owner grammar, the end of each line
    of an action whose owner was not read, not read as one of the team, or read with a letter
    unsure (`LOOK_AGAIN`). An action whose owner comes from the grammar is flagged."""
    team = tuple(ctx.team)
    if not cfg.ocr.owner_grammar or not frames or not names(team):
        return doc, reading
    grammar = owner_grammar(team)

    def again_of(fr: recogniser.Frames, free: str) -> TailReading | None:
        span = lambda text: owner_span(text, team)  # noqa: E731
        again = decode_tail_with(fr, free, cfg.ocr.owner_grammar_words, cfg, grammar, span)
        return again if again is not None and _owned(again.text, doc, team, cfg) else None

    reading, notes = relook(
        doc, reading, frames, LOOK_AGAIN, again_of, ("owner", "the team's names", "owner"), CODE
    )
    if not notes:
        return doc, reading
    board = carried(judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge), doc)
    return replace(board, actions=tuple(noted(a, notes, "owner") for a in board.actions)), reading


def _owned(text: str, doc: Board, team: tuple[str, ...], cfg: Config) -> bool:
    """Whether the parser reads one of the team as the owner of an action line."""
    review = date.fromisoformat(doc.review_date) if doc.review_date else None
    action, _ = parse.read_action(text, review, date_order=cfg.parse.date_order)
    return action is not None and action.owner is not None and action.owner in names(team)
