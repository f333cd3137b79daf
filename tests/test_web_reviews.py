"""The list of reviews: `History.review_summaries` on SQLite and PostgreSQL, the /reviews page,
its CSV and `GET /api/reviews` through the app, and the page in headless Chromium at a phone's
width.

Two services in a real SQLite history. Payments API (tests/history_story.py): reviews 1 and 2
saved as the command line saves them (`History.save`, no upload), review 3 published through the
web app's API (real PDF and HTML). Checkout: one review published through the app, one saved
from the command line whose action text is a spreadsheet formula, whose metric name is markup
and whose owner is "Zoë".
"""

from __future__ import annotations

import csv
import io
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import cv2
import numpy as np
import pytest
import uvicorn
from fastapi.testclient import TestClient
from history_story import DATES, SERVICE, board, metric
from test_history import location, pg_url  # noqa: F401 - fixtures: SQLite, PostgreSQL
from test_web_e2e import PHONE, shots  # noqa: F401 - the phone, and $BOARDSNAP_SCREENSHOTS

from boardsnap.config import Config, JudgeConfig
from boardsnap.document import Board
from boardsnap.history.store import History
from boardsnap.reading.judge import judge_board
from boardsnap.web import Settings, create_app

TOKEN = "reviews-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHECKOUT = "Checkout"
FORMULA = '=HYPERLINK("http://evil.example/","open me")'
MARKUP = '<img src=x onerror="alert(1)">'
LONG_TITLE = "Checkout-quarterly-reliability-review-of-the-payment-gateway-integration-layer"
LONG_SOURCE = "IMG_20261120_checkout_board_photographed_from_the_back_of_the_room_final.jpg"


def checkout(n: int) -> Board:
    """Checkout's review n (1: published through the app, 2: saved from the command line)."""
    doc = {
        "schema": "boardsnap.board/1",
        "source": ["checkout-1.jpg", LONG_SOURCE][n - 1],
        "title": [None, LONG_TITLE][n - 1],
        "service": CHECKOUT,
        "review_date": ["2026-10-20", "2026-11-20"][n - 1],
        "metrics": [
            metric("Availability", ">=", 99.95, "%", [99.97, 99.80][n - 1]),
            metric("Checkout latency" if n == 1 else MARKUP, "<", 800, "ms", 640),
        ],
        "root_causes": [],
        "actions": [
            {
                "text": ["page the payments on-call on 5xx", FORMULA][n - 1],
                "owner": ["ana", "Zoë"][n - 1],
                "due": "2026-12-01",
                "metric": "Availability",
                "status": "open",
            }
        ],
        "warnings": [],
    }
    return judge_board(Board.from_dict(doc), JudgeConfig())


def save_from_cli(db: str) -> dict[str, int]:
    with History(db) as h:
        return {
            "payments-1": h.save(Board.from_dict(board(1)), photo_sha256="cli-photo-1").review_id,
            "payments-2": h.save(Board.from_dict(board(2)), photo_sha256="cli-photo-2").review_id,
            "checkout-2": h.save(checkout(2), photo_sha256="cli-photo-c2").review_id,
        }


