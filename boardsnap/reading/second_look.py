"""Second look: the cells of a doubtful row, read again.

A character misread in hard handwriting often reads right when the strokes are a little thicker
or thinner, or the crop squashed ("< L SECS" → "< 2 SECS", "154%" → "1.54%", "Oieve time" →
"Queue time"); the variants are `second_readings`.

Names: a row whose name is not one BoardSnap knows (vocab.is_known_name) has its name cell read
again; when `[ocr] second_look_name_votes` variants read it as the same known name, and no other
known name as often, that reading is used.

Values: for each metric row the parser and judge doubt, its target and actual cells are read
again. A re-reading is used only when at least `[ocr] second_look_votes` variants agree on it and
it leaves the row with fewer doubts than the first reading. A row whose only doubts are OCR's (a
digit read unsurely) is left as read: re-reading those changed nothing on the benchmark.

A row with anything read again is flagged for review and says what was re-read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import cache

import cv2
import numpy as np

from boardsnap.config import Config, OcrConfig
from boardsnap.document import Board, Metric, ReviewCode, flagged
from boardsnap.geometry import Box
from boardsnap.reading import judge, ocr, parse, recogniser, vocab
from boardsnap.reading.results import OcrText, Reading

BoxKey = tuple[int, ...]
Note = tuple[str, ReviewCode]  # a reason the second look gives a row, and its code


def _key(t: OcrText) -> BoxKey | None:
    return tuple(int(v) for v in t.box) if t.box is not None else None


def cells_by_box(reading: Reading) -> dict[BoxKey | None, tuple[int, int]]:
    """Row and column of each cell of the table, by its box."""
    return {
        _key(t): (r, c)
        for r, row in enumerate(reading.cells)
        for c, t in enumerate(row)
        if t.box is not None
    }


def _thicker(crop: np.ndarray) -> np.ndarray:
    return cv2.erode(crop, np.ones((3, 3), np.uint8))  # dark ink on white: erode thickens it


def _thinner(crop: np.ndarray) -> np.ndarray:
    return cv2.dilate(crop, np.ones((2, 2), np.uint8))


def _squashed(crop: np.ndarray) -> np.ndarray:
    h, w = crop.shape[:2]
    return cv2.resize(crop, (w, max(8, round(h * 0.8))), interpolation=cv2.INTER_AREA)


def _on_a_margin(crop: np.ndarray) -> np.ndarray:
    return cv2.copyMakeBorder(crop, 20, 20, 30, 30, cv2.BORDER_CONSTANT, value=255)


# the variants of a cell's crop it is read again under, by the words a reason names them with
VARIANTS: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("with thicker strokes", _thicker),
    ("with thinner strokes", _thinner),
    ("squashed", _squashed),
    ("on a wider margin", _on_a_margin),
)


def second_readings(
    clean: np.ndarray,
    box: Box,
    engine: ocr.OcrEngine,
    cfg: OcrConfig,
    min_width: int | None = None,
    pack_gap: int = 0,
) -> list[OcrText]:
    """The cell at `box` read again under a few variants of its crop: strokes thicker, strokes
    thinner, squashed to 80 % of its height, on a wider margin. A character misread in the
    first reading ("< L SECS") is often read right in some of them ("< 2 SECS"). The variants
    are fed `min_width` wide at least (default: as every crop, `[ocr] rec_min_width`), two to
    a model call side by side `pack_gap` apart when not 0."""
    crop = ocr.prepare_crop(clean, box, cfg, True)
    if crop is None:
        return []
    variants = [make(crop) for _, make in VARIANTS]
    if hasattr(engine, "read_line_frames"):
        read = engine.read_line_frames(list(variants), min_width, pack_gap)
        return [OcrText(text, conf, box, chars) for text, conf, chars, _ in read]
    return [ocr.read_crop(engine, v, box) for v in variants]


def _squeezed(text: str) -> str:
    return "".join(text.split())


def second_look(
    doc: Board,
    reading: Reading,
    clean: np.ndarray,
    engine: ocr.OcrEngine,
    cfg: Config,
    ctx: parse.ParseContext,
) -> tuple[Board, Reading]:
    """The board and reading after re-reading the name cells of rows whose name is not known and
    the value cells of rows whose values are doubtful."""
    if not cfg.ocr.second_look:
        return doc, reading
    where = cells_by_box(reading)

    def row_of(rd: Reading, name_box: BoxKey) -> Metric | None:
        # the table alone: a row's doubts come from its own cells
        board = judge.judge_board(parse.parse_reading(replace(rd, lines=()), ctx), cfg.judge)
        return next((m for m in board.metrics if m.cell_boxes[:1] == (name_box,)), None)

    notes: dict[BoxKey, list[Note]] = {}
    for metric in doc.metrics:
        if vocab.is_known_name(metric.name) or not metric.cell_boxes:
            continue
        name_box = metric.cell_boxes[0]
        rc = where.get(name_box)
        if rc is None or name_box in metric.cell_boxes[1:]:
            continue  # a row read from one merged cell: its name is not apart to re-read
        r, c = rc
        first = reading.cells[r][c]
        known: Counter[str] = Counter()
        texts: dict[str, OcrText] = {}
        for again in second_readings(clean, first.box, engine, cfg.ocr):
            row = row_of(_with_cell(reading, r, c, again), name_box) if again.text else None
            if row is not None and vocab.is_known_name(row.name):
                known[vocab.fold(row.name)] += 1
                texts.setdefault(vocab.fold(row.name), again)
        ranked = known.most_common(2)
        if not ranked or ranked[0][1] < cfg.ocr.second_look_name_votes:
            continue
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            continue  # two known names as often: no telling which
        chosen = texts[ranked[0][0]]
        reading = _with_cell(reading, r, c, chosen)
        notes.setdefault(name_box, []).append(
            (
                f"name read again: {first.text!r} on the first look, {chosen.text!r} on a second",
                ReviewCode("second_look.reread", "name"),
            )
        )

    for metric in doc.metrics:
        if not metric.needs_review or len(metric.cell_boxes) < 3:
            continue
        name_box = metric.cell_boxes[0]
        row = row_of(reading, name_box)  # then, once a cell is re-read, the re-read row's
        best = None if row is None else _doubt_score(row)
        if best is None or best[:2] == (0, 0):
            continue  # judged, and only OCR was unsure: the first reading stands
        for what, box in (("target", metric.cell_boxes[1]), ("actual", metric.cell_boxes[2])):
            rc = where.get(box)
            if rc is None or box == name_box:
                continue  # a row read from one merged cell: nothing to re-read apart
            r, c = rc
            first = reading.cells[r][c]
            again = second_readings(
                clean,
                first.box,
                engine,
                cfg.ocr,
                cfg.ocr.second_look_value_min_width,
                cfg.ocr.second_look_pack_gap,
            )
            votes = Counter(_squeezed(t.text) for t in again if t.text)
            chosen = None
            for text, n in votes.most_common():
                if n < cfg.ocr.second_look_votes or text == _squeezed(first.text):
                    continue
                candidate = next(t for t in again if _squeezed(t.text) == text)
                trial = _with_cell(reading, r, c, candidate)
                trial_row = row_of(trial, name_box)
                score = None if trial_row is None else _doubt_score(trial_row)
                if score is not None and score < best:
                    best, chosen = score, (candidate, trial)
            if chosen is not None:
                candidate, reading = chosen
                notes.setdefault(name_box, []).append(
                    (
                        f"{what} read again: {first.text!r} on the first look, "
                        f"{candidate.text!r} on a second",
                        ReviewCode("second_look.reread", what),
                    )
                )
    if not notes:
        return doc, reading
    board = judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge)
    board = replace(board, metrics=tuple(_noted(m, notes) for m in board.metrics))
    return carried(board, doc), reading


def carried(new: Board, old: Board) -> Board:
    """`new`, a board parsed again from a reading a look changed, with what the earlier looks
    said of its rows (by name cell) and actions (by line) before: parsing again would drop it."""

    def said(codes: tuple[ReviewCode, ...]) -> bool:
        return any(c.code.startswith(_LOOK_CODES) for c in codes)

    rows = {m.cell_boxes[0]: m for m in old.metrics if m.cell_boxes and said(m.review_codes)}
    lines = {a.line_box: a for a in old.actions if a.line_box and said(a.review_codes)}

    def add(item, before):
        if before is None or len(before.review_reasons) != len(before.review_codes):
            return item  # reasons without their codes: nothing to pair them by
        pairs = zip(before.review_reasons, before.review_codes, strict=True)
        return flagged(item, tuple((r, c) for r, c in pairs if c.code.startswith(_LOOK_CODES)))

    return replace(
        new,
        metrics=tuple(
            add(m, rows.get(m.cell_boxes[0]) if m.cell_boxes else None) for m in new.metrics
        ),
        actions=tuple(add(a, lines.get(a.line_box)) for a in new.actions),
    )


# the codes the looks give, which parsing again would not
_LOOK_CODES = ("second_look.", "due.grammar", "owner.grammar")


@cache
def mark_grammar() -> recogniser.Grammar:
    """What a status cell may say: a mark's word or symbol, a stop or "!" after it."""
    texts = tuple(sorted(set(parse.MARK_TEXTS), key=len, reverse=True))
    return recogniser.Grammar(((texts, (".", "!", "")),))


