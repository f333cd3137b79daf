"""Due dates, and a title's date, decoded again under the date grammar.

An action's due date is its most misread field: a month's letter ("Aag 28", "JU 29"), a slash
("8N0"), a letter glued to it ("byAug7"). Such a line's free reading (the recogniser's best path)
has no date the parser can take, yet the recogniser's frames often give the right one a fair
probability. The end of the line, its last `[ocr] due_grammar_words` words, is decoded again from
the same frames keeping only what the date grammar allows (recogniser.date_tail_grammar: any
text, "due"/"by", a date form, an owner after it); the words before stay as read freely.

The grammar's reading is taken when the free one is not more probable than it by more than
`[ocr] grammar_accept_gap` and the parser then reads a due date in it. A due date read so is
always flagged for review with both readings: the free reading had none, so nothing else vouches
for it. The parser's own checks (a date far from the review, a digit read unsurely: its
confidence is now the grammar reading's) apply as to any line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from difflib import SequenceMatcher
from functools import cache, lru_cache

from boardsnap.config import Config
from boardsnap.document import Action, Board, ReviewCode, flagged
from boardsnap.reading import judge, parse, recogniser
from boardsnap.reading.results import OcrText, Reading

BoxKey = tuple[int, ...]
Note = tuple[str, ReviewCode]

# an action with one of these has a due date to look for again: none read where one seems
# written, none read at all (a date misread wholly into letters: "1O/2T"), a digit read unsurely,
# a date far from the review (a digit misread: "20U6" as 2006). Not a short date whose slash was
# not read ("315": 3/15, or 3/5 with the slash read as a 1): the frames do not tell a 1 from a
# slash (on six seeds, looking again mended five such dates and broke four). A dashed date whose
# year was not read ("202Q-04-10") is looked at again: the parser counted its month and day
# from the review, the grammar may read its year
LOOK_AGAIN = frozenset(
    {
        "due.unread",
        "due.absent",
        "due.unsure_character",
        "due.far_from_review",
        "date.year_unread",
    }
)
CODE = ReviewCode("due.grammar", "due")


@cache
def date_grammar(with_year: bool = False) -> recogniser.Grammar:
    return recogniser.date_tail_grammar(tuple(parse.MONTH_WORDS), with_year)


@dataclass(frozen=True)
class TailReading:
    text: str  # the whole line: the free reading's first words, then the grammar's end
    char_confidences: tuple[float, ...]
    gap: float  # log P(free reading) - log P(this reading)

    def line(self, box: tuple[int, ...] | None) -> OcrText:
        """This reading as the line at `box`, as sure as its characters on average."""
        confs = self.char_confidences
        return OcrText(self.text, sum(confs) / max(1, len(confs)), box, confs)


def decode_tail(
    frames: recogniser.Frames, free: str, words: int, cfg: Config, with_year: bool = False
) -> TailReading | None:
    """The line read with the date in its last `words` words decoded under the date grammar
    (None when the grammar finds no date there, or only one far less probable than the free
    reading). Only the date is taken from the grammar's reading: the text around it, owner and
    all, stays as read freely."""

    def date_span(text: str) -> tuple[int, int] | None:
        hit = parse.find_date(text, cfg.parse.date_order)
        return None if hit is None else (hit.start, hit.end)

    return decode_tail_with(frames, free, words, cfg, date_grammar(with_year), date_span)


def decode_tail_with(
    frames: recogniser.Frames,
    free: str,
    words: int,
    cfg: Config,
    grammar: recogniser.Grammar,
    span: Callable[[str], tuple[int, int] | None],
) -> TailReading | None:
    """The line read with its last `words` words decoded under `grammar`, of which only what
    `span` finds in the grammar's reading (a date, an owner) is taken; None when the grammar
    reads nothing there, nothing different, or something far less probable than the free
    reading (`[ocr] grammar_accept_gap`)."""
    o = cfg.ocr
    starts = frames.char_starts()
    text = "".join(ch for ch, _ in starts)
    if text.strip() != free.strip():
        return None  # the line as read is not this best path (a cut or a re-reading)
    cut = _cut(text, words)
    first = starts[cut][1] if cut < len(starts) else frames.probs.shape[0]
    tail = recogniser.Frames(frames.probs[first:], frames.alphabet)
    decoded = recogniser.grammar_decode(
        tail, grammar, o.grammar_beam, o.grammar_per_frame, o.grammar_min_prob, merge=True
    )
    if decoded is None or (found := span(decoded.text)) is None:
        return None
    line = (text[:cut] + _spliced(text[cut:].strip(), decoded.text, *found)).strip()
    if line == text.strip():
        return None
    gap = recogniser.log_prob(frames, text.strip()) - recogniser.log_prob(frames, line)
    if gap > o.grammar_accept_gap:
        return None
    return TailReading(line, recogniser.char_confidences(frames, line), gap)


def _spliced(free: str, decoded: str, start: int, end: int) -> str:
    """`free` with what `decoded` reads differently inside decoded[start:end] (its date) taken
    from it; every other difference is left as `free` reads it."""
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, free, decoded, autojunk=False).get_opcodes():
        if op != "equal" and j1 < end and j2 > start:
            out.append(decoded[j1:j2])
        else:
            out.append(free[i1:i2])
    return "".join(out)


def _cut(text: str, words: int) -> int:
    """Where the last `words` words of `text` start (0: the whole line). Marks standing alone
    are no words: specks read after a line ("... poolemarig by Dec 21 .. .") would push its
    owner out of the words looked at."""
    spans = [m.start() for m in re.finditer(r"\S+", text) if any(ch.isalnum() for ch in m.group())]
    return spans[-words] if len(spans) > words else 0


def due_look(
    doc: Board, reading: Reading, frames: dict, cfg: Config, ctx: parse.ParseContext
) -> tuple[Board, Reading]:
    """The board and reading after decoding again, under the date grammar, the end of each line
    of an action whose due date was not read, read with a character unsure, or read far from
    the review (`LOOK_AGAIN`). An action whose due date comes from the grammar is flagged."""
    if not cfg.ocr.due_grammar or not frames:
        return doc, reading

    def again_of(fr: recogniser.Frames, free: str) -> TailReading | None:
        again = decode_tail(fr, free, cfg.ocr.due_grammar_words, cfg)
        return again if again is not None and _has_due(again.text, doc, cfg) else None

    reading, notes = relook(
        doc, reading, frames, LOOK_AGAIN, again_of, ("due date", "the date grammar", "date"), CODE
    )
    if not notes:
        return doc, reading
    board = judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge)
    return replace(board, actions=tuple(noted(a, notes, "due") for a in board.actions)), reading


def relook(
    doc: Board,
    reading: Reading,
    frames: dict,
    codes: frozenset[str],
    again_of: Callable[[recogniser.Frames, str], TailReading | None],
    words: tuple[str, str, str],
    code: ReviewCode,
) -> tuple[Reading, dict[BoxKey, list[Note]]]:
    """The reading with the line of each action that has one of `codes` read again by
    `again_of` (from its frames and its free reading), where that gives a reading; and the note
    for each line read so (`words`: the field, the grammar, the field to check)."""
    what, grammar, check = words
    notes: dict[BoxKey, list[Note]] = {}
    lines = list(reading.lines)
    for action in doc.actions:
        if action.line_box is None or not any(c.code in codes for c in action.review_codes):
            continue
        box = tuple(action.line_box)
        fr = frames.get(box)
        at = next((i for i, t in enumerate(lines) if t.box and tuple(t.box) == box), None)
        if fr is None or at is None:
            continue
        free = lines[at]
        again = again_of(fr, free.text)
        if again is None:
            continue
        lines[at] = again.line(free.box)
        said = f"{what} read under {grammar}: {free.text!r} freely, {again.text!r} under the"
        notes[box] = [(f"{said} grammar; check the {check}", code)]
    return (replace(reading, lines=tuple(lines)) if notes else reading), notes


def _has_due(text: str, doc: Board, cfg: Config) -> bool:
    """Whether the parser reads a due date in an action line."""
    review = date.fromisoformat(doc.review_date) if doc.review_date else None
    action, _ = parse.read_action(text, review, date_order=cfg.parse.date_order)
    return action is not None and action.due is not None


def noted(action: Action, notes: dict[BoxKey, list[Note]], field: str) -> Action:
    """The action flagged with the notes of its line, when its `field` came from the grammar."""
    said = notes.get(tuple(action.line_box)) if action.line_box is not None else None
    if not said or getattr(action, field) is None:
        return action
    return flagged(action, tuple(said))


# the grammars of the last photos' weeks kept built: a batch of one meeting's photos shares one;
# an archive's thousands of dates would keep thousands (about 60 KB each once decoded with)
DAYS_GRAMMARS_KEPT = 32
TITLE_WORDS = 4  # a title's date is in its last words: "... SLA review Mar 27 2026"


def title_look(
    doc: Board, reading: Reading, frames: dict, cfg: Config, ctx: parse.ParseContext
) -> tuple[Board, Reading, str | None]:
    """The board and reading after decoding again the end of a title whose date was not read
    ("Identity SLA Review J/ 5 206"), or, on a photo that says when it was taken, was read on
    no day of the review's week before it (`window_days`: "Nov 8" for "Nov 18" on a photo of
    Nov 18). Without a capture date the title's end is decoded under the date grammar; with one,
    under a grammar of that week's days only: the photo's date is the prior a title's date is
    read against, as the roster is an owner's. A date read weeks off the photo's (a board may be
    photographed late) gives way only to a reading about as probable (`[ocr] grammar_flag_gap`);
    one not read, or read a year off, to any the grammar accepts. A review date read so is to be
    said at the top of the document with both readings (the warning returned: stages after this
    one parse the reading again): nothing else vouches for it. Run before the due dates are
    looked at again: a due date with no year takes the review's year."""
    none = doc, reading, None
    if not cfg.ocr.due_grammar or not frames or not doc.title:
        return none
    order, shot = cfg.parse.date_order, ctx.capture_date
    written = parse.parse_title(doc.title, order)[1]
    days = window_days(shot, ctx.review_capture_days) if shot is not None else None
    if written is not None and (days is None or written in days):
        return none  # the title's date was read (on a day the photo allows)
    lines = list(reading.lines)
    at = next(
        (i for i, t in enumerate(lines) if t.box and parse.normalise(t.text) in doc.title), None
    )
    fr = frames.get(tuple(lines[at].box)) if at is not None else None
    if fr is None:
        return none
    free = lines[at]
    if days is None:
        again = decode_tail(fr, free.text, TITLE_WORDS, cfg, with_year=True)
        grammar = "the date grammar"
    else:
        again = decode_tail_with(
            fr, free.text, TITLE_WORDS, cfg, days_grammar(days, order), _title_date_span(order)
        )
        grammar = f"the dates of the week up to the photo's ({shot})"
    read = parse.parse_title(again.text, order)[1] if again is not None else None
    if again is None or read is None or (days is not None and read not in days):
        return none
    if written is not None and shot is not None and again.gap > cfg.ocr.grammar_flag_gap:
        if abs((written - shot).days) < ctx.review_date_apart_days:
            return none  # a date weeks off the photo's may be written so: only a near reading
    lines[at] = again.line(free.box)
    reading = replace(reading, lines=tuple(lines))
    board = judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge)
    said = (
        f"review date: read under {grammar}: {free.text!r} freely, {again.text!r} under "
        "the grammar; check the title"
    )
    return board, reading, said


