"""Doubts as codes: every reason to review carries a code and a field, in the document and its
JSON; programs decide on codes; a document written before codes still loads and judges."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from boardsnap import contract
from boardsnap.config import JudgeConfig
from boardsnap.document import Board, ReviewCode
from boardsnap.reading import judge, second_look
from boardsnap.reading.parse import ParseContext, parse_action, parse_reading
from boardsnap.reading.results import OcrText, Reading

HEADER = ("Metric", "Target", "Actual")


def _board(*rows: tuple[str, str, str], lines: tuple[str, ...] = ()) -> Board:
    cells = tuple(tuple(OcrText(t, 0.95) for t in row) for row in (HEADER, *rows))
    reading = Reading(cells=cells, lines=tuple(OcrText(t, 0.95) for t in lines))
    board = parse_reading(reading, ParseContext("t.jpg", fallback_date=date(2026, 11, 20)))
    return judge.judge_board(board, JudgeConfig())


def test_a_row_needing_review_carries_a_code_for_each_reason():
    board = _board(
        ("P95 latency", "<25", "0.945"),  # the s of "2s" read as a 5
        ("Uptime", ">= 99.9%", "9995%"),  # a decimal point lost
        ("Error rate", "< 1%", "0.4%"),  # nothing doubtful
    )
    latency, uptime, errors = board.metrics
    assert latency.needs_review and ReviewCode("unit.s_read_as_5", "target") in latency.review_codes
    assert ReviewCode("value.percent_point_lost", "actual") in uptime.review_codes
    for m in board.metrics:
        assert len(m.review_codes) == len(m.review_reasons)
        assert bool(m.review_codes) == m.needs_review
    assert errors.review_codes == ()


def test_codes_are_in_the_json_and_fit_the_schema_and_round_trip():
    board = _board(
        ("P95 latency", "<25", "0.945"),
        lines=("CHECKOUT SLA REVIEW 11/20/2026", "Actions", "- add cache 12/15"),
    )
    data = json.loads(board.to_json())
    assert {"code": "unit.s_read_as_5", "field": "target"} in data["metrics"][0]["review_codes"]
    action = data["actions"][0]
    assert {"code": "owner.absent", "field": "owner"} in action["review_codes"]
    assert len(action["review_codes"]) == len(action["review_reasons"])
    contract.validate(data)
    assert Board.from_json(board.to_json()) == board


def test_a_row_without_doubt_keeps_the_json_it_had():
    data = json.loads(_board(("Error rate", "< 1%", "0.4%")).to_json())
    assert "review_codes" not in data["metrics"][0]


def test_a_document_without_codes_still_loads_and_judges():
    board = _board(("P95 latency", "<25", "0.945"), ("Uptime", "", "99.95%"))
    data = json.loads(board.to_json())
    for m in data["metrics"]:
        m.pop("review_codes", None)
    old = Board.from_json(json.dumps(data))
    assert all(m.review_codes == () for m in old.metrics)
    again, _ = judge.rejudge(old, JudgeConfig())
    uptime = again.metrics[1]
    assert uptime.status == "unknown" and uptime.needs_review
    assert any("target" in r for r in uptime.review_reasons)


def test_the_judge_decides_on_codes_not_on_words():
    """A reworded reason changes nothing: the judge reads the code."""
    board = _board(("Uptime", "", "99.95%"))
    m = board.metrics[0]
    assert ReviewCode("target.absent", "target") in m.review_codes
    reworded = replace(m, review_reasons=tuple("(reworded)" for _ in m.review_reasons))
    judged = judge.judge_metric(reworded, JudgeConfig())
    assert judged.review_reasons == reworded.review_reasons  # no second "target unreadable"


def test_the_second_look_weighs_reading_doubts_by_code():
    m = _board(("P95 latency", "< 200ms", "240ms")).metrics[0]
    unsure = replace(
        m,
        review_reasons=("x", "y"),
        review_codes=(ReviewCode("ocr.digit_unsure", "actual"), ReviewCode("value.far_off", "row")),
    )
    assert second_look._doubt_score(unsure)[1:] == (1, 1)


def test_an_action_says_why_it_needs_review():
    a = parse_action("- tune GC", date(2026, 11, 20))
    assert a is not None and a.needs_review
    assert [c.code for c in a.review_codes] == ["due.absent", "owner.absent"]
