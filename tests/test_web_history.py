"""The web app's published report says what changed since the service's previous review.

A real SQLite history, the app in-process (Starlette's TestClient) and two real photos read by
the real pipeline: sample 01 (Payments API, 20 Oct 2026), corrected to its truth document and
published as the first review; then a generated photo of the same service a month later whose
second action cannot be trusted (its date "13/45" is no date), corrected and published. The
reports are read back with pdftotext and as HTML.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from synthetic import draw_board, photograph

from boardsnap.cli import cli
from boardsnap.config import Config
from boardsnap.errors import ExitCode
from boardsnap.web import Settings, create_app

TOKEN = "history-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
FIRST = SAMPLES / "sample-01-payments.jpg"
SECTION = "Since the previous review"

# The second review's board: the same service a month on, latency better, error rate worse.
SECOND_ROWS = [
    ("Metric", "Target", "Actual"),
    ("API latency", "< 2s", "1.7s"),
    ("Error rate", "< 0.1%", "0.12%"),
    ("Uptime", ">= 99.99%", "99.995%"),
]
SECOND_LINES = (
    "Actions",
    "API latency: tune GC pauses @maria 12/15",
    "Uptime: failover drill @ 13/45",  # no such date: the action needs review
)


def second_photo() -> bytes:
    board, _, _ = draw_board(
        rows=SECOND_ROWS,
        lines_above=("Payments API SLA review 2026-11-20",),
        lines_below=SECOND_LINES,
    )
    photo, _, _ = photograph(board)
    ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return jpeg.tobytes()


def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return out.stdout.decode("utf-8")


def visible(html: str) -> str:
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", html, flags=re.S))
    return " ".join(text.replace("&ldquo;", "\u201c").replace("&rdquo;", "\u201d").split())


def upload(client: TestClient, name: str, data: bytes) -> dict:
    r = client.post("/api/boards", headers=AUTH, files={"photo": (name, data, "image/jpeg")})
    assert r.status_code == 201, r.text
    return r.json()


def correct(client: TestClient, draft_id: str, document: dict) -> None:
    r = client.put(f"/api/boards/{draft_id}", headers=AUTH, json=document)
    assert r.status_code == 200, r.text


def publish(client: TestClient, draft_id: str) -> dict:
    r = client.post(f"/api/boards/{draft_id}/publish", headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    body["pdf"] = client.get(body["pdf_url"], headers=AUTH).content
    body["html"] = client.get(body["html_url"], headers=AUTH).text
    return body


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-history")
    cfg = Config().with_overrides(web={"workers": 1})
    settings = Settings(
        token=TOKEN,
        data_dir=folder / "data",
        db=str(folder / "history.db"),
        config=cfg,
        warm=False,
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        # 1. the first review: sample 01 read, then corrected to its truth
        first = upload(client, FIRST.name, FIRST.read_bytes())
        truth = json.loads(FIRST.with_suffix("").with_suffix(".truth.json").read_text())
        truth.pop("corpus")
        correct(client, first["id"], truth)
        published_first = publish(client, first["id"])
        by_text = {a["text"]: a for a in published_first["actions"]}
        # between the reviews: the circuit breaker is shipped; the rollback is not, past its date
        done = client.post(
            f"/api/actions/{by_text['ADD CIRCUIT BREAKER']['id']}/status",
            headers=AUTH,
            json={"status": "done", "note": "shipped 2026-11-02"},
        )
        assert done.status_code == 200, done.text

        # 2. the second review: a new photo; the person fixes the service name read off the
        # title ("Payments APISLA": the gap before "SLA" is easily lost) and keeps the rest
        second = upload(client, "IMG_2107.jpg", second_photo())
        read = second["board"]
        corrected = {**read, "service": "Payments API", "title": "Payments API SLA review"}
        correct(client, second["id"], corrected)
        published_second = publish(client, second["id"])
        draft = client.app.state.web.drafts.get(second["id"])
        rectified = cv2.imread(str(draft.board_png), cv2.IMREAD_COLOR)
        yield {
            "client": client,
            "folder": folder,
            "settings": settings,
            "first": published_first,
            "second": published_second,
            "second_read": read,
            "second_id": second["id"],
            "rectified": rectified,
        }


def test_a_first_review_has_no_history_section(story):
    first = story["first"]
    assert first["created"] is True
    assert SECTION not in pdf_text(first["pdf"], story["folder"])
    assert SECTION not in first["html"]
    assert "Payments API" in first["html"] or "PAYMENTS API" in first["html"]


def test_the_published_pdf_says_what_changed_since_the_previous_review(story):
    Path("/tmp/second.html").write_text(story["second"]["html"])
    text = pdf_text(story["second"]["pdf"], story["folder"])
    assert SECTION in text
    section = text[text.index(SECTION) :]
    assert "last reviewed on 2026-10-20" in section
    assert "Trends cover the last 2 reviews" in section
    # the previous review's actions with their status today (ids as the history numbers them)
    ids = {a["text"]: a["id"] for a in story["first"]["actions"]}
    breaker, rollback = ids["ADD CIRCUIT BREAKER"], ids["FASTER ROLLBACK"]
    assert re.search(rf"^ *{breaker} +API LATENCY +unassigned +2026-12-05 +✓ Done$", section, re.M)
    assert re.search(
        rf"^ *{rollback} +FASTER ROLLBACK +UPTIME +li +2026-11-07 +○ Open ⚑ overdue$", section, re.M
    )
    assert "ADD CIRCUIT BREAKER" in section and "shipped 2026-11-02" in section
    assert "1 action past its due date and not done." in section
    # each metric's actual per review and the change since the previous one
    assert re.search(r"API latency +2\.96 s → 1\.7 s +−1\.26 s ✓ better", section)
    assert re.search(r"Error rate +0\.07% → 0\.12% +\+0\.05% ✗ worse", section)
    assert re.search(r"Uptime +99\.9902% → 99\.995% +\+0\.0048% ✓ better", section)
    # the done action is measured: latency went from a breach to met
    assert re.search(rf"^ *{breaker} +ADD CIRCUIT BREAKER +API LATENCY +✓ Helped$", section, re.M)
    assert re.search(r"2\.96 S \(breach\) +1\.7s \(met\)", section)


def test_the_published_html_holds_the_same_section(story):
    html = story["second"]["html"]
    assert html.count(f"<h2>{SECTION}</h2>") == 1
    section = visible(html[html.index(f"<h2>{SECTION}</h2>") :])
    assert "last reviewed on 2026-10-20 (sample-01-payments.jpg)" in section
    assert "FASTER ROLLBACK" in section and "li" in section.split()
    assert "shipped 2026-11-02" in section  # the status note, for the team
    assert "2.96 s → 1.7 s" in section and "0.07% → 0.12%" in section
    assert html.count('<svg class="hx-chart"') == 3
    assert "<script" not in html


def test_publishing_again_keeps_the_review_and_its_history(story):
    client = story["client"]
    again = publish(client, story["second_id"])
    assert again["created"] is False and again["review_id"] == story["second"]["review_id"]
    assert "last reviewed on 2026-10-20" in pdf_text(again["pdf"], story["folder"])


def test_a_customer_edition_names_no_owners_in_the_history(story):
    """`serve --audience customer` (here the [report] setting) cuts published reports for a
    customer: the section stays, owners become "assigned", notes and crops are left out."""
    client = story["client"]
    doc = client.get(f"/api/boards/{story['second_id']}", headers=AUTH).json()
    asked = client.post("/api/report?format=html&audience=customer", headers=AUTH, json=doc)
    assert asked.status_code == 200, asked.text
    settings = story["settings"]
    customer_cfg = settings.config.with_overrides(
        report={"audience": "customer", "company": "Acme Payments Ltd"}
    )
    server = Settings(**{**vars(settings), "config": customer_cfg})
    with TestClient(create_app(server), base_url="http://127.0.0.1") as customer_client:
        published = publish(customer_client, story["second_id"])
    for html in (asked.text, published["html"]):
        section = visible(html[html.index(f"<h2>{SECTION}</h2>") :])
        assert "FASTER ROLLBACK" in section and "assigned" in section
        assert "li" not in section.split() and "maria" not in visible(html).split()
        assert "shipped" not in section and "sample-01-payments.jpg" not in section
        assert "2.96 s → 1.7 s" in section
        assert "data:image" not in html
    assert "Acme Payments Ltd" in published["html"]  # the server's branding
    internal = client.post("/api/report?format=html", headers=AUTH, json=doc).text
    assert "shipped 2026-11-02" in internal  # the server's own audience is internal


def test_an_action_that_needs_review_shows_the_crop_of_its_line(story):
    actions = story["second_read"]["actions"]
    doubtful = [a for a in actions if a["needs_review"]]
    assert [a["metric"] for a in doubtful] == ["Uptime"], actions
    box = doubtful[0]["line_box"]
    assert box is not None and box[2] > 200 and box[3] > 20  # a line of text, not a speck
    assert all(a.get("line_box") for a in actions)  # every action read off the photo has one

    html = story["second"]["html"]
    review = html[html.index("<h2>Needs review</h2>") :]
    item = review[review.index("<h3>Action: ") :]
    item = item[: item.index("</article>")]
    assert "failover drill" in item
    found = re.search(r'<img src="data:image/png;base64,([^"]+)"', item)
    assert found, "no crop beside the action that needs review"
    crop = cv2.imdecode(np.frombuffer(base64.b64decode(found.group(1)), np.uint8), 1)
    # the crop is the action's line on the straightened board, with a few pixels around it
    board = story["rectified"]
    x, y, w, h = box
    pad = 6
    expected = board[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad]
    assert crop.shape == expected.shape and np.array_equal(crop, expected)
    # the action read with confidence has no crop in the list
    assert "tune GC pauses" not in review.split("<h2>")[1]


def test_serve_checks_the_report_settings_before_it_starts(tmp_path):
    config = tmp_path / "boardsnap.toml"
    config.write_text('[report]\nlogo = "no-such-logo.png"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--config", str(config), "--port", "0"])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "no-such-logo.png" in result.output and len(result.output.strip().splitlines()) <= 2


def test_the_check_page_shows_the_line_of_an_action_that_needs_review(story):
    client, draft_id = story["client"], story["second_id"]
    page = client.get(f"/check/{draft_id}", headers=AUTH)
    assert page.status_code == 200
    actions = story["second_read"]["actions"]
    urls = re.findall(rf'src="(/drafts/{draft_id}/action-crop/(\d+)\.png)"', page.text)
    assert [int(i) for _, i in urls] == [i for i, a in enumerate(actions) if a["needs_review"]]
    crop_png = client.get(urls[0][0], headers=AUTH)
    assert crop_png.status_code == 200 and crop_png.headers["content-type"] == "image/png"
    crop = cv2.imdecode(np.frombuffer(crop_png.content, np.uint8), 1)
    x, y, w, h = actions[int(urls[0][1])]["line_box"]
    assert np.array_equal(crop, story["rectified"][y - 8 : y + h + 8, x - 8 : x + w + 8])
    assert client.get(f"/drafts/{draft_id}/action-crop/99.png", headers=AUTH).status_code == 404
