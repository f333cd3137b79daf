"""Due dates decoded again under the date grammar (reading/due_look.py): the real PP-OCR model
on action lines drawn in the generator's handwriting fonts, whose free reading misses or
misreads the date."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from synthetic import action_board_reading, drawn_line

from boardsnap.config import Config
from boardsnap.document import Action, Actual, Board, Metric, ReviewCode, Target
from boardsnap.reading import due_look, judge, parse, recogniser
from boardsnap.reading.results import OcrText, Reading
from boardsnap.reading.second_look import carried

BREIP = "/usr/share/fonts/truetype/breip/Breip.ttf"  # fonts of samples/boardgen/ink.py
DKG = "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf"
LEARN = "/usr/share/fonts/opentype/bwht/BecauseWeLearn-Regular.otf"
CFG = Config()
REVIEW = date(2026, 6, 1)


def drawn(text: str, font: str, size: int) -> np.ndarray:
    return drawn_line(text, font, size, width=1400)


@pytest.fixture(scope="module")
def rec():
    return recogniser.Recogniser()


def _due(text: str) -> str | None:
    action, _ = parse.read_action(text, REVIEW)
    return action.due if action is not None else None


@pytest.mark.parametrize(
    ("written", "font", "size", "due"),
    [
        ("move db to own host Jan 18", BREIP, 48, "2027-01-18"),  # "San 18"
        ("validate config in CI @sam 6/30", LEARN, 60, "2026-06-30"),  # "&/30"
        ("scale worker pool 2026-04-10", LEARN, 48, "2026-04-10"),  # "202Q-04-10"
    ],
)
def test_the_grammar_reads_a_due_date_the_free_reading_misses(rec, written, font, size, due):
    frames = rec.frames([drawn(written, font, size)])[0]
    free, _ = frames.best_path()
    # the free reading has no date the parser can take, or only its month and day, the year
    # not read ("202Q-04-10"): a reason to look again
    read, _ = parse.read_action(free, REVIEW)
    assert read is not None and read.due != due
    assert read.due is None or due_look.LOOK_AGAIN & {c.code for c in read.review_codes}
    again = due_look.decode_tail(frames, free, CFG.ocr.due_grammar_words, CFG)
    assert again is not None
    assert _due(again.text) == due
    assert again.gap <= CFG.ocr.grammar_accept_gap
    assert len(again.char_confidences) == len(again.text)
    # only the date is the grammar's: the words before it are the free reading's
    assert again.text.split()[:2] == free.split()[:2]


def test_only_the_date_is_taken_from_the_grammar_reading():
    # the grammar's reading also spelt the owner differently: that stays as read freely
    free = "report (fatima) u1 29"
    decoded = "report (fatma) Jul 29"
    hit = parse.find_date(decoded, "mdy")
    assert hit is not None
    assert due_look._spliced(free, decoded, hit.start, hit.end) == "report (fatima) Jul 29"


def test_the_date_grammar_takes_date_forms_anywhere_and_nothing_else():
    g = due_look.date_grammar()
    for ok in (
        "review Aug 28",
        "due 8/28 @ana",
        "2026-08-28 (omar)",
        "28 Aug",
        "by Sept. 3, 2026 owner: li",
        "8/28/26",
    ):
        assert g.matches(ok), ok
    for bad in ("review dashboards", "Aag 28", "8N0", "2CR6-U4-10", "@ana 28"):
        assert not g.matches(bad), bad
    # a year of this century: "2926" is a digit misread, not a year to read a date in
    for bad in ("2926-03-08", "8/28/2926", "Aug 28 1926"):
        assert not due_look.date_grammar(with_year=True).matches(bad), bad
    assert due_look.date_grammar(with_year=True).matches("Aug 28 2026")


def _board_reading(rec, written: str, font: str, size: int) -> tuple[Reading, dict]:
    return action_board_reading(rec, written, font, size)


def _looked(reading: Reading, frames: dict, cfg: Config = CFG) -> Action:
    ctx = parse.ParseContext(source="test")
    doc = judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge)
    assert len(doc.actions) == 1
    assert doc.actions[0].due is None
    doc, _ = due_look.due_look(doc, reading, frames, cfg, ctx)
    return doc.actions[0]


def test_an_action_whose_due_came_from_the_grammar_is_right_and_flagged(rec):
    reading, frames = _board_reading(rec, "move db to own host Jan 18", BREIP, 48)
    action = _looked(reading, frames)
    assert action.due == "2027-01-18"
    assert action.needs_review
    assert ReviewCode("due.grammar", "due") in action.review_codes
    assert any("under the date grammar" in r for r in action.review_reasons)


def test_a_date_misread_wholly_into_other_characters_is_looked_for_again(rec):
    # "6/20" in this hand reads freely as "6/W0": the line seems to hold no date at all
    # (due.absent), yet the grammar finds it in the same frames
    reading, frames = _board_reading(rec, "fix token refresh 6/20", BREIP, 48)
    action = _looked(reading, frames)
    assert action.due == "2026-06-20"
    assert ReviewCode("due.grammar", "due") in action.review_codes


def test_a_due_the_grammar_reads_wrong_is_never_unflagged(rec):
    # "Jul 29" in this hand reads freely as "u1 2": the grammar finds "Jul 2", a wrong date;
    # it comes from the grammar, so it is flagged
    reading, frames = _board_reading(rec, "share report (fatima) Jul 29", DKG, 48)
    action = _looked(reading, frames)
    if action.due is not None:
        assert action.needs_review
        assert ReviewCode("due.grammar", "due") in action.review_codes


def test_the_look_is_off_when_the_config_says_so(rec):
    from dataclasses import replace

    off = replace(CFG, ocr=replace(CFG.ocr, due_grammar=False))
    reading, frames = _board_reading(rec, "move db to own host Jan 18", BREIP, 48)
    assert _looked(reading, frames, off).due is None


def test_what_a_look_said_survives_parsing_again():
    """A board parsed again after a later look keeps the earlier looks' flags (a row decoded
    under the value grammar, an action's due under the date grammar)."""
    code = ReviewCode("second_look.grammar_less_probable", "target")
    row = Metric(
        name="Uptime",
        target=Target(op=">=", value=99.9, unit="%", text="99.9%"),
        actual=Actual(value=99.5, unit="%", text="99.5%"),
        cell_boxes=((0, 0, 10, 10), (10, 0, 10, 10), (20, 0, 10, 10)),
    )
    act = Action(text="fix it", due="2026-07-02", line_box=(0, 50, 100, 20))
    old = Board(
        source="test",
        metrics=(replace_flag(row, "target read freely as...", code),),
        actions=(replace_flag(act, "due read under...", due_look.CODE),),
    )
    new = Board(source="test", metrics=(row,), actions=(act,))
    kept = carried(new, old)
    assert kept.metrics[0].needs_review and code in kept.metrics[0].review_codes
    assert kept.actions[0].needs_review and due_look.CODE in kept.actions[0].review_codes
    assert carried(new, new) == new  # nothing said, nothing added


