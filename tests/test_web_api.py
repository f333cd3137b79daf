"""The web app's API and pages in-process (Starlette's TestClient): tokens, CSRF, upload limits,
escaping, the check form's corrections and the history adapter. Photos are read by the real
pipeline; the limits are set small so the refusals are fast."""

from __future__ import annotations

import io
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from PIL import Image

from boardsnap.cli import cli
from boardsnap.config import Config, JudgeConfig
from boardsnap.document import Action, Actual, Board, Metric, Target
from boardsnap.errors import ExitCode, UsageError
from boardsnap.web import Settings, create_app, security
from boardsnap.web.drafts import photo_suffix
from boardsnap.web.forms import apply_form

TOKEN = "test-token-0123456789abcdef"
MAX_BYTES = 300_000
MAX_PIXELS = 1_000_000


def png_bytes(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, height), 255).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    cfg = Config().with_overrides(
        web={"max_upload_bytes": MAX_BYTES, "workers": 1}, load={"max_pixels": MAX_PIXELS}
    )
    data = tmp_path_factory.mktemp("web")
    settings = Settings(token=TOKEN, data_dir=data, config=cfg, warm=False)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        yield c


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def uploads(client) -> list[Path]:
    return list(client.app.state.web.drafts.root.iterdir())


def logged_in(client) -> dict[str, str]:
    """Cookies of a browser that logged in and loaded a page: session and CSRF."""
    r = client.get(f"/login?token={TOKEN}", follow_redirects=False)
    assert r.status_code == 303
    session = r.cookies[security.SESSION_COOKIE]
    page = client.get("/", cookies={security.SESSION_COOKIE: session})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return {security.SESSION_COOKIE: session, security.CSRF_COOKIE: csrf}


def make_draft(client, board: Board):
    web = client.app.state.web
    image = np.full((400, 600, 3), 255, np.uint8)
    ok, png = cv2.imencode(".png", image)
    draft = web.drafts.create(png.tobytes(), "../../etc/board.png")
    draft.board_png.write_bytes(png.tobytes())
    draft.save_board(board)
    return draft


def sample_board(name="P95 latency", actual=240.0) -> Board:
    return Board(
        source="x.jpg",
        service="Payments API",
        review_date="2026-11-20",
        metrics=(
            Metric(
                name=name,
                target=Target("<", 200.0, "ms", "< 200ms"),
                actual=Actual(actual, "ms", f"{actual:g}ms"),
                needs_review=True,
                review_reasons=("low confidence",),
                cell_boxes=((10, 10, 100, 40), (120, 10, 100, 40)),
            ),
        ),
        actions=(Action(text="add circuit breaker", owner="maria", due="2026-12-15"),),
    )


# ---- tokens and hosts ------------------------------------------------------------------------


def test_api_needs_the_token(client):
    assert client.get("/api/services").status_code == 401
    wrong = client.get("/api/services", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "token" in wrong.json()["detail"]
    assert client.get("/api/services", headers=AUTH).status_code == 200


def test_pages_send_to_login_and_the_token_logs_in(client):
    r = client.get("/actions?service=x", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    bad = client.post("/login", data={"token": "wrong", "next": "/"})
    assert bad.status_code == 401 and "not right" in bad.text
    good = client.post(
        "/login", data={"token": TOKEN, "next": "//evil.example/"}, follow_redirects=False
    )
    assert good.status_code == 303 and good.headers["location"] == "/"
    cookie = good.cookies[security.SESSION_COOKIE]
    assert TOKEN not in cookie  # the cookie is derived from the token, not the token
    page = client.get("/", cookies={security.SESSION_COOKIE: cookie})
    assert page.status_code == 200 and "Snap the board" in page.text


def test_other_host_names_are_refused_on_loopback(tmp_path):
    settings = Settings(data_dir=tmp_path, warm=False)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"Host": "attacker.example"}).status_code == 400


