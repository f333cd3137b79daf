"""Owners decoded again under the team's names (reading/owner_look.py): the real PP-OCR model on
action lines drawn in the generator's handwriting fonts, whose free reading misreads the owner so
that the team's name nearest to it is another member's ("@ana" read so that the roster gave
"jonas")."""

from __future__ import annotations

from dataclasses import replace

import pytest
from synthetic import action_board_reading

from boardsnap.config import Config
from boardsnap.document import ReviewCode
from boardsnap.reading import judge, owner_look, parse, recogniser
from boardsnap.reading.results import Reading

BREIP = "/usr/share/fonts/truetype/breip/Breip.ttf"  # fonts of samples/boardgen/ink.py
DKG = "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf"
CFG = Config()
TEAM = ("maria", "dev", "li", "sam", "priya", "jonas", "ana", "tom", "eva", "raj", "lena")


@pytest.fixture(scope="module")
def rec():
    return recogniser.Recogniser()


def _board(rec, written: str, font: str, size: int) -> tuple[Reading, dict]:
    return action_board_reading(rec, written, font, size)


def _looked(reading: Reading, frames: dict, team=TEAM, cfg: Config = CFG):
    ctx = parse.ParseContext(source="test", team=team)
    doc = judge.judge_board(parse.parse_reading(reading, ctx), cfg.judge)
    assert len(doc.actions) == 1
    before = doc.actions[0]
    doc, _ = owner_look.owner_look(doc, reading, frames, cfg, ctx)
    return before, doc.actions[0]


@pytest.mark.parametrize(
    ("written", "font", "size", "owner"),
    [
        # the roster's nearest name to what was read is another member
        ("alert on lag @ana", DKG, 48, "ana"),
    ],
)
def test_an_owner_misread_is_read_under_the_teams_names_and_flagged(
    rec, written, font, size, owner
):
    reading, frames = _board(rec, written, font, size)
    before, after = _looked(reading, frames)
    assert before.owner != owner  # the premise: the free reading has another owner, or none
    assert after.owner == owner
    assert after.needs_review
    assert ReviewCode("owner.grammar", "owner") in after.review_codes
    assert any("under the team's names" in r for r in after.review_reasons)
    assert after.text == before.text  # only the owner is the grammar's


def test_no_owner_is_made_of_a_word_without_a_marker(rec):
    # "alert on lag @ana 6/11" reads "alert on la": "la" is no "li" of the team
    reading, frames = _board(rec, "alert on lag @ana 6/11", DKG, 40)
    before, after = _looked(reading, frames)
    assert before.owner is None and after.owner is None


def test_no_team_or_the_look_off_leaves_the_owner_as_read(rec):
    reading, frames = _board(rec, "alert on lag @ana", DKG, 48)
    before, after = _looked(reading, frames, team=())
    assert after.owner == before.owner != "ana"
    off = replace(CFG, ocr=replace(CFG.ocr, owner_grammar=False))
    before, after = _looked(reading, frames, cfg=off)
    assert after.owner == before.owner != "ana"


def test_the_owner_grammar_takes_a_teams_name_after_a_marker_and_nothing_else():
    g = owner_look.owner_grammar(TEAM)
    for ok in ("fix it @raj", "fix it (maria)", "fix it owner: raj 5/14", "fix @eva, due 5/14"):
        assert g.matches(ok), ok
    for bad in ("fix it @bob", "fix it @rajesh", "fix it raj", "fix itraj", "fix it"):
        assert not g.matches(bad), bad
    assert owner_look.owner_span("pool @maria 12/21", TEAM) == (5, 11)
    assert owner_look.owner_span("raise ASG max", TEAM) is None


def test_specks_after_a_line_are_not_counted_among_its_last_words():
    """Seed 9859's photo 14: "scole wonker poolemarig by Dec 21 .. ." - with the specks read
    after it counted as words, the owner look's last words were "by Dec 21 .. ." and the
    owner run into "pool" was never looked at."""
    from boardsnap.reading.due_look import _cut

    line = "scole wonker poolemarig by Dec 21 .. ."
    assert line[_cut(line, 4) :] == "poolemarig by Dec 21 .. ."
    assert _cut("fix DNS @ana", 4) == 0  # fewer words than asked: the whole line
    assert line[_cut(line, 1) :] == "21 .. ."
