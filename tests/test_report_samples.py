"""The report of every committed sample, read back with pdftotext: what a reader will see.

The samples' truth documents (samples/*.truth.json) are rendered directly; one photo is read
once for the module to check the pictures (per-cell review crops and the board appendix).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from boardsnap.cli import cli
from boardsnap.config import Config, ReportConfig
from boardsnap.document import Board
from boardsnap.errors import ExitCode, UsageError
from boardsnap.report.branding import Branding
from boardsnap.report.render import Evidence, ReportOptions, render_html, render_pdf
from boardsnap.report.view import STATUS_LABELS

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TRUTHS = sorted(SAMPLES.glob("*.truth.json"))
CFG = ReportConfig()
CUSTOMER = ReportOptions(audience="customer")


def load(path: Path) -> Board:
    return Board.from_json(path.read_text(encoding="utf-8"))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    src = tmp_path / "report.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(src), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def words(text: str) -> str:
    return " ".join(text.lower().split())


def has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])", text.lower()) is not None


def visible(html: str) -> str:
    """The text of an HTML report as a reader sees it (no tags, no stylesheet)."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", html, flags=re.S))


def test_there_are_samples():
    assert len(TRUTHS) >= 10


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: p.name.split(".")[0])
def test_every_sample_report_names_each_metric_status_and_owner(truth, tmp_path):
    board = load(truth)
    internal = words(pdf_text(render_pdf(board, CFG), tmp_path))
    customer = words(pdf_text(render_pdf(board, CFG, options=CUSTOMER), tmp_path))
    assert re.search(r"page 1 of \d", internal)
    for text in (internal, customer):
        for m in board.metrics:
            assert words(m.name) in text, m.name
        for status in {m.status for m in board.metrics}:
            assert STATUS_LABELS[status].lower() in text
        for cause in board.root_causes:
            assert words(cause.text) in text
        for action in board.actions:
            assert words(action.text) in text
        if any(a.owner is None for a in board.actions):
            assert "unassigned" in text
    for action in board.actions:
        if action.owner:
            assert has_word(internal, action.owner), action.owner
            assert not has_word(customer, action.owner), f"{action.owner} in the customer report"
    if not board.metrics:
        assert "no commitments were read" in internal


@pytest.mark.parametrize("truth", TRUTHS[:7], ids=lambda p: p.name.split(".")[0])
def test_breaches_are_named_in_plain_english(truth):
    board = load(truth)
    html = render_html(board, CFG)
    plain = words(re.sub(r"<[^>]+>", " ", html).replace("&lt;", "<").replace("&gt;", ">"))
    for m in board.metrics:
        if m.status == "breach":
            assert re.search(
                rf"{re.escape(words(m.name))} was [\d.,]+ ?\S* against a commitment of "
                r"(under|at most|over|at least) [\d.,]+",
                plain,
            ), m.name


def test_redaction_removes_the_metric_everywhere(tmp_path):
    board = load(SAMPLES / "sample-01-payments.truth.json")
    options = ReportOptions(redact=("api latency",))
    text = words(pdf_text(render_pdf(board, CFG, options=options), tmp_path))
    html = words(render_html(board, CFG, options=options))
    for where in (text, html):
        assert "latency" not in where
        assert "gc pauses after deploy" not in where  # its root cause
        assert "add circuit breaker" not in where  # its action
        assert "uptime" in where and "faster rollback" in where  # the rest stays
    assert "1 confidential metric is left out" in text
    assert "1 commitment of 4" not in text  # the counts are of what is shown


def test_redaction_leaves_out_the_board_photo(tmp_path):
    board = load(SAMPLES / "sample-01-payments.truth.json")
    image = __import__("numpy").full((100, 200, 3), 255, "uint8")
    html = render_html(board, CFG, Evidence(image), ReportOptions(redact=("Uptime",)))
    assert "data:image" not in html and "left out of this report" in html


def test_redacting_a_metric_not_on_the_board_is_an_error():
    board = load(SAMPLES / "sample-01-payments.truth.json")
    with pytest.raises(UsageError, match="matches no metric"):
        render_html(board, CFG, options=ReportOptions(redact=("p59 latncy",)))


def test_render_cli_audience_and_redact(tmp_path):
    truth = SAMPLES / "sample-01-payments.truth.json"
    out = tmp_path / "r.html"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["render", str(truth), "-o", str(out), "--audience", "customer", "--redact", "MTTR"]
    )
    assert result.exit_code == 0, result.output
    text = visible(out.read_text())
    assert "MTTR" not in text and "Customer edition" in text
    assert not has_word(text, "li")  # the owner of "faster rollback"
    bad = runner.invoke(cli, ["render", str(truth), "-o", str(tmp_path / "x.pdf"), "--redact", "x"])
    assert bad.exit_code == ExitCode.USAGE
    assert "matches no metric" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()