@cache
def value_grammar() -> recogniser.Grammar:
    """What a target or actual cell may say: the vocabulary's comparators and units."""
    comparators = tuple(c for c, _ in vocab.COMPARATORS) + tuple(vocab.MISREAD_COMPARATORS)
    return recogniser.value_grammar(comparators, tuple(vocab.UNIT_ALIASES))


def grammar_look(
    doc: Board,
    reading: Reading,
    frames: ocr.FramesByBox,
    cfg: Config,
    ctx: parse.ParseContext,
) -> tuple[Board, Reading]:
    """The board and reading after decoding value cells again under the value grammar, and
    status cells whose writing is no mark (`mark.unread`) under the marks' words.

    A target, actual or status cell whose free reading its grammar does not accept, or that has
    a character read less surely than `[ocr] grammar_unsure`, is decoded again from the same
    frames keeping only what the grammar allows. The grammar's reading is used when the free
    one is not more probable than it by more than `grammar_accept_gap` (log-probability); when
    the two differ by more than `grammar_flag_gap`, the row is flagged with both readings. A
    status cell the grammar cannot read is left as read (the parser says it holds no mark)."""
    if not cfg.ocr.grammar or not frames:
        return doc, reading
    where = cells_by_box(reading)
    first = reading
    notes: dict[BoxKey, list[Note]] = {}
    for metric in doc.metrics:
        if len(metric.cell_boxes) < 3:
            continue
        name_box = metric.cell_boxes[0]
        cells = [("target", metric.cell_boxes[1]), ("actual", metric.cell_boxes[2])]
        unread = ReviewCode("mark.unread", "mark") in metric.review_codes
        if unread and len(metric.cell_boxes) == 4:  # writing that is no mark, not in a notes column
            cells.append(("mark", metric.cell_boxes[3]))
        for what, box in cells:
            rc = where.get(box)
            fr = frames.get(box)
            if rc is None or box == name_box or fr is None or not reading.cells[rc[0]][rc[1]].text:
                continue
            free = reading.cells[rc[0]][rc[1]]
            grammar = mark_grammar() if what == "mark" else value_grammar()
            again = _decoded_again(free, fr, grammar, cfg.ocr)
            if again is None:
                continue
            decoded, gap = again
            reading = _with_cell(reading, *rc, decoded)
            said = "the marks' words" if what == "mark" else "the value grammar"
            if gap > cfg.ocr.grammar_flag_gap:
                notes.setdefault(name_box, []).append(
                    (
                        f"{_FIELD_WORD[what]} read as {free.text!r} freely and as "
                        f"{decoded.text!r} under {said}, which is less probable",
                        ReviewCode("second_look.grammar_less_probable", what),
                    )
                )
            elif (
                what != "mark"
                and grammar.matches(free.text)
                and _values_differ(free.text, decoded.text)
            ):
                # two values the grammar takes, about as probable ("=<1.5s" freely, "=<15s"
                # under the grammar, an unsure point between them): either may be right
                notes.setdefault(name_box, []).append(
                    (
                        f"{what} read as {free.text!r} freely and as {decoded.text!r} under "
                        "the value grammar, about as probable: either may be right",
                        ReviewCode("second_look.grammar_either", what),
                    )
                )
    if reading is first and not notes:
        return doc, reading
    board = judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge)
    board = replace(board, metrics=tuple(_noted(m, notes) for m in board.metrics))
    return carried(board, doc), reading


