"""Root causes are linked to their metric as actions are, with the same flags (issue 16, item 5):
a metric name corrected to link a cause or an action, or one that is not a row of the table, or
a line read unsurely, makes it `needs_review` with its reason and code; the report lists it
under "Needs review" with the line's crop. A cause without doubt keeps the JSON it had."""

from __future__ import annotations

import json
from datetime import date

import numpy as np

from boardsnap import contract
from boardsnap.config import JudgeConfig, ReportConfig
from boardsnap.document import Board, ReviewCode
from boardsnap.reading import judge
from boardsnap.reading.parse import ParseContext, parse_reading
from boardsnap.reading.results import OcrText, Reading
from boardsnap.report.render import Evidence, render_html

HEADER = ("Metric", "Target", "Actual")
ROWS = (("TTFR", "< 4h", "6h"), ("P95 latency", "< 300ms", "450ms"))


def _board(*lines: tuple[str, float]) -> Board:
    cells = tuple(tuple(OcrText(t, 0.95) for t in row) for row in (HEADER, *ROWS))
    boxed = tuple(
        OcrText(t, conf, (10, 40 * i, 300, 30)) for i, (t, conf) in enumerate(lines, start=1)
    )
    reading = Reading(cells=cells, lines=(OcrText("Support SLA review 11/20/2026", 0.95), *boxed))
    board = parse_reading(reading, ParseContext("t.jpg", fallback_date=date(2026, 11, 20)))
    return judge.judge_board(board, JudgeConfig())


def test_a_cause_whose_metric_was_corrected_or_is_no_row_is_flagged():
    board = _board(
        ("Root causes", 0.95),
        ("- ITFR: triage queue not watched", 0.95),  # "TTFR" misread, corrected
        ("- P95 latency: slow card API", 0.95),  # as written
        ("- Error rate: retry storm", 0.95),  # a known metric, but no row of this table
        ("- cache cold after deploy", 0.45),  # read unsurely
    )
    ttfr, latency, errors, cold = board.root_causes
    assert (ttfr.metric, ttfr.needs_review) == ("TTFR", True)
    assert ttfr.review_codes == (ReviewCode("metric.corrected", "metric"),)
    assert "'ITFR' taken for the table's row 'TTFR'" in ttfr.review_reasons[0]
    assert not latency.needs_review and latency.review_codes == ()
    assert errors.needs_review
    assert errors.review_codes == (ReviewCode("metric.not_in_table", "metric"),)
    assert cold.needs_review and cold.metric is None
    assert cold.review_codes == (ReviewCode("ocr.low_confidence", "text"),)
    assert all(c.line_box is not None for c in board.root_causes)


def test_an_action_linked_by_a_corrected_metric_is_flagged_too():
    board = _board(("Actions", 0.95), ("- ITFR: add triage rota @maria 12/01", 0.95))
    (action,) = board.actions
    assert action.metric == "TTFR" and action.needs_review
    assert ReviewCode("metric.corrected", "metric") in action.review_codes


def test_flags_are_in_the_json_fit_the_schema_and_round_trip():
    board = _board(
        ("Root causes", 0.95),
        ("- ITFR: triage queue not watched", 0.95),
        ("- P95 latency: slow card API", 0.95),
    )
    data = json.loads(board.to_json())
    flagged, plain = data["root_causes"]
    assert flagged["needs_review"] is True
    assert flagged["review_codes"] == [{"code": "metric.corrected", "field": "metric"}]
    assert "needs_review" not in plain and "review_codes" not in plain
    contract.validate(data)
    assert Board.from_json(board.to_json()) == board
    old = {"metric": "TTFR", "text": "queue"}  # a document written before the flags
    loaded = Board.from_dict({**data, "root_causes": [old]})
    assert loaded.root_causes[0].needs_review is False


def test_the_report_lists_a_flagged_cause_with_its_crop():
    board = _board(
        ("Root causes", 0.95),
        ("- ITFR: triage queue not watched", 0.95),
        ("- P95 latency: slow card API", 0.95),
    )
    image = np.full((400, 600, 3), 255, np.uint8)
    html = render_html(board, ReportConfig(), Evidence(board_image=image))
    review = html[html.index("Needs review") :]
    assert "Root cause: triage queue not watched" in review
    assert "taken for the table" in review and "data:image/jpeg;base64," in review
    assert "Root cause: slow card API" not in review  # read as written: not listed
