"""Untrusted text in, safe report out: a crafted board.json through `boardsnap render`.

Every text field of the document carries markup, script, template syntax and URLs aimed at a
local file and at a local HTTP server. The HTML must show all of it as text (no script element,
no event attribute, no picture but data: URIs, a Content-Security-Policy that forbids scripts),
the PDF must show it as text too, and WeasyPrint must ask its fetcher for nothing but BoardSnap's
own templates and data: URIs, so the server counts no request at all.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from boardsnap.cli import cli
from boardsnap.config import ReportConfig
from boardsnap.intake import read_document
from boardsnap.report import render as report
from boardsnap.report.render import ResourceRefused, fetch_resource, templates_dir


class _Server(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        _Server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { background: red }")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.HTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def hostile_strings(base: str) -> list[str]:
    return [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '"><svg onload=alert(1)>',
        "</style><script>document.write(1)</script>",
        f"<link rel=stylesheet href={base}/link.css>",
        f'x" style="background:url({base}/attr.png)',
        "url(file:///etc/passwd)",
        "<img src=file:///etc/passwd>",
        f"<iframe src={base}/frame></iframe>",
        "javascript:alert(1)",
        "{{ 7*7 }} {% raw %}",
        "&lt;already escaped&gt; & \u202eRTL override",
    ]


@pytest.fixture(scope="module")
def crafted(tmp_path_factory, server) -> tuple[Path, list[str]]:
    evil = hostile_strings(server)
    metric = {
        "name": evil[0],
        "target": {"op": "<", "value": 200, "unit": evil[6], "text": evil[1]},
        "actual": {"value": 240, "unit": "ms", "text": evil[2]},
        "status": "breach",
        "budget_used": 1.2,
        "needs_review": True,
        "review_reasons": evil[3:6],
        "board_mark": "met",
        "cell_boxes": [[10, 10, 200, 60], [210, 10, 150, 60], [360, 10, 150, 60]],
    }
    doc = {
        "schema": "boardsnap.board/1",
        "source": evil[7],
        "title": evil[4],
        "service": evil[5],
        "review_date": "2026-11-20",
        "metrics": [metric, dict(metric, name=evil[8], status="near_miss", budget_used=0.95)],
        "root_causes": [{"metric": evil[0], "text": evil[9]}],
        "actions": [
            {"text": evil[10], "owner": evil[11], "due": "2026-12-15", "metric": evil[0]},
            {"text": evil[3], "owner": evil[8]},
        ],
        "warnings": evil,
    }
    path = tmp_path_factory.mktemp("crafted") / "board.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path, evil


@pytest.fixture(scope="module")
def rendered(crafted, tmp_path_factory):
    """The crafted document rendered to HTML and PDF by the CLI, with the fetcher's log."""
    path, _ = crafted
    out = tmp_path_factory.mktemp("out")
    asked: list[str] = []
    real = report.fetch_resource

    def recording(url):
        asked.append(url)
        return real(url)

    mp = pytest.MonkeyPatch()
    mp.setattr(report, "fetch_resource", recording)
    try:
        for name in ("r.html", "r.pdf"):
            result = CliRunner().invoke(cli, ["render", str(path), "-o", str(out / name)])
            assert result.exit_code == 0, result.output
            # the crafted rows' stored verdicts are not their values' (a unit that is markup):
            # each says so in one line, nothing else is said
            lines = result.stderr.splitlines()
            assert len(lines) == 2 and all("judged again from the values" in x for x in lines)
        # with the pictures a photo brings (the board and the crops of rows to review), which
        # reach WeasyPrint as data: URIs through the fetcher
        board = read_document(path)
        picture = np.full((400, 600, 3), 230, np.uint8)
        evidence = report.Evidence(board_image=picture)
        report.write_report(board, out / "photo.pdf", "pdf", ReportConfig(), evidence)
    finally:
        mp.undo()
    return (out / "r.html").read_text(encoding="utf-8"), out / "r.pdf", asked


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_shows_every_hostile_text_as_text(crafted, rendered):
    _, evil = crafted
    page, _, _ = rendered
    parser = _Tags()
    parser.feed(page)
    shown = " ".join(" ".join(parser.text).split())
    rest = shown
    for text in evil:
        assert " ".join(text.split()) in shown, text
        rest = rest.replace(" ".join(text.split()), " ")
    assert "49" not in rest  # {{ 7*7 }} was not evaluated (the evil texts hold a random port)
    names = [t for t, _ in parser.tags]
    for forbidden in ("script", "iframe", "link", "svg", "object", "embed", "base", "form"):
        assert forbidden not in names, forbidden
    assert names.count("style") == 1
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "img":
            assert attrs["src"].startswith("data:image/"), attrs
        for value in attrs.values():
            assert "127.0.0.1" not in (value or "") or tag == "meta", (tag, attrs)


def test_html_carries_a_content_security_policy_without_scripts(rendered):
    page, _, _ = rendered
    parser = _Tags()
    parser.feed(page)
    csp = [
        a["content"]
        for t, a in parser.tags
        if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"
    ]
    assert len(csp) == 1
    rules = dict((r.strip().split(" ", 1) + [""])[:2] for r in csp[0].split(";") if r.strip())
    assert rules["default-src"] == "'none'"
    # no script at all: script-src is 'none', or absent and falls back to default-src 'none'
    assert rules.get("script-src", "'none'") == "'none'"
    assert rules["img-src"] == "data:"
    assert "http" not in csp[0]


def test_pdf_shows_the_hostile_text_as_text(crafted, rendered):
    _, pdf, _ = rendered
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for needle in (
        "<script>alert(1)</script>",
        "onerror=alert(1)>",
        "javascript:alert(1)",
        "{{ 7*7 }}",
        "url(file:///etc/passwd)",
    ):
        assert needle in flat, needle
    assert "root:x:0:0" not in flat  # /etc/passwd was not read into the report


def test_weasyprint_fetched_only_templates_and_data(rendered):
    _, _, asked = rendered
    root = templates_dir().resolve().as_uri()
    assert asked, "the fetcher was not used at all"
    for url in asked:
        assert url.startswith("data:") or url.startswith(root + "/"), url
    assert _Server.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        " file:///etc/passwd",
        "http://127.0.0.1:1/x",
        "HTTPS://example.com/",
        "file://localhost/etc/passwd",
        "file:///proc/self/environ",
    ],
)
def test_the_fetcher_refuses_local_files_and_the_network(url):
    with pytest.raises(ResourceRefused):
        fetch_resource(url)


def test_the_fetcher_refuses_encoded_escapes_from_the_templates_folder():
    root = templates_dir().as_uri()
    for url in (root + "/%2e%2e/pyproject.toml", root + "/..%2f..%2fpyproject.toml"):
        with pytest.raises(ResourceRefused):
            fetch_resource(url)