def replace_flag(item, reason: str, code: ReviewCode):
    from dataclasses import replace

    return replace(
        item,
        needs_review=True,
        review_reasons=(*item.review_reasons, reason),
        review_codes=(*item.review_codes, code),
    )


def _title_reading(rec, written: str, font: str) -> tuple[Reading, dict]:
    """A reading of a small board whose title line (read by the real recogniser, its frames
    kept by its box) is followed by a table of one row."""
    frames = rec.frames([drawn(written, font, 48)])[0]
    text, confs = frames.best_path()
    box = (0, -100, 1400, 120)
    cells = tuple(
        tuple(
            OcrText(t, 0.99, (c * 200, r * 100, 190, 90), tuple(0.99 for _ in t))
            for c, t in enumerate(row)
        )
        for r, row in enumerate([["Metric", "Target", "Actual"], ["Uptime", "99.9%", "99.95%"]])
    )
    lines = (OcrText(text, float(np.mean(confs)), box, confs),)
    return Reading(cells=cells, lines=lines), {box: frames}


@pytest.mark.parametrize(
    ("written", "font", "review"),
    [
        ("Ledger SLA review Jan 18 2026", DKG, "2026-01-18"),  # "Jon 18 2026"
        ("Auth SLA review Jun 29 2026", BREIP, "2026-06-29"),  # "Sun 29 20W6"
    ],
)
def test_a_titles_date_the_free_reading_misses_is_read_under_the_grammar(
    rec, written, font, review
):
    """A photo that does not say when it was taken (no EXIF: forwarded, scanned): the title's
    date is decoded again under the date grammar, with a year; the review date so read is said
    at the top of the document (the photo's file date is no evidence)."""
    reading, frames = _title_reading(rec, written, font)
    ctx = parse.ParseContext(source="test", fallback_date=date(2026, 12, 4))
    doc = judge.judge_board(parse.parse_reading(reading, ctx), CFG.judge)
    assert doc.review_date == "2026-12-04"  # the premise: no date read, the file's date taken
    looked, _, said = due_look.title_look(doc, reading, frames, CFG, ctx)
    assert looked.review_date == review
    assert said is not None and said.startswith("review date: read under the date grammar")


