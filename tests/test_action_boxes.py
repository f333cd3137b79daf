"""An action's line box (`Action.line_box`, an added field of the board document): set by the
parser from the OCR line, kept through JSON, and cropped beside the action in the report's
"Needs review" list (internal edition only). Older documents without it still load and render.
The real photo case (OCR, the web app's published report) is in tests/test_web_history.py."""

from __future__ import annotations

import base64
import json
import re
from datetime import date

import cv2
import numpy as np

from boardsnap.config import ReportConfig
from boardsnap.document import Action, Board
from boardsnap.reading.parse import ParseContext, parse_reading
from boardsnap.reading.results import OcrText, Reading
from boardsnap.report.render import Evidence, ReportOptions, render_html

CFG = ReportConfig()
LINE = (30, 120, 260, 40)  # x, y, w, h on the board picture below


def board_picture() -> np.ndarray:
    image = np.full((240, 400, 3), 245, np.uint8)
    x, y, w, h = LINE
    image[y : y + h, x : x + w] = (40, 90, 200)  # the action's line, in a colour of its own
    return image


def board(**action_fields) -> Board:
    fields = {
        "text": "failover drill",
        "owner": "lena",
        "due": None,
        "metric": "Uptime",
        "needs_review": True,
        "line_box": LINE,
        **action_fields,
    }
    return Board(
        source="IMG_1.jpg",
        service="Orders API",
        review_date="2026-11-20",
        actions=(Action(**fields), Action("add canary", owner="tom", line_box=(30, 180, 200, 40))),
    )


def review_item(html: str, text: str) -> str:
    review = html[html.index("<h2>Needs review</h2>") :]
    item = review[review.index(f"<h3>Action: {text}") :]
    return item[: item.index("</article>")]


def test_the_parser_keeps_the_line_box_of_each_action():
    reading = Reading(
        lines=(
            OcrText("Orders API SLA review 2026-11-20", 0.95, (10, 10, 500, 40)),
            OcrText("Actions", 0.97, (10, 80, 120, 36)),
            OcrText("Uptime: failover drill @lena 12/15", 0.93, (12, 130, 480, 38)),
            OcrText("add canary (tom) 12/30", 0.31, (12, 180, 300, 38)),
        )
    )
    parsed = parse_reading(reading, ParseContext("IMG_1.jpg", fallback_date=date(2026, 11, 20)))
    assert [(a.text, a.line_box) for a in parsed.actions] == [
        ("failover drill", (12, 130, 480, 38)),
        ("add canary", (12, 180, 300, 38)),
    ]
    assert [a.needs_review for a in parsed.actions] == [False, True]  # 0.31: low confidence


def test_json_round_trip_keeps_the_box_and_drops_a_bad_one():
    original = board()
    document = json.loads(original.to_json())
    assert document["actions"][0]["line_box"] == list(LINE)
    assert Board.from_json(original.to_json()) == original
    for bad in ([1, 2, 3], [1, 2, 3, -4], [1, 2, 3, "4"], [1.5, 2, 3, 4], "30,120,260,40", 7):
        document["actions"][0]["line_box"] = bad
        assert Board.from_dict(document).actions[0].line_box is None, bad


def test_an_older_document_without_boxes_reads_and_writes_as_before():
    older = {
        "schema": "boardsnap.board/1",
        "source": "IMG_1.jpg",
        "service": "Orders API",
        "actions": [{"text": "failover drill", "owner": None, "needs_review": True}],
    }
    loaded = Board.from_dict(older)
    assert loaded.actions[0].line_box is None
    # written back without the field, so its JSON (and the history's document hash) is unchanged
    assert "line_box" not in loaded.to_json()
    html = render_html(loaded, CFG, Evidence(board_image=board_picture()))
    item = review_item(html, "failover drill")
    assert "<img" not in item and "may have been misread" in item


def test_an_action_that_needs_review_is_shown_with_its_line():
    picture = board_picture()
    html = render_html(board(), CFG, Evidence(board_image=picture))
    item = review_item(html, "failover drill")
    found = re.search(r'<img src="data:image/png;base64,([^"]+)"', item)
    assert found and "Line as photographed" in item
    crop = cv2.imdecode(np.frombuffer(base64.b64decode(found.group(1)), np.uint8), 1)
    x, y, w, h = LINE
    pad = 6
    assert np.array_equal(crop, picture[y - pad : y + h + pad, x - pad : x + w + pad])
    # the action read with confidence is not in the list, so neither is its line
    assert "<h3>Action: add canary" not in html


def test_no_crop_without_a_picture_or_for_a_customer():
    assert "<img" not in review_item(render_html(board(), CFG), "failover drill")
    customer = render_html(
        board(), CFG, Evidence(board_image=board_picture()), ReportOptions(audience="customer")
    )
    assert "Needs review</h2>" not in customer and "data:image" not in customer


def test_an_empty_or_outside_box_gives_no_crop():
    for box in ((30, 120, 0, 40), (5000, 5000, 100, 40)):
        html = render_html(board(line_box=box), CFG, Evidence(board_image=board_picture()))
        assert "<img" not in review_item(html, "failover drill"), box