# ---- branding --------------------------------------------------------------------------------


def write_logo(path: Path) -> Path:
    import cv2
    import numpy as np

    logo = np.zeros((40, 120, 3), np.uint8)
    logo[:] = (120, 60, 10)
    cv2.imwrite(str(path), logo)
    return path


def test_branding_from_the_config_file(tmp_path):
    write_logo(tmp_path / "acme.png")
    config = tmp_path / "brand.toml"
    config.write_text(
        '[report]\ncompany = "Acme Payments Ltd"\nlogo = "acme.png"\n'
        'accent = "#0f766e"\nfooter = "Confidential: prepared for Globex"\n'
    )
    truth = SAMPLES / "sample-01-payments.truth.json"
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(
        cli, ["render", str(truth), "-o", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "Acme Payments Ltd" in text
    assert text.count("Confidential: prepared for Globex") >= 2  # every page's foot
    html = render_html(load(truth), Config.from_file(config).report, options=_options(config))
    assert "--accent: #0f766e" in html and 'class="logo" src="data:image/png;base64,' in html


def _options(config: Path) -> ReportOptions:
    from boardsnap.report.branding import load_branding

    return ReportOptions(branding=load_branding(Config.from_file(config).report))


def test_default_branding_has_no_company_or_logo():
    html = render_html(load(SAMPLES / "sample-01-payments.truth.json"), CFG)
    assert 'class="logo"' not in html and "Generated by BoardSnap" in html
    assert Branding().accent in html


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('accent = "teal-ish"', "is not a colour"),
        ('logo = "missing.png"', "logo not found"),
        ('logo = "notes.txt"', "logo is not a picture"),
    ],
)
def test_bad_branding_is_one_line_and_exit_3(tmp_path, setting, message):
    (tmp_path / "notes.txt").write_text("not a picture")
    config = tmp_path / "brand.toml"
    config.write_text(f"[report]\n{setting}\n")
    out = tmp_path / "r.pdf"
    truth = SAMPLES / "sample-01-payments.truth.json"
    result = CliRunner().invoke(
        cli, ["render", str(truth), "-o", str(out), "--config", str(config)]
    )
    assert result.exit_code == ExitCode.BAD_INPUT
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


# ---- print quality ---------------------------------------------------------------------------


def test_fonts_are_embedded(tmp_path):
    src = tmp_path / "r.pdf"
    src.write_bytes(render_pdf(load(SAMPLES / "sample-02-checkout-status.truth.json"), CFG))
    out = subprocess.run(["pdffonts", str(src)], capture_output=True, text=True, check=True)
    fonts = out.stdout.strip().splitlines()[2:]
    assert fonts
    for line in fonts:  # name type encoding emb sub uni ...
        assert line.split()[-5] == "yes", line


def test_html_forbids_scripts_and_is_one_file():
    html = render_html(load(SAMPLES / "sample-01-payments.truth.json"), CFG)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp and "script-src 'none'" in csp.group(1) and "default-src 'none'" in csp.group(1)
    assert '<meta name="viewport"' in html
    assert not re.search(r'(src|href)="(?!data:)', html)


# ---- from a photo: the pictures ----------------------------------------------------------------


@pytest.fixture(scope="module")
def extraction():
    from boardsnap.reading.pipeline import Pipeline

    pipeline = Pipeline(Config())
    try:
        yield pipeline.extract(SAMPLES / "sample-02-checkout-status.jpg")
    finally:
        pipeline.close()


def test_internal_report_shows_each_doubtful_cell_and_the_board(extraction):
    evidence = Evidence(board_image=extraction.rectified.image)
    board = extraction.board
    assert any(m.needs_review for m in board.metrics)
    html = render_html(board, CFG, evidence)
    review = html[html.index("<h2>Needs review</h2>") :]
    flagged = [m for m in board.metrics if m.needs_review and m.cell_boxes]
    assert review.count("<figure") >= len(flagged)
    assert "check this" in review
    assert "Appendix: the board" in html and "data:image/jpeg;base64," in html


def test_customer_report_leaves_out_crops_raw_text_and_owners(extraction):
    evidence = Evidence(board_image=extraction.rectified.image)
    board = extraction.board
    html = render_html(board, CFG, evidence, CUSTOMER)
    assert "Needs review</h2>" not in html and "<figure" not in html
    assert "data:image" not in html  # neither crops nor the board photo
    assert "written &ldquo;" not in html  # the raw OCR text
    for w in board.warnings:
        assert json.dumps(w)[1:-1] not in html
    for action in board.actions:
        if action.owner:
            assert not has_word(visible(html), action.owner)
