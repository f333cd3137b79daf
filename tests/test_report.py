"""The report: HTML and PDF contents, escaping, the URL fetcher, atomic writes.

PDFs are rendered with the real WeasyPrint and read back with poppler's `pdftotext`.
"""

from __future__ import annotations

import builtins
import errno
import http.server
import os
import re
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from boardsnap import fileio
from boardsnap.config import ReportConfig
from boardsnap.document import Action, Actual, Board, Metric, RootCause, Target
from boardsnap.errors import MissingDependency, OutputError
from boardsnap.report import render as report
from boardsnap.report.render import (
    Evidence,
    ResourceRefused,
    fetch_resource,
    render_html,
    render_pdf,
    safe_url_fetcher,
    templates_dir,
    write_report,
)

CFG = ReportConfig()


def metric(name, op, tv, unit, ttext, av, atext, status, used, **kw) -> Metric:
    return Metric(
        name=name,
        target=Target(op, tv, unit, ttext),
        actual=Actual(av, unit if av is not None else None, atext),
        status=status,
        budget_used=used,
        confidence=kw.pop("confidence", 0.93),
        **kw,
    )


def make_board(**changes) -> Board:
    fields = dict(
        source="IMG_2041.jpg",
        title="Payments API SLA review 2026-11-20",
        service="Payments API",
        review_date="2026-11-20",
        metrics=(
            metric(
                "P95 latency",
                "<",
                200.0,
                "ms",
                "< 200ms",
                240.0,
                "240ms",
                "breach",
                1.2,
                board_mark="breach",
            ),
            metric(
                "Uptime", ">=", 99.9, "%", ">= 99.9%", 99.95, "99.95%", "met", 0.5, board_mark="met"
            ),
            metric(
                "Error rate",
                "<",
                0.5,
                "%",
                "< 0.5%",
                0.47,
                "0.47%",
                "near_miss",
                0.94,
                board_mark="met",
            ),
            metric(
                "Throughput",
                ">=",
                500.0,
                "rps",
                "500 rps",
                None,
                "5?0",
                "unknown",
                None,
                confidence=0.41,
                needs_review=True,
                review_reasons=("actual value unreadable",),
                cell_boxes=((20, 40, 100, 30), (120, 40, 80, 30), (200, 40, 80, 30)),
            ),
        ),
        root_causes=(
            RootCause("P95 latency", "slow third-party card API"),
            RootCause("Error rate", "retry storm after deploy"),
            RootCause(None, "on-call rota understaffed"),
        ),
        actions=(
            Action("add circuit breaker", owner="maria", due="2026-12-15", metric="P95 latency"),
            Action("tune retry budget", owner=None, due="2026-12-01", metric="Error rate"),
            Action("write failover runbook", owner="devon", due=None, status="in_progress"),
            Action("load test at 600 rps", needs_review=True, metric="Throughput"),
        ),
        warnings=("row 4: actual value unreadable",),
    )
    fields.update(changes)
    return Board(**fields)


def evidence() -> Evidence:
    image = np.full((200, 320, 3), 240, np.uint8)
    image[40:70, 20:280] = (200, 80, 20)  # the Throughput row
    return Evidence(board_image=image)


def pdf_text(pdf: bytes, tmp_path: Path, first: int | None = None, last: int | None = None) -> str:
    src = tmp_path / "text-source.pdf"
    src.write_bytes(pdf)
    cmd = ["pdftotext", "-layout"]
    if first is not None:
        cmd += ["-f", str(first), "-l", str(last or first)]
    out = subprocess.run([*cmd, str(src), "-"], capture_output=True, check=True, timeout=60)
    return out.stdout.decode("utf-8")


def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    src = tmp_path / "info-source.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(src)], capture_output=True, text=True, check=True)
    return dict(
        (k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in out.stdout.splitlines())
    )


# ---- HTML ------------------------------------------------------------------------------------