def window_days(shot: date, days_before: int) -> tuple[date, ...]:
    """The days a review photographed on `shot` was held on: that day and `days_before` before."""
    return tuple(shot - timedelta(days=n) for n in range(days_before + 1))


def _title_date_span(order: str) -> Callable[[str], tuple[int, int] | None]:
    def span(text: str) -> tuple[int, int] | None:
        hit = parse.find_date(text, order)
        return None if hit is None or hit.year is None else (hit.start, hit.end)

    return span


@lru_cache(maxsize=DAYS_GRAMMARS_KEPT)
def days_grammar(days: tuple[date, ...], order: str = "mdy") -> recogniser.Grammar:
    """Text with one of `days` written in it, with its year, in a form a title's date takes
    ("Nov 18 2026", "18 Nov, 2026", "11/18/2026" or "18/11/2026" by `order`, "2026-11-18"),
    the line's end or a mark after it, as in the date grammar. One set of forms per month the
    days fall in, its days as alternatives (a week spans one month or two: few alternatives
    for the automaton to follow, which is made anew for each photo's days)."""
    forms: list[tuple[object, ...]] = []
    space = recogniser.SPACES
    for y, m in sorted({(d.year, d.month) for d in days}):
        mon = tuple(sorted((w for w in parse.MONTH_WORDS if parse.month_of(w) == m), key=len))
        day = tuple(n for d in days if (d.year, d.month) == (y, m) for n in _numeral(d.day))
        iso_day = tuple(f"{d.day:02d}" for d in days if (d.year, d.month) == (y, m))
        month, year = _numeral(m), (str(y),)
        comma = (space, (",", ""), space)
        forms.append((mon, (".", ""), space, day, *comma, year))
        forms.append((day, space, mon, (".", ""), *comma, year))
        first, second = (day, month) if order == "dmy" else (month, day)
        forms.append((first, ("/",), second, ("/",), year + (str(y)[2:],)))
        forms.append((year, ("-",), (f"{m:02d}",), ("-",), iso_day))
    ends = ((), (recogniser.Repeat("mark", 1, 1), recogniser.ANY))
    return recogniser.Grammar(tuple((recogniser.ANY, *f, *e) for f in forms for e in ends))


def _numeral(n: int) -> tuple[str, ...]:
    """A day's or month's number as written: "7" or "07"; "18"."""
    return (str(n), f"{n:02d}") if n < 10 else (str(n),)