_FIELD_WORD = {"target": "target", "actual": "actual", "mark": "status"}


def _decoded_again(
    free: OcrText, fr: recogniser.Frames, grammar: recogniser.Grammar, o: OcrConfig
) -> tuple[OcrText, float] | None:
    """The cell decoded again under `grammar`, and how much less probable than its free reading
    (log); None when the free reading is one the grammar takes, surely, when the grammar finds
    nothing else, or when the free one is more probable by more than `grammar_accept_gap` (the
    cell says something else: "TBD")."""
    unsure = any(x < o.grammar_unsure for x in free.char_confidences)
    if grammar.matches(free.text) and not unsure:
        return None
    decoded = recogniser.grammar_decode(
        fr, grammar, o.grammar_beam, o.grammar_per_frame, o.grammar_min_prob
    )
    if decoded is None or _squeezed(decoded.text) == _squeezed(free.text):
        return None
    gap = recogniser.log_prob(fr, free.text) - decoded.log_prob
    if gap > o.grammar_accept_gap:
        return None
    confs = decoded.char_confidences
    conf = sum(confs) / len(confs) if confs else 0.0
    return OcrText(decoded.text, conf, free.box, confs), gap


def _values_differ(a: str, b: str) -> bool:
    """Whether two readings of a value cell say different numbers or units."""
    va, vb = parse.read_value(a), parse.read_value(b)
    return (va.value, va.unit) != (vb.value, vb.unit)


def _doubt_score(m: Metric) -> tuple[int, int, int]:
    """How doubtful a row is, worst first: not judged at all, then doubts about what the values
    say, then doubts of the reading alone (parse.READING_ONLY_DOUBTS: a re-reading may carry as
    many of these as the first and still be the better one). (0, 0, 0): nothing doubtful."""
    unsure = sum(c.code in parse.READING_ONLY_DOUBTS for c in m.review_codes)
    return (int(m.status == "unknown"), len(m.review_codes) - unsure, unsure)


def _with_cell(reading: Reading, r: int, c: int, text: OcrText) -> Reading:
    rows = [list(row) for row in reading.cells]
    rows[r][c] = text
    return replace(reading, cells=tuple(tuple(row) for row in rows))


def _noted(m: Metric, notes: dict[BoxKey, list[Note]]) -> Metric:
    said = notes.get(m.cell_boxes[0]) if m.cell_boxes else None
    return flagged(m, tuple(said)) if said else m