@pytest.mark.parametrize(
    ("written", "font", "review"),
    [
        ("Ledger SLA review Jan 18 2026", DKG, "2026-01-18"),  # "Jon 18 2026"
        ("Auth SLA review Jun 29 2026", BREIP, "2026-06-29"),  # "Sun 29 20W6"
    ],
)
def test_a_titles_date_is_read_under_the_days_before_the_photos(rec, written, font, review):
    """A photo with its capture date: the title's date the free reading misses is decoded
    again under a grammar of the days a review photographed then was held on (that day and
    `review_capture_days` before it); the date so read is said at the top of the document.
    A photo taken weeks after the review: none of those days is written there, and the photo's
    date stays, flagged as taken for a title without a date."""
    reading, frames = _title_reading(rec, written, font)
    held = date.fromisoformat(review)
    for shot in (held, held + timedelta(days=3)):
        ctx = parse.ParseContext(source="test", fallback_date=shot, capture_date=shot)
        doc = judge.judge_board(parse.parse_reading(reading, ctx), CFG.judge)
        assert doc.review_date == shot.isoformat()  # the premise: no date read, the photo's taken
        looked, _, said = due_look.title_look(doc, reading, frames, CFG, ctx)
        assert looked.review_date == review
        assert said is not None and f"the dates of the week up to the photo's ({shot})" in said
    late = held + timedelta(days=40)
    ctx = parse.ParseContext(source="test", fallback_date=late, capture_date=late)
    doc = judge.judge_board(parse.parse_reading(reading, ctx), CFG.judge)
    looked, _, said = due_look.title_look(doc, reading, frames, CFG, ctx)
    assert said is None and looked.review_date == late.isoformat()
    assert any("no date read in the title" in w for w in looked.warnings)


def test_a_titles_date_read_weeks_before_the_photo_is_kept(rec):
    """A title read right ("Jan 1 2026") on a photo taken ten days later (a board photographed
    late): the week before the photo has "Jan 11 2026", which the grammar reads there (the 1
    doubled, the space lost) but far less probably than what is written, so the date written
    stays, flagged as not the photo's day (`[ocr] grammar_flag_gap`)."""
    reading, frames = _title_reading(rec, "Ledger SLA review Jan 1 2026", DKG)
    assert parse.parse_title(reading.lines[0].text)[1] == date(2026, 1, 1)  # the premise
    shot = date(2026, 1, 11)
    days = due_look.days_grammar(due_look.window_days(shot, 7))
    box = reading.lines[0].box
    forced = due_look.decode_tail_with(
        frames[box], reading.lines[0].text, 4, CFG, days, lambda t: (0, len(t))
    )
    assert forced is not None and CFG.ocr.grammar_flag_gap < forced.gap  # the premise
    ctx = parse.ParseContext(source="test", fallback_date=shot, capture_date=shot)
    doc = judge.judge_board(parse.parse_reading(reading, ctx), CFG.judge)
    looked, _, said = due_look.title_look(doc, reading, frames, CFG, ctx)
    assert said is None and looked.review_date == "2026-01-01"
    assert any("is not the photo's capture date" in w for w in looked.warnings)


def test_the_week_grammars_kept_are_bounded_however_many_dates_a_batch_reads():
    """An archive's photos are taken on thousands of days; the grammar of each one's week is
    built when needed, and only the last few are kept."""
    start = date(2024, 1, 1)
    for n in range(due_look.DAYS_GRAMMARS_KEPT * 3):
        due_look.days_grammar(due_look.window_days(start + timedelta(days=n), 7), "mdy")
    assert due_look.days_grammar.cache_info().currsize <= due_look.DAYS_GRAMMARS_KEPT