def test_html_is_self_contained_and_complete():
    html = render_html(make_board(), CFG)
    assert html.startswith("<!DOCTYPE html>")
    assert "<style>" in html and "@page" in html  # the stylesheet is inlined
    assert "<link" not in html and 'src="http' not in html
    for text in ("Payments API SLA review", "Payments API", "20 Nov 2026", "IMG_2041.jpg"):
        assert text in html
    plain = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    for count in ("1 \u2717 Breach", "1 \u25b2 Near miss", "1 \u2713 Met", "1 ? Unknown"):
        assert count in plain
    assert "1 commitment of 4 breached" in plain


def test_html_shows_every_status_in_words_and_the_parsed_values():
    html = render_html(make_board(), CFG)
    for word in ("Met", "Near miss", "Breach", "Unknown"):
        assert word in html
    assert "under 200 ms" in html and "written &ldquo;&lt; 200ms&rdquo;" in html
    assert "at least 99.9%" in html
    assert "120%" in html and "94%" in html
    assert "unreadable" in html  # the unknown actual


def test_html_actions_say_unassigned_and_no_date():
    html = render_html(make_board(), CFG)
    assert "unassigned" in html and "no date" in html
    assert "maria" in html and "devon" in html


def test_root_causes_are_shown_under_their_metric():
    html = render_html(make_board(), CFG)
    section = html[html.index("Breaches and near misses") :]
    latency = section.index("P95 latency")
    error_rate = section.index("Error rate")
    assert latency < section.index("slow third-party card API") < error_rate
    assert error_rate < section.index("retry storm after deploy")
    assert "on-call rota understaffed" in section  # a cause without a metric is kept


def test_needs_review_lists_reasons_and_the_crop():
    html = render_html(make_board(), CFG, evidence())
    section = html[html.index("<h2>Needs review</h2>") :]
    assert "Throughput" in section and "actual value unreadable" in section
    assert "load test at 600 rps" in section  # a flagged action
    assert 'class="crop doubted"' in section and "data:image/png;base64," in section
    # a crop per cell, labelled; the one the reasons name is the one to check
    assert re.findall(r"<figcaption>(\w+)", section) == ["Metric", "Target", "Actual"]
    assert "Actual &mdash; check this" in section and "Target &mdash;" not in section
    assert "Appendix: the board" in html


def test_without_evidence_there_are_no_pictures():
    html = render_html(make_board(), CFG)
    assert "data:image" not in html and "Appendix" not in html


def test_needs_review_without_reasons_still_says_why():
    board = make_board(
        metrics=(
            metric(
                "Uptime",
                ">=",
                99.9,
                "%",
                "99.9",
                99.0,
                "99",
                "breach",
                10.0,
                needs_review=True,
                confidence=0.3,
            ),
        )
    )
    html = render_html(board, CFG)
    assert "read with 30% confidence" in html


def test_empty_board_renders():
    board = Board(source="x.jpg")
    html = render_html(board, CFG)
    assert "No metrics were read" in html and "No actions" in html
    assert "SLA review" in html


def test_availability_row_without_an_actual_renders(tmp_path):
    # allowed downtime is known from the target alone; the used downtime is not
    row = metric("Uptime", ">=", 99.9, "%", ">= 99.9%", None, "", "unknown", None)
    board = make_board(metrics=(row,))
    html = render_html(board, CFG)
    assert "43.2 min allowed" in html and "used</span>" not in html
    assert "43.2 min" in pdf_text(render_pdf(board, CFG), tmp_path)


HOSTILE = '<script>alert("x")</script><img src="http://127.0.0.1:1/x.png">'


def test_hostile_text_is_escaped():
    board = make_board(
        title="<b>bold</b>",
        metrics=(metric(HOSTILE, "<", 1.0, "ms", "<1ms", 2.0, "2ms", "breach", 2.0),),
        actions=(Action('<img src="file:///etc/passwd">', owner="<i>eve</i>"),),
        warnings=("</style><script>bad()</script>",),
    )
    html = render_html(board, CFG)
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()  # no evidence: no pictures at all, none injected
    assert "&lt;script&gt;" in html and "&lt;img" in html and "&lt;b&gt;bold" in html


def test_hostile_text_shows_as_text_in_the_pdf(tmp_path):
    row = metric(HOSTILE, "<", 1.0, "ms", "<1ms", 2.0, "2ms", "breach", 2.0)
    text = pdf_text(render_pdf(make_board(metrics=(row,)), CFG), tmp_path)
    assert '<script>alert("x")</script>' in text