def test_serving_beyond_localhost_needs_a_token(monkeypatch):
    with pytest.raises(UsageError):
        security.check_bind("0.0.0.0", None)
    security.check_bind("0.0.0.0", TOKEN)
    security.check_bind("127.0.0.1", None)
    security.check_bind("::1", None)
    monkeypatch.delenv("BOARDSNAP_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == ExitCode.USAGE
    assert "--token" in result.stderr and "0.0.0.0" in result.stderr


# ---- uploads ---------------------------------------------------------------------------------


def test_a_file_that_is_no_photo_is_refused_and_not_kept(client):
    before = len(uploads(client))
    r = client.post(
        "/api/boards", headers=AUTH, files={"photo": ("notes.jpg", b"%PDF-1.4 hello", "image/jpeg")}
    )
    assert r.status_code == 415
    assert r.json()["detail"].startswith("that file is not a photo")
    assert len(uploads(client)) == before


def test_a_too_large_upload_is_refused_before_it_is_read(client):
    big = b"\xff\xd8\xff" + b"\0" * (MAX_BYTES + 10)
    r = client.post("/api/boards", headers=AUTH, files={"photo": ("big.jpg", big, "image/jpeg")})
    assert r.status_code == 413 and "larger than" in r.json()["detail"]
    cookies = logged_in(client)
    page = client.post(
        "/snap",
        cookies=cookies,
        data={"csrf_token": cookies[security.CSRF_COOKIE]},
        files={"photo": ("big.jpg", big, "image/jpeg")},
    )
    assert page.status_code == 413
    assert 'role="alert"' in page.text and "The photo is larger than 300 kB" in page.text


def test_too_many_pixels_is_a_clear_message(client):
    before = len(uploads(client))
    data = png_bytes(1200, 1000)  # 1.2 MP against a 1 MP limit, a few kB on the wire
    r = client.post("/api/boards", headers=AUTH, files={"photo": ("wide.png", data, "image/png")})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "MP limit" in detail and "/" not in detail.split(";")[0]  # no server path in it
    assert len(uploads(client)) == before


def test_uploads_are_stored_under_generated_names(client):
    draft = make_draft(client, sample_board())
    assert draft.folder.parent == client.app.state.web.drafts.root
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", draft.id)
    assert draft.photo.name == "photo.png"
    assert draft.meta()["name"] == "board.png"  # the client's name, as text only
    assert photo_suffix(b"RIFF\0\0\0\0WEBPVP8 ") == ".webp"
    assert photo_suffix(b"<svg xmlns=") is None


# ---- CSRF ------------------------------------------------------------------------------------


def test_state_changing_requests_need_a_csrf_proof(client):
    cookies = logged_in(client)  # a browser session: cookies are sent on their own
    draft = make_draft(client, sample_board())
    csrf = cookies[security.CSRF_COOKIE]
    refused = [
        client.post("/api/boards", cookies=cookies, files={"photo": ("a.png", png_bytes(64, 64))}),
        client.put(f"/api/boards/{draft.id}", cookies=cookies, json=sample_board().to_dict()),
        client.post(f"/api/boards/{draft.id}/publish", cookies=cookies),
        client.post("/api/actions/1/status", cookies=cookies, json={"status": "done"}),
        client.post(f"/check/{draft.id}", cookies=cookies, data={"m-0-avalue": "1"}),
        client.post("/actions/1/status", cookies=cookies, data={"status": "done"}),
        client.post(
            f"/check/{draft.id}", cookies=cookies, data={"csrf_token": "forged", "m-0-avalue": "1"}
        ),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert draft.board().metrics[0].actual.value == 240.0  # nothing changed
    basic = client.post(  # a browser may add Basic credentials by itself: no proof
        "/actions/999/status",
        cookies=cookies,
        headers={"Authorization": "Basic dXNlcjpwdw=="},
        data={"status": "done"},
    )
    assert basic.status_code == 403
    snap = client.post("/snap", cookies=cookies, files={"photo": ("a.png", png_bytes(64, 64))})
    assert snap.status_code == 403 and "stale" in snap.text
    # the same requests with the token pass the CSRF check (and fail or succeed on their merits)
    ok = client.post(
        "/api/actions/999/status",
        cookies=cookies,
        headers={"X-CSRF-Token": csrf},
        json={"status": "done"},
    )
    assert ok.status_code == 404
    form = client.post(
        "/actions/999/status", cookies=cookies, data={"csrf_token": csrf, "status": "done"}
    )
    assert form.status_code == 404


# ---- the check page --------------------------------------------------------------------------


def test_check_page_escapes_and_highlights(client):
    draft = make_draft(client, sample_board(name='<script>alert("x")</script>'))
    cookies = logged_in(client)
    page = client.get(f"/check/{draft.id}", cookies=cookies)
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert 'class="card metric flagged"' in page.text
    assert f"/drafts/{draft.id}/crop/0.png" in page.text
    crop = client.get(f"/drafts/{draft.id}/crop/0.png", cookies=cookies)
    assert crop.status_code == 200 and crop.content.startswith(b"\x89PNG")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-frame-options"] == "DENY"


def test_check_form_corrects_and_rejudges(client):
    draft = make_draft(client, sample_board())
    cookies = logged_in(client)
    csrf = cookies[security.CSRF_COOKIE]
    r = client.post(
        f"/check/{draft.id}",
        cookies=cookies,
        data={"csrf_token": csrf, "m-0-avalue": "150", "a-0-owner": "@raj", "do": "save"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    board = draft.board()
    m = board.metrics[0]
    assert (m.actual.value, m.status, m.needs_review) == (150.0, "met", False)
    assert board.actions[0].owner == "raj"
    bad = client.post(
        f"/check/{draft.id}",
        cookies=cookies,
        data={"csrf_token": csrf, "m-0-tvalue": "fast", "a-0-due": "soon"},
    )
    assert bad.status_code == 422
    assert "Row 1 target: &#39;fast&#39; is not a number" in bad.text
    assert draft.board().metrics[0].target.value == 200.0


def test_apply_form_flags_what_still_cannot_be_judged():
    board = sample_board()
    applied = apply_form(
        board, {"m-0-op": "", "m-0-tvalue": "200", "m-0-tunit": "ms"}, JudgeConfig()
    )
    m = applied.board.metrics[0]
    assert m.status == "unknown" and m.needs_review  # no comparator: the judge flags it again
    dropped = apply_form(board, {"m-0-drop": "1", "a-0-text": ""}, JudgeConfig()).board
    assert dropped.metrics == () and dropped.actions == ()
    added = apply_form(
        board, {"a-new-text": "page on-call", "a-new-due": "2026-12-01"}, JudgeConfig()
    ).board
    assert added.actions[-1].text == "page on-call" and added.actions[-1].due == "2026-12-01"


# ---- publishing, actions, the report API -----------------------------------------------------


def test_publish_saves_once_and_actions_change_status(client):
    draft = make_draft(client, sample_board(actual=180.0))
    r = client.post(f"/api/boards/{draft.id}/publish", headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] is True and body["actions"][0]["owner"] == "maria"
    pdf = client.get(body["pdf_url"], headers=AUTH)
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    html = client.get(body["html_url"], headers=AUTH)
    assert "style-src 'unsafe-inline'" in html.headers["content-security-policy"]
    assert "script" not in html.headers["content-security-policy"]
    again = client.post(f"/api/boards/{draft.id}/publish", headers=AUTH).json()
    assert again["created"] is False and again["review_id"] == body["review_id"]
    action_id = body["actions"][0]["id"]
    done = client.post(f"/api/actions/{action_id}/status", headers=AUTH, json={"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    still_open = client.get("/api/actions?service=Payments API&open_only=true", headers=AUTH)
    assert action_id not in [a["id"] for a in still_open.json()]
    bad = client.post(f"/api/actions/{action_id}/status", headers=AUTH, json={"status": "later"})
    assert bad.status_code == 422


def test_report_api_renders_a_document_safely(client):
    doc = sample_board(name='<img src="file:///etc/passwd">').to_dict()
    html = client.post("/api/report?format=html", headers=AUTH, json=doc)
    assert html.status_code == 200 and '<img src="file:///etc/passwd">' not in html.text
    pdf = client.post("/api/report", headers=AUTH, json=doc)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = client.post("/api/report", headers=AUTH, json={"schema": "other/1"})
    assert bad.status_code == 422 and "schema" in bad.json()["detail"]


def test_openapi_describes_the_api(client):
    schema = client.get("/api/openapi.json", headers=AUTH).json()
    for path in (
        "/api/boards",
        "/api/boards/{draft_id}",
        "/api/boards/{draft_id}/publish",
        "/api/report",
        "/api/actions",
        "/api/actions/{action_id}/status",
    ):
        assert path in schema["paths"], path
    assert "/check/{draft_id}" not in schema["paths"]  # pages are not API


def test_put_and_report_judge_a_document_again_and_keep_an_override(client):
    # a person corrected the actual to 150 ms but left the stored verdict: the values decide
    stale = sample_board(actual=150.0).to_dict()
    stale["metrics"][0].update(status="breach", budget_used=1.2)
    draft = make_draft(client, sample_board())
    put = client.put(f"/api/boards/{draft.id}", headers=AUTH, json=stale)
    assert put.status_code == 200
    row = put.json()["metrics"][0]
    assert (row["status"], row["budget_used"]) == ("met", 0.75)
    html = client.post("/api/report?format=html", headers=AUTH, json=stale)
    assert html.status_code == 200 and "The commitment was met" in html.text
    assert "rejudge" not in str(client.get("/api/openapi.json", headers=AUTH).json())
    # an explicit ruling, with its reason, is kept; the numbers' verdict is kept beside it
    ruled = sample_board(actual=240.0).to_dict()
    ruled["metrics"][0]["status_override"] = {"status": "met", "reason": "probe outage"}
    row = client.put(f"/api/boards/{draft.id}", headers=AUTH, json=ruled).json()["metrics"][0]
    assert row["status"] == "met" and row["status_override"]["judged"] == "breach"
    bad = dict(ruled)
    bad["metrics"] = [dict(ruled["metrics"][0], status_override={"status": "met"})]
    refused = client.put(f"/api/boards/{draft.id}", headers=AUTH, json=bad)
    assert refused.status_code == 422 and "reason" in refused.json()["detail"]


def test_a_publish_that_cannot_save_leaves_no_report_behind(client):
    from dataclasses import replace

    draft = make_draft(client, replace(sample_board(actual=190.0), service=None))
    r = client.post(f"/api/boards/{draft.id}/publish", headers=AUTH)
    assert r.status_code == 422 and "service" in r.json()["detail"]
    for fmt in ("pdf", "html"):
        assert not draft.report(fmt).exists()
        assert client.get(f"/drafts/{draft.id}/report.{fmt}", headers=AUTH).status_code == 404


def test_a_check_form_over_its_limit_is_413_before_it_is_parsed(client):
    draft = make_draft(client, sample_board(actual=170.0))
    cookies = logged_in(client)
    limit = client.app.state.web.cfg.web.max_form_bytes
    body = {"csrf_token": cookies[security.CSRF_COOKIE], "m-0-name": "x" * (limit + 10)}
    r = client.post(f"/check/{draft.id}", data=body, cookies=cookies)
    assert r.status_code == 413
    assert draft.board().metrics[0].name == "P95 latency"  # nothing was taken from it
    small = {"csrf_token": cookies[security.CSRF_COOKIE], "m-0-name": "P99 latency"}
    ok = client.post(f"/check/{draft.id}", data=small, cookies=cookies, follow_redirects=False)
    assert ok.status_code in (200, 303) and draft.board().metrics[0].name == "P99 latency"


def test_a_publish_lists_the_actions_it_carries_forward_done_ones_still_done(tmp_path):
    from dataclasses import replace

    cfg = Config().with_overrides(web={"workers": 1})
    settings = Settings(
        token=TOKEN, data_dir=tmp_path / "web", db=str(tmp_path / "h.db"), config=cfg, warm=False
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        web = client.app.state.web

        def draft_of(board: Board, shade: int):
            ok, png = cv2.imencode(".png", np.full((400, 600, 3), shade, np.uint8))
            draft = web.drafts.create(png.tobytes(), "board.png")  # a photo of its own
            draft.board_png.write_bytes(png.tobytes())
            draft.save_board(board)
            return draft

        first = client.post(f"/api/boards/{draft_of(sample_board(), 250).id}/publish", headers=AUTH)
        [action] = first.json()["actions"]
        client.post(f"/api/actions/{action['id']}/status", headers=AUTH, json={"status": "done"})
        later = replace(sample_board(actual=150.0), review_date="2026-12-18", source="y.jpg")
        second = client.post(f"/api/boards/{draft_of(later, 240).id}/publish", headers=AUTH)
    assert second.status_code == 200 and second.json()["created"] is True
    assert [(a["id"], a["status"]) for a in second.json()["actions"]] == [(action["id"], "done")]
