"""The contract beside the board: OpenSLO and sloth files (tests/slo/, shapes noted in its
README) read into commitments, each board row checked against its commitment, the CLI's
`--slo` and `slo check`, and the round trip through `extract --format openslo`."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest
from click.testing import CliRunner
from synthetic import synth

from boardsnap import slo
from boardsnap.cli import cli
from boardsnap.config import JudgeConfig
from boardsnap.document import Actual, Board, Metric, Target
from boardsnap.errors import ExitCode, InvalidDocument
from boardsnap.reading.judge import judge_board

FILES = Path(__file__).parent / "slo"
OPENSLO = FILES / "payments-openslo-v1.yaml"
V1ALPHA = FILES / "payments-openslo-v1alpha.yaml"
SLOTH = FILES / "payments-sloth.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env={"BOARDSNAP_DB": ""})


def row(name, op, value, unit, actual, text=None, reasons=()):
    written = text if text is not None else f"{op or ''} {value}{unit or ''}"
    return Metric(
        name,
        Target(op, value, unit, written),
        Actual(actual, unit, f"{actual}{unit or ''}"),
        review_reasons=tuple(reasons),
        needs_review=bool(reasons),
    )


def payments_board(*metrics) -> Board:
    board = Board(
        source="IMG_2041.jpg", service="Payments API", review_date="2026-11-20", metrics=metrics
    )
    return judge_board(board, JudgeConfig())


def checked(board: Board, *files: Path) -> Board:
    return slo.check(board, slo.load_contract(files or (OPENSLO, V1ALPHA)), JudgeConfig())


def by_name(board: Board) -> dict[str, Metric]:
    return {m.name: m for m in board.metrics}


def test_openslo_and_sloth_objectives_become_commitments_in_board_terms():
    contract = slo.load_contract([FILES])  # a folder: its .yaml files
    assert (
        contract.files
        == tuple(str(p) for p in sorted(FILES.glob("*.yaml")) if p.name != "not-an-slo.yaml")
        or len(contract.files) >= 3
    )
    said = {(c.service, c.name): (c.said(), c.unit) for c in contract.commitments}
    assert said[("payments-api", "P95 latency")] == ("< 200 ms", "ms")  # unit from description
    # of "Internal objective" (0.9995) and "SLA" (0.999), the SLA is the commitment
    assert said[("payments-api", "Availability of the payments API")] == ("≥ 99.9 %", "%")
    assert said[("payments-api", "Error rate")] == ("≥ 99.5 %", "%")  # good events, v1alpha
    assert said[("checkout", "requests-availability")] == ("≥ 99.9 %", "%")  # sloth
    latency = next(c for c in contract.commitments if c.name == "P95 latency")
    assert latency.percentile == 0.95 and "p95" in latency.mapping


NOT_AN_SLO = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: payments\n"


def test_not_an_slo_file_is_one_line_naming_the_file_and_document(tmp_path):
    (tmp_path / "not-an-slo.yaml").write_text(OPENSLO.read_text() + "---\n" + NOT_AN_SLO)
    with pytest.raises(InvalidDocument) as caught:
        slo.load_contract([tmp_path / "not-an-slo.yaml"])
    assert caught.value.exit_code == ExitCode.INVALID_DOCUMENT
    assert "not-an-slo.yaml: document 4 is neither" in caught.value.one_line()
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: [unclosed\n")
    with pytest.raises(InvalidDocument, match="not YAML at line"):
        slo.load_contract([broken])


def test_a_target_that_differs_is_flagged_with_the_contracts_and_judged_against_it():
    board = payments_board(
        row("Uptime", ">=", 99.5, "%", 99.7),  # the contract says 99.9: a breach by it
        row("P95 latency", "<", 200.0, "ms", 180.0),
        row("Error rate", "<", 0.5, "%", 0.3),
        row("MTTR", "<", 2.0, "h", 1.0),
    )
    rows = by_name(checked(board))
    uptime = rows["Uptime"]
    assert uptime.target.value == 99.5 and uptime.status == "met"  # the board's own verdict
    assert uptime.contract.result == "differs" and uptime.needs_review
    assert uptime.contract.difference.startswith("board says ≥ 99.5 %, contract says ≥ 99.9 %")
    assert uptime.contract.judged_status == "breach" and uptime.contract.judged_budget == 3.0
    assert any("differs from the contract" in r for r in uptime.review_reasons)
    assert rows["P95 latency"].contract.result == "as_contracted"
    error = rows["Error rate"].contract
    assert error.result == "as_contracted" and "share of bad events: < 0.5 %" in error.mapping
    assert rows["MTTR"].contract.result == "not_in_contract"
    result = checked(board)
    assert [w for w in result.warnings if "contract" in w] == [
        "differs from the contract: row 1 (Uptime): " + uptime.contract.difference
    ]
    # checking again gives the same, not a second flag
    assert checked(result) == result


def test_an_unreadable_target_is_judged_from_the_contract_and_flagged():
    board = payments_board(
        row("P95 latency", None, None, None, 240.0, text="< 2?0ms"),
        row("Error rate", None, None, "%", 0.3, text="< 0.?%"),
    )
    rows = by_name(checked(board))
    latency = rows["P95 latency"]
    assert (latency.target.op, latency.target.value, latency.target.unit) == ("<", 200.0, "ms")
    assert latency.status == "breach" and latency.needs_review  # 240 ms against < 200 ms
    assert latency.contract.result == "taken_from_contract"
    assert latency.contract.board_target.text == "< 2?0ms"
    assert any(
        r.startswith("target taken from the contract: < 200 ms") for r in latency.review_reasons
    )
    # the error rate's contract is a share of good events: taken as the share of bad ones
    error = rows["Error rate"]
    assert (error.target.op, error.target.value) == ("<", 0.5) and error.status == "met"


def test_a_doubtful_target_that_differs_takes_the_contracts_value():
    doubtful = row("Uptime", ">=", 99.5, "%", 99.95, reasons=["target '99.5%': the '5' is unsure"])
    uptime = by_name(checked(payments_board(doubtful)))["Uptime"]
    assert uptime.contract.result == "taken_from_contract" and uptime.target.value == 99.9
    assert uptime.status == "met" and uptime.needs_review
    assert uptime.contract.board_target.value == 99.5


def test_slo_check_exit_codes_and_table(tmp_path):
    differs = tmp_path / "differs.json"
    differs.write_text(payments_board(row("Uptime", ">=", 99.5, "%", 99.7)).to_json())
    result = run("slo", "check", str(differs), "--slo", str(OPENSLO))
    assert result.exit_code == ExitCode.CONTRACT_DIFFERS, result.output
    assert "Uptime" in result.stdout and "differs" in result.stdout and "≥ 99.9 %" in result.stdout
    agrees = tmp_path / "agrees.json"
    agrees.write_text(payments_board(row("Uptime", ">=", 99.9, "%", 99.95)).to_json())
    ok = run("slo", "check", str(agrees), "--slo", str(OPENSLO), "-f", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)[0]["result"] == "as_contracted"
    (tmp_path / "deployment.yaml").write_text(NOT_AN_SLO)
    bad = run("slo", "check", str(agrees), "--slo", str(tmp_path / "deployment.yaml"))
    assert bad.exit_code == ExitCode.INVALID_DOCUMENT and bad.stderr.count("\n") == 1


def test_render_with_slo_shows_the_difference_on_the_first_page(tmp_path):
    doc = tmp_path / "board.json"
    doc.write_text(
        payments_board(
            row("Uptime", ">=", 99.5, "%", 99.7), row("P95 latency", "<", 200.0, "ms", 150.0)
        ).to_json()
    )
    html = tmp_path / "r.html"
    result = run("render", str(doc), "--slo", str(OPENSLO), "-o", str(html))
    assert result.exit_code == 0, result.output
    assert "Uptime differs from the contract" in result.stderr
    page = html.read_text()
    first = page.split("Compliance matrix")[0]
    assert "differs from the SLO contract" in first and "≥ 99.9 %" in first
    assert "as contracted" in page
    appendix = page.split("Appendix: checked against the SLO contract")[1]
    assert "OpenSLO ratio of good events, target 0.999: at least 99.9 % good" in appendix


def test_extract_openslo_then_slo_on_the_same_photo_is_as_contracted(tmp_path):
    photo = tmp_path / "IMG_2041.jpg"
    cv2.imwrite(str(photo), synth(seed=7).photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    slos = tmp_path / "slos.yaml"
    assert run("extract", str(photo), "-f", "openslo", "-o", str(slos)).exit_code == 0
    result = run("extract", str(photo), "--slo", str(slos))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    comparable = [m for m in doc["metrics"] if m["target"]["op"] and m["target"]["value"]]
    assert len(comparable) == 3
    assert [m["contract"]["result"] for m in comparable] == ["as_contracted"] * 3


def test_the_web_app_checks_corrected_documents_against_its_contract(tmp_path):
    from fastapi.testclient import TestClient
    from test_web_api import AUTH, TOKEN, make_draft

    from boardsnap.config import Config
    from boardsnap.web import Settings, create_app

    cfg = Config().with_overrides(web={"workers": 1}, slo={"files": (str(OPENSLO),)})
    settings = Settings(
        token=TOKEN, data_dir=tmp_path / "web", db=str(tmp_path / "h.db"), config=cfg, warm=False
    )
    board = payments_board(row("Uptime", ">=", 99.5, "%", 99.7))
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        draft = make_draft(client, board)
        put = client.put(f"/api/boards/{draft.id}", headers=AUTH, json=board.to_dict())
    assert put.status_code == 200, put.text
    contract = put.json()["metrics"][0]["contract"]
    assert contract["result"] == "differs" and contract["judged"]["status"] == "breach"


def test_batch_checks_every_photo_against_the_contract(tmp_path):
    photos = tmp_path / "in"
    photos.mkdir()
    cv2.imwrite(str(photos / "IMG_2041.jpg"), synth(seed=7).photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    slos = tmp_path / "slos.yaml"
    assert (
        run("extract", str(photos / "IMG_2041.jpg"), "-f", "openslo", "-o", str(slos)).exit_code
        == 0
    )
    out = tmp_path / "out"
    result = run("batch", str(photos), "-o", str(out), "-f", "json", "-j", "1", "--slo", str(slos))
    assert result.exit_code == 0, result.output
    [report] = list(out.rglob("IMG_2041.json"))
    results = [m["contract"]["result"] for m in json.loads(report.read_text())["metrics"]]
    assert results == ["as_contracted"] * 3
    bad = run(
        "batch", str(photos), "-o", str(tmp_path / "o2"), "--slo", str(tmp_path / "none.yaml")
    )
    assert bad.exit_code == ExitCode.INVALID_DOCUMENT and not (tmp_path / "o2").exists()