def publish(client: TestClient, doc: Board, shade: int) -> tuple[str, int]:
    """Upload a plain picture as the photo (`shade` makes each one a different photo), put the
    document in, publish through the API; the upload's id and the review's."""
    web = client.app.state.web
    image = np.full((300, 400, 3), shade, np.uint8)
    ok, png = cv2.imencode(".png", image)
    assert ok
    draft = web.drafts.create(png.tobytes(), f"{doc.service}.png")
    draft.board_png.write_bytes(png.tobytes())
    draft.save_board(doc)
    r = client.post(f"/api/boards/{draft.id}/publish", headers=AUTH)
    assert r.status_code == 200, r.text
    return draft.id, r.json()["review_id"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The seeded history and uploads, and a TestClient of the app over them."""
    root = tmp_path_factory.mktemp("reviews")
    db = str(root / "history.db")
    ids = save_from_cli(db)
    settings = Settings(
        token=TOKEN,
        data_dir=root / "data",
        db=db,
        config=Config().with_overrides(web={"workers": 1}),
        warm=False,
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        drafts = {}
        drafts["checkout-1"], ids["checkout-1"] = publish(client, checkout(1), 200)
        drafts["payments-3"], ids["payments-3"] = publish(client, Board.from_dict(board(3)), 230)
        yield {"client": client, "ids": ids, "drafts": drafts, "root": root, "db": db}


def review_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'id="review-(\d+)"', html)]


def api(client: TestClient, **params) -> list[dict]:
    r = client.get("/api/reviews", params=params, headers=AUTH)
    assert r.status_code == 200, r.text
    return r.json()


# ---- the history query, on SQLite and PostgreSQL ---------------------------------------------


def test_review_summaries_by_service_newest_first_and_searched(location):  # noqa: F811
    with History(location) as h:
        saved = [h.save(Board.from_dict(board(n)), photo_sha256=f"p{n}").review_id for n in (1, 2)]
        later = h.save(checkout(2), photo_sha256="c2").review_id
        saved.append(h.save(Board.from_dict(board(3)), photo_sha256="p3").review_id)
        earlier = h.save(checkout(1), photo_sha256="c1").review_id
        everything = h.review_summaries()
        assert [(r.service, r.id) for r in everything] == [
            (CHECKOUT, later),
            (CHECKOUT, earlier),
            *[(SERVICE, i) for i in reversed(saved)],
        ]
        first = next(r for r in everything if r.id == saved[0])
        assert first.counts == {"met": 2, "near_miss": 0, "breach": 1, "unknown": 0}
        assert first.actions == 3 and first.review_date == DATES[0] and first.matches == ()
        third = next(r for r in everything if r.id == saved[2])
        assert third.counts == {"met": 2, "near_miss": 1, "breach": 0, "unknown": 0}

        def ids(query=None, service=None):
            return [r.id for r in h.review_summaries(query, service)]

        assert ids(service="payments  api") == list(reversed(saved))
        assert ids("checkout latency") == [earlier]  # a metric's name
        assert ids("LEDGER writes") == saved[1::-1]  # an action's text, as written that review
        assert ids("zoe") == [later]  # an owner, accents and case ignored
        assert ids("raj payments") == list(reversed(saved[:2]))  # every word, anywhere
        assert ids("raj checkout") == []
        assert ids("maria", service=CHECKOUT) == []
        [hit] = h.review_summaries("hyperlink")
        assert hit.matches == (("action", FORMULA),)
        assert h.review_summaries("circuit maria")[0].matches == (
            ("action", "add circuit breaker to the card API"),
            ("owner", "maria"),
        )


# ---- the page, the CSV and the API through the app -------------------------------------------


def test_the_page_lists_each_service_newest_first_with_counts_and_reports(site):
    client, ids, drafts = site["client"], site["ids"], site["drafts"]
    r = client.get("/reviews", headers=AUTH)
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert review_ids(r.text) == [
        ids["checkout-2"],
        ids["checkout-1"],
        ids["payments-3"],
        ids["payments-2"],
        ids["payments-1"],
    ]
    assert [h for h in re.findall(r"<h2>([^<]+)</h2>", r.text)] == [CHECKOUT, SERVICE]
    card = review_card(r.text, ids["payments-3"])
    assert DATES[2] in card
    # every count with its symbol and its word, zeros too
    for icon, words in (
        ("\u2713", "2 met"),
        ("\u25b2", "1 near miss"),
        ("\u2717", "0 breach"),
        ("?", "0 unknown"),
    ):
        assert re.search(rf'aria-hidden="true">{re.escape(icon)}</span> {words}</span>', card)
    # the published review's reports and photo, and they are there
    draft = drafts["payments-3"]
    for url, kind in (
        (f"/drafts/{draft}/report.pdf", "application/pdf"),
        (f"/drafts/{draft}/report.html", "text/html"),
        (f"/drafts/{draft}/photo", "image/png"),
    ):
        assert f'href="{url}"' in card
        got = client.get(url, headers=AUTH)
        assert got.status_code == 200 and got.headers["content-type"].startswith(kind), url
    # a review saved from the command line has no report here, and says so
    cli_card = review_card(r.text, ids["payments-1"])
    assert "/drafts/" not in cli_card and "Saved from the command line" in cli_card
    assert 'href="/actions?service=Payments%20API"' in r.text


def review_card(html: str, review_id: int) -> str:
    """The page's card of one review."""
    start = html.index(f'id="review-{review_id}"')
    ends = [html.find(x, start) for x in ('class="card review-item"', "</section>")]
    return html[start : min(e for e in ends if e > 0)]


def test_the_search_narrows_by_metric_action_text_and_owner(site):
    client, ids = site["client"], site["ids"]

    def page(q: str) -> list[int]:
        r = client.get("/reviews", params={"q": q}, headers=AUTH)
        assert r.status_code == 200
        return review_ids(r.text)

    assert page("checkout latency") == [ids["checkout-1"]]  # metric
    assert page("cache card tokens") == [ids["payments-2"]]  # action text
    assert page("load test") == [ids["payments-3"]]
    assert page("MARIA") == [ids["payments-3"], ids["payments-2"], ids["payments-1"]]  # owner
    assert page("zoe") == [ids["checkout-2"]]
    assert page("nobody-wrote-this") == []
    r = client.get("/reviews", params={"q": "maria", "service": CHECKOUT}, headers=AUTH)
    assert review_ids(r.text) == [] and "No review matches" in r.text
    # what matched is shown, and the search stays in its box
    r = client.get("/reviews", params={"q": "cache"}, headers=AUTH)
    assert "cache card tokens" in r.text and 'value="cache"' in r.text
    assert "1 review matching" in r.text
    # the API answers the same list
    assert [x["id"] for x in api(client, q="maria")] == page("maria")
    assert [x["id"] for x in api(client, service=CHECKOUT)] == [
        ids["checkout-2"],
        ids["checkout-1"],
    ]


def test_board_text_is_escaped_on_the_page(site):
    client = site["client"]
    r = client.get("/reviews", params={"q": "onerror"}, headers=AUTH)
    assert review_ids(r.text) == [site["ids"]["checkout-2"]]
    assert MARKUP not in r.text and "&lt;img src=x onerror=" in r.text
    r = client.get("/reviews", params={"q": '"><script>alert(1)</script>'}, headers=AUTH)
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;" in r.text


def test_the_api_returns_the_list_as_json_and_is_described(site):
    client, ids, drafts = site["client"], site["ids"], site["drafts"]
    rows = api(client)
    assert [x["id"] for x in rows] == review_ids(client.get("/reviews", headers=AUTH).text)
    published = next(x for x in rows if x["id"] == ids["checkout-1"])
    assert published["service"] == CHECKOUT and published["review_date"] == "2026-10-20"
    assert published["published"] is True
    assert published["pdf_url"] == f"/drafts/{drafts['checkout-1']}/report.pdf"
    assert published["photo_url"] == f"/drafts/{drafts['checkout-1']}/photo"
    saved = next(x for x in rows if x["id"] == ids["checkout-2"])
    assert saved["published"] is False and saved["pdf_url"] is None
    assert (saved["met"], saved["near_miss"], saved["breach"], saved["unknown"]) == (1, 0, 1, 0)
    assert saved["source"] == LONG_SOURCE and saved["actions"] == 1
    assert api(client, q="zoe")[0]["matches"] == [{"field": "owner", "text": "Zoë"}]
    schema = client.get("/api/openapi.json", headers=AUTH).json()
    call = schema["paths"]["/api/reviews"]["get"]
    assert {p["name"] for p in call["parameters"]} == {"q", "service"}
    assert "newest first" in call["summary"]
    assert "/reviews" not in schema["paths"] and "/reviews.csv" not in schema["paths"]
    too_long = client.get("/api/reviews", params={"q": "x" * 201}, headers=AUTH)
    assert too_long.status_code == 422


def test_the_csv_is_the_same_list_and_formula_safe(site):
    client, ids = site["client"], site["ids"]
    r = client.get("/reviews.csv", headers=AUTH)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [int(x["id"]) for x in rows] == [x["id"] for x in api(client)]
    payments3 = next(x for x in rows if int(x["id"]) == ids["payments-3"])
    assert (payments3["met"], payments3["near_miss"], payments3["breach"]) == ("2", "1", "0")
    assert payments3["published"] == "yes" and payments3["pdf_url"].endswith("/report.pdf")
    # the formula in an action's text: searched for, it comes back as text, not as a formula
    hit = client.get("/reviews.csv", params={"q": "hyperlink"}, headers=AUTH)
    [row] = list(csv.DictReader(io.StringIO(hit.text)))
    assert row["matches"] == "action: " + FORMULA  # starts with a word: harmless
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())
    with History(site["db"]) as h:
        h.save(
            Board.from_dict({**checkout(2).to_dict(), "service": "=1+2"}),
            photo_sha256="formula-service",
        )
    [formula] = list(
        csv.DictReader(io.StringIO(client.get("/reviews.csv?q=1%2B2", headers=AUTH).text))
    )
    assert formula["service"] == "'=1+2"
    # the page's download link keeps the search
    page = client.get("/reviews", params={"q": "zoe"}, headers=AUTH).text
    assert 'href="/reviews.csv?q=zoe"' in page