# ---- PDF -------------------------------------------------------------------------------------


def test_pdf_contains_metrics_statuses_and_owners(tmp_path):
    pdf = render_pdf(make_board(), CFG, evidence())
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    flat = " ".join(text.split())
    for name in ("P95 latency", "Uptime", "Error rate", "Throughput"):
        assert name in text
    for word in ("Met", "Near miss", "Breach", "Unknown"):
        assert word in text
    for owner in ("maria", "devon", "unassigned", "no date"):
        assert owner in text
    assert "1 commitment of 4 breached" in flat
    assert "P95 latency was 240 ms against a commitment of under 200 ms." in flat
    assert "slow third-party card API" in text
    assert "actual value unreadable" in text
    assert re.search(r"Page 1 of \d", text)


@pytest.mark.parametrize(("paper", "size"), [("A4", "A4"), ("Letter", "letter")])
def test_pdf_paper_size(tmp_path, paper, size):
    info = pdf_info(render_pdf(make_board(), ReportConfig(paper=paper)), tmp_path)
    assert f"({size})" in info["Page size"]


def many(n_metrics: int, n_actions: int) -> Board:
    metrics = tuple(
        metric(
            f"Metric number {i:02d}",
            "<",
            200.0,
            "ms",
            "< 200ms",
            100.0 + i,
            f"{100 + i}ms",
            "met",
            0.5 + i / 1000,
        )
        for i in range(n_metrics)
    )
    actions = tuple(
        Action(
            f"action number {i:02d} with a longer description to wrap",
            owner=f"owner{i:02d}",
            due="2026-12-15",
        )
        for i in range(n_actions)
    )
    return make_board(metrics=metrics, actions=actions, root_causes=(), warnings=())


def test_eight_metrics_and_eight_actions_fit_in_a_few_pages(tmp_path):
    pdf = render_pdf(many(8, 8), CFG)
    pages = int(pdf_info(pdf, tmp_path)["Pages"])
    assert pages <= 2
    assert f"Page {pages} of {pages}" in pdf_text(pdf, tmp_path)


def test_long_tables_repeat_headers_and_keep_rows_whole(tmp_path):
    n = 45
    pdf = render_pdf(many(n, 0), CFG)
    pages = int(pdf_info(pdf, tmp_path)["Pages"])
    assert pages >= 2
    seen = set()
    for page in range(1, pages + 1):
        text = pdf_text(pdf, tmp_path, page)
        rows = set(re.findall(r"Metric number (\d\d)", text))
        if rows - seen and page > 1:
            assert "COMMITMENT" in text and "BUDGET" in text  # the header came along
        for row in rows:  # a row's name and its actual value are on the same page
            assert f"{100 + int(row)} ms" in text
        seen |= rows
    assert seen == {f"{i:02d}" for i in range(n)}


# ---- the URL fetcher -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/style.css",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "file://otherhost/share/x.css",
        "//example.com/x.png",
        "gopher://x",
    ],
)
def test_fetcher_refuses_everything_but_data_and_templates(url):
    with pytest.raises(ResourceRefused):
        fetch_resource(url)
    with pytest.raises(ResourceRefused):
        safe_url_fetcher()(url)


def test_fetcher_refuses_escaping_the_templates_folder():
    escape = templates_dir().as_uri() + "/../pyproject.toml"
    with pytest.raises(ResourceRefused):
        fetch_resource(escape)


