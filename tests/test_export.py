"""Exports: CSV and XLSX read back with pandas, OpenSLO YAML read back with PyYAML."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from synthetic import synth
from test_report import make_board

from boardsnap.cli import cli
from boardsnap.config import ExportConfig
from boardsnap.document import Board
from boardsnap.errors import ExitCode
from boardsnap.report.export import to_csv, to_openslo, to_xlsx

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def sample(name: str) -> Board:
    return Board.from_json((SAMPLES / f"{name}.truth.json").read_text())


def test_csv_has_a_row_per_metric():
    board = make_board()
    frame = pd.read_csv(io.StringIO(to_csv(board)))
    assert list(frame["metric"]) == [m.name for m in board.metrics]
    assert list(frame["status"]) == [m.status for m in board.metrics]
    assert frame.loc[0, "target_value"] == 200.0


def test_xlsx_holds_metrics_actions_and_root_causes():
    board = make_board()
    sheets = pd.read_excel(io.BytesIO(to_xlsx(board)), sheet_name=None)
    assert set(sheets) == {"Metrics", "Actions", "Root causes"}
    assert list(sheets["Metrics"]["metric"]) == [m.name for m in board.metrics]
    actions = sheets["Actions"]
    assert list(actions["action"]) == [a.text for a in board.actions]
    assert actions.loc[0, "owner"] == "maria" and pd.isna(actions.loc[1, "owner"])
    assert len(sheets["Root causes"]) == len(board.root_causes)


def test_empty_board_exports_headers_only():
    board = Board(source="x.jpg")
    assert to_csv(board).startswith("service,review_date,metric,")
    assert pd.read_excel(io.BytesIO(to_xlsx(board)), sheet_name="Metrics").empty
    assert to_openslo(board, ExportConfig()) == ""


def slos(board: Board, cfg: ExportConfig | None = None) -> dict[str, dict]:
    text = to_openslo(board, cfg or ExportConfig())
    docs = list(yaml.safe_load_all(text))
    assert text.count("\n---\n") == max(len(docs) - 1, 0)  # a multi-document stream
    for doc in docs:
        assert doc["apiVersion"] == "openslo/v1" and doc["kind"] == "SLO"
        assert DNS_LABEL.fullmatch(doc["metadata"]["name"]), doc["metadata"]["name"]
        spec = doc["spec"]
        assert spec["budgetingMethod"] in ("Occurrences", "Timeslices")
        assert spec["timeWindow"] == [{"duration": "30d", "isRolling": True}]
        assert len(spec["objectives"]) == 1
        assert 0 <= spec["objectives"][0]["target"] < 1
        assert len(spec["description"]) <= 1050
        # the YAML round-trips: dumping what was read gives the same documents
        assert yaml.safe_load(yaml.safe_dump(doc)) == doc
    return {doc["metadata"]["displayName"]: doc for doc in docs}


def test_openslo_maps_each_kind_of_commitment():
    by_name = slos(make_board())
    uptime = by_name["Uptime"]["spec"]
    assert set(uptime["indicator"]["spec"]["ratioMetric"]) == {"counter", "good", "total"}
    assert uptime["objectives"][0]["target"] == pytest.approx(0.999)
    errors = by_name["Error rate"]["spec"]
    assert set(errors["indicator"]["spec"]["ratioMetric"]) == {"counter", "bad", "total"}
    assert errors["objectives"][0]["target"] == pytest.approx(0.995)
    latency = by_name["P95 latency"]["spec"]
    assert "thresholdMetric" in latency["indicator"]["spec"]
    assert latency["objectives"][0] == {
        "displayName": "P95 latency < 200ms",
        "op": "lt",
        "value": 200.0,
        "target": 0.95,
    }
    assert by_name["P95 latency"]["metadata"]["annotations"]["boardsnap.dev/unit"] == "ms"
    throughput = by_name["Throughput"]["spec"]["objectives"][0]
    assert throughput["op"] == "gte" and throughput["value"] == 500.0
    assert throughput["target"] == ExportConfig().openslo_threshold_target


def test_openslo_for_every_sample_round_trips():
    for path in sorted(SAMPLES.glob("*.truth.json")):
        board = Board.from_json(path.read_text())
        docs = slos(board, ExportConfig(openslo_window="30d"))
        judged = [m for m in board.metrics if m.target.op and m.target.value is not None]
        assert len(docs) == len(judged), path.name
        names = [d["metadata"]["name"] for d in docs.values()]
        assert len(set(names)) == len(names)


def test_openslo_skips_a_commitment_without_direction(caplog):
    board = sample("sample-01-payments")
    m = board.metrics[0]
    odd = m.__class__(
        name="Queue depth",
        target=m.target.__class__(None, 5.0, None, "5"),
        actual=m.actual,
    )
    # the CLI's logging set-up (run by other tests) stops propagation and may raise the level
    logger = logging.getLogger("boardsnap")
    level = logger.level
    logger.addHandler(caplog.handler)
    logger.setLevel(logging.WARNING)
    try:
        docs = slos(Board(source="b.jpg", service="Jobs", metrics=(odd, m)))
    finally:
        logger.removeHandler(caplog.handler)
        logger.setLevel(level)
    assert list(docs) == [m.name]
    assert "Queue depth left out of the OpenSLO export" in caplog.text


# ---- the CLI -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> Path:
    import cv2

    path = tmp_path_factory.mktemp("photos") / "board.jpg"
    cv2.imwrite(str(path), synth(seed=7).photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return path


def test_extract_xlsx_needs_an_output_file(photo):
    result = CliRunner().invoke(cli, ["extract", str(photo), "--format", "xlsx"])
    assert result.exit_code == ExitCode.USAGE and "-o FILE.xlsx" in result.output


def test_extract_xlsx_and_openslo(photo, tmp_path):
    out = tmp_path / "board.xlsx"
    result = CliRunner().invoke(cli, ["extract", str(photo), "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    metrics = pd.read_excel(out, sheet_name="Metrics")
    assert {m.lower() for m in metrics["metric"]} == {"uptime", "p95 latency", "error rate"}
    result = CliRunner().invoke(cli, ["extract", str(photo), "--format", "openslo"])
    assert result.exit_code == 0, result.output
    docs = list(yaml.safe_load_all(result.stdout))
    assert len(docs) == 3 and all(d["kind"] == "SLO" for d in docs)