def test_a_review_id_of_another_history_gets_no_links(site):
    """An upload published into another history (the server once ran with another --db) says
    it is review N: the review N here is another review, so its links are not shown."""
    client, ids = site["client"], site["ids"]
    web = client.app.state.web
    draft = web.drafts.create(
        cv2.imencode(".png", np.zeros((20, 20, 3), np.uint8))[1].tobytes(), "x"
    )
    draft.save_board(checkout(1))
    for fmt in ("pdf", "html"):
        draft.report(fmt).write_bytes(b"another history's report")
    draft.update_meta(
        published={"review_id": ids["payments-1"], "created": True, "at": time.time()}
    )
    card = review_card(client.get("/reviews", headers=AUTH).text, ids["payments-1"])
    assert draft.id not in card and "Saved from the command line" in card


def test_the_list_needs_the_token_and_is_in_the_navigation(site):
    client = site["client"]
    r = client.get("/reviews", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/reviews.csv", follow_redirects=False).status_code == 303
    assert client.get("/api/reviews").status_code == 401
    photo = client.get(f"/drafts/{site['drafts']['checkout-1']}/photo", follow_redirects=False)
    assert photo.status_code == 303
    for path in ("/", "/actions", "/reviews"):
        assert 'href="/reviews"' in client.get(path, headers=AUTH).text, path
    assert client.get("/drafts/AAAAAAAAAAAAAAAA/photo", headers=AUTH).status_code == 404


# ---- in Chromium, at a phone's width ---------------------------------------------------------

OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 1 || box.left < -1)) {
      wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') +
                ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return {width: width, scroll: document.documentElement.scrollWidth, wide: wide};
}"""


WIDEN = "() => { document.querySelector('li.review-item').style.width = '600px'; }"


def overflow(page) -> list[str]:
    """What sticks out of the viewport sideways (empty: nothing)."""
    found = page.evaluate(OVERFLOW_JS)
    wide = list(found["wide"])
    if found["scroll"] > found["width"]:
        wide.append(f"page scrolls sideways: {found['scroll']} > {found['width']}")
    return wide


@pytest.fixture(scope="module")
def live(site):
    """The same uploads and history served over HTTP on a free loopback port (no token)."""
    settings = Settings(data_dir=site["root"] / "data", db=site["db"], warm=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def test_the_reviews_page_on_a_phone(live, site, shots):  # noqa: F811
    from browser import CHROMIUM, FLAGS, MISSING
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, MISSING
    everything = len(api(site["client"]))
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            context = chromium.new_context(viewport=PHONE, device_scale_factor=1)
            page = context.new_page()
            page.goto(live + "/")
            page.click("header nav >> text=Reviews")
            page.wait_for_url("**/reviews")
            assert page.locator("li.review-item").count() == everything
            assert page.locator("script").count() == 0
            page.screenshot(path=str(shots / "reviews.png"), full_page=True)
            assert overflow(page) == []
            # the check can fail: a card made wider than the phone is reported
            page.evaluate(WIDEN)
            assert any("review-item" in x for x in overflow(page))
            context.close()

            # the search is a plain GET form: it works without JavaScript
            context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
            page = context.new_page()
            page.goto(live + "/reviews")
            page.fill("#q", "maria")
            page.click("form.search button")
            page.wait_for_url("**/reviews?q=maria")
            assert page.locator("li.review-item").count() == 3
            assert "maria" in page.inner_text("li.review-item >> nth=0")
            page.screenshot(path=str(shots / "reviews-search.png"), full_page=True)
            # what a person types is shown back, and never widens the page
            long_word = "unbroken" * 20
            page.goto(live + "/reviews?" + urlencode({"q": long_word, "service": long_word}))
            assert "No review matches" in page.inner_text("main")
            page.screenshot(path=str(shots / "reviews-long-words.png"), full_page=True)
            assert overflow(page) == []
            context.close()
        finally:
            chromium.close()


def test_each_service_page_links_its_reviews_and_the_readme_has_the_call(site):
    client, ids = site["client"], site["ids"]
    page = client.get("/actions", params={"service": SERVICE}, headers=AUTH).text
    assert 'href="/reviews?service=Payments%20API"' in page
    listed = client.get("/reviews?service=Payments%20API", headers=AUTH).text
    assert review_ids(listed) == [ids["payments-3"], ids["payments-2"], ids["payments-1"]]
    assert "<h1>Reviews of Payments API</h1>" in listed
    # a service's own name matched is not repeated on every card
    found = client.get("/reviews?q=payments", headers=AUTH).text
    assert "match-kind" not in review_card(found, ids["payments-3"])
    assert "match-kind" in review_card(found, ids["checkout-1"])  # "page the payments on-call"
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "`GET /api/reviews?q=&service=`" in readme and "`/reviews.csv`" in readme