def test_fetcher_serves_data_uris_and_template_files():
    data, mime = fetch_resource("data:text/plain;base64,aGVsbG8=")
    assert (data, mime) == (b"hello", "text/plain")
    assert fetch_resource("data:,a%20b") == (b"a b", "text/plain")
    css, mime = fetch_resource(templates_dir().as_uri() + "/report.css")
    assert b"@page" in css and mime == "text/css"


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        _CountingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_weasyprint_with_the_safe_fetcher_reads_nothing_outside(monkeypatch):
    import weasyprint

    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    asked: list[str] = []
    real = report.fetch_resource

    def recording(url):
        asked.append(url)
        return real(url)

    monkeypatch.setattr(report, "fetch_resource", recording)
    port = server.server_address[1]
    dot = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9Q"
        "DwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    crafted = f"""<html><head>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">
      <style>body {{ background: url(file:///etc/passwd) }}</style></head>
      <body><img src="http://127.0.0.1:{port}/a.png"><img src="file:///etc/passwd">
      <img src="{dot}">
      </body></html>"""
    try:
        pdf = weasyprint.HTML(
            string=crafted, base_url=templates_dir().as_uri() + "/", url_fetcher=safe_url_fetcher()
        ).write_pdf()
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.startswith(b"%PDF")
    assert _CountingHandler.hits == []
    assert any(u.startswith("http://127.0.0.1") for u in asked)
    assert "file:///etc/passwd" in asked
    assert any(u.startswith("data:image/png") for u in asked)


# ---- writing ---------------------------------------------------------------------------------


def test_write_report_html_and_pdf(tmp_path):
    html = write_report(make_board(), tmp_path / "r.html", "html", CFG, evidence())
    pdf = write_report(make_board(), tmp_path / "r.pdf", "PDF", CFG)
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.pdf"]


def test_write_report_rejects_unknown_format(tmp_path):
    with pytest.raises(Exception, match="unknown report format"):
        write_report(make_board(), tmp_path / "r.docx", "docx", CFG)
    assert list(tmp_path.iterdir()) == []


def test_failed_rendering_leaves_no_file_and_no_temp_file(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("layout exploded")

    monkeypatch.setattr(report, "render_pdf", broken)
    with pytest.raises(RuntimeError, match="layout exploded"):
        write_report(make_board(), tmp_path / "r.pdf", "pdf", CFG)
    assert list(tmp_path.iterdir()) == []


def test_failed_rendering_keeps_the_previous_report(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("previous", encoding="utf-8")
    monkeypatch.setattr(report, "render_html", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        write_report(make_board(), target, "html", CFG)
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_failed_rename_is_an_output_error_and_cleans_up(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(fileio.os, "replace", refuse)
    with pytest.raises(OutputError, match="permission denied") as err:
        fileio.atomic_write_bytes(tmp_path / "r.pdf", b"%PDF")
    assert str(tmp_path / "r.pdf") in str(err.value)
    assert "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_failed_fsync_cleans_up(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(OutputError, match="no space left"):
        fileio.atomic_write_text(tmp_path / "r.html", "<p>")
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(OutputError, match="folder does not exist") as err:
        fileio.atomic_write_text(tmp_path / "nope" / "r.html", "x")
    assert "nope" in str(err.value) and "mkdir" in str(err.value)


def test_folder_as_output_is_refused(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        fileio.atomic_write_bytes(tmp_path, b"x")


def test_permission_denied_creating_the_temp_file(tmp_path, monkeypatch):
    real_open = os.open

    def deny(path, flags, mode=0o777, **kw):
        if str(path).endswith(".tmp"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(fileio.os, "open", deny)
    with pytest.raises(OutputError, match="permission denied"):
        fileio.atomic_write_bytes(tmp_path / "r.pdf", b"x")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_respects_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = fileio.atomic_write_text(tmp_path / "r.html", "x")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


# ---- missing WeasyPrint / Pango ----------------------------------------------------------------


def _fail_import_of_weasyprint(monkeypatch, exc: BaseException) -> None:
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise exc
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_missing_pango_is_a_missing_dependency_with_the_apt_line(tmp_path, monkeypatch):
    _fail_import_of_weasyprint(monkeypatch, OSError("cannot load library 'libpango-1.0-0'"))
    with pytest.raises(MissingDependency) as err:
        write_report(make_board(), tmp_path / "r.pdf", "pdf", CFG)
    assert "sudo apt-get install -y libpango-1.0-0" in str(err.value)
    assert list(tmp_path.iterdir()) == []
    # HTML reports do not need WeasyPrint.
    write_report(make_board(), tmp_path / "r.html", "html", CFG)


def test_missing_weasyprint_package(monkeypatch):
    _fail_import_of_weasyprint(monkeypatch, ImportError("No module named 'weasyprint'"))
    with pytest.raises(MissingDependency, match="pip install"):
        render_pdf(make_board(), CFG)


def test_what_was_cut_off_or_not_read_is_said_at_the_top_of_page_one():
    from boardsnap.config import ReportConfig
    from boardsnap.document import Board
    from boardsnap.report.render import ReportOptions, render_html

    cut = "cut off: the board's lower edge: writing beyond it may be missing; check the board"
    board = Board(
        source="x.jpg",
        service="Payments API",
        warnings=(
            cut,
            "review date: no title read",
            "row 2 (Uptime): the board says met",
            "table: a row after row 1 (Uptime) read as no metric ('M | MO'); check the board",
        ),
    )
    page = render_html(board, ReportConfig())
    top = page.split('aria-label="Summary"')[1].split("Compliance matrix")[0]
    assert cut.replace("'", "&#39;") in top and "review date: no title read" in top
    assert "table: a row after row 1 (Uptime) read as no metric" in top  # a row lost is said
    assert "row 2 (Uptime)" not in top  # a reading note stays with the reading notes
    customer = render_html(board, ReportConfig(), None, ReportOptions(audience="customer"))
    assert "Before relying on" not in customer


def test_a_flagged_action_says_why_in_the_parsers_words():
    flagged = Action(
        "Add a read replica",
        owner=None,
        needs_review=True,
        review_reasons=("no owner read", "due date before the review"),
    )
    html = render_html(make_board(actions=(flagged,)), CFG)
    section = html[html.index("<h2>Needs review</h2>") :]
    assert "<li>no owner read</li>" in section and "<li>due date before the review</li>" in section
    assert "may have been misread" not in section
    # an older document: the flag without its reasons still says something
    older = render_html(make_board(actions=(Action("Add a read replica", needs_review=True),)), CFG)
    assert "may have been misread" in older[older.index("<h2>Needs review</h2>") :]


def test_a_line_read_from_faded_ink_is_shown_again_with_its_contrast_raised():
    """Beside the crop as photographed (too pale to check a reading against), the same crop
    with the faded ink's contrast raised; only for lines the reader says were faded."""
    from dataclasses import replace

    from boardsnap.document import ReviewCode

    image = np.full((200, 320, 3), 240, np.uint8)
    image[120:150, 30:200] = 225  # faded ink: a little darker than the board
    image[128:142, 40:60] = 205
    faded = Action(
        "add circuit breaker",
        needs_review=True,
        line_box=(20, 110, 200, 50),
        review_reasons=("read from faded ink (a drying marker?): check against the board",),
        review_codes=(ReviewCode("text.faint", "text"),),
    )
    plain = replace(faded, text="fix token refresh", review_codes=(ReviewCode("x.y", "text"),))
    board = replace(make_board(), actions=(faded, plain))
    html = render_html(board, CFG, Evidence(board_image=image))
    section = html[html.index("<h2>Needs review</h2>") :]
    assert section.count("Faded ink, contrast raised") == 1
    raised = section[section.index("add circuit breaker") : section.index("fix token refresh")]
    assert "contrast raised" in raised
    assert section.count("Line as photographed") == 2  # the evidence stays for both


@pytest.mark.parametrize("audience", ["internal", "customer"])
def test_a_board_with_a_commitment_not_judged_is_not_called_all_clear(audience):
    """Seed 9859 photo 3: one row, its actual unreadable, no breach and no near miss; page one
    said "Every commitment was met with room to spare" while 0 were met."""
    from boardsnap.report.render import ReportOptions, render_html

    unread = metric("5xx", "<=", 2.0, "%", "<=2%", None, "", "unknown", None, needs_review=True)
    met = metric("Uptime", ">=", 99.9, "%", ">= 99.9%", 99.95, "99.95%", "met", 0.5)
    options = ReportOptions(audience=audience)
    page = render_html(make_board(metrics=(unread,), actions=()), CFG, None, options)
    assert "room to spare" not in page
    page = render_html(make_board(metrics=(met,), actions=()), CFG, None, options)
    assert "room to spare" in page  # all met: said so
