"""The board document's contract ships with the package: docs/board.md, the JSON Schema in the
wheel, `boardsnap validate`. Every document BoardSnap extracts from the samples fits it; a bad
document is refused naming its first bad field by its path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from boardsnap import contract
from boardsnap.cli import cli
from boardsnap.config import Config
from boardsnap.errors import ExitCode, InvalidDocument, NoTableFound
from boardsnap.reading.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
PHOTOS = sorted(SAMPLES.glob("sample-*.jpg"))


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def extracted():
    """Every sample photo that holds a table, read once with one warm engine."""
    out = {}
    pipeline = Pipeline(Config())
    try:
        for photo in PHOTOS:
            try:
                out[photo.name] = pipeline.extract(photo).board
            except NoTableFound:
                continue
    finally:
        pipeline.close()
    assert len(out) >= 7
    return out


def test_every_extracted_sample_fits_the_schema(extracted):
    for name, board in extracted.items():
        data = json.loads(board.to_json())
        assert contract.validate(data) == board, name


def test_every_truth_document_fits_the_schema():
    for truth in sorted(SAMPLES.glob("*.truth.json")):
        contract.validate(json.loads(truth.read_text()))


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d["metrics"][1]["target"].update(op="about"), "metrics[1].target.op", "about"),
        (lambda d: d["metrics"][0].update(status="fine"), "metrics[0].status", "fine"),
        (lambda d: d["actions"][0].update(due="15/12/2026"), "actions[0].due", "15/12/2026"),
        (lambda d: d["metrics"][2].pop("name"), "metrics[2]", "'name' is a required"),
        (lambda d: d.update(metrics={}), "metrics", "is not of type 'array'"),
        (
            lambda d: d["metrics"][0].update(status_override={"status": "met"}),
            "metrics[0].status_override",
            "'reason' is a required",
        ),
    ],
)
def test_validate_names_the_first_bad_field(tmp_path, change, path, words):
    doc = json.loads((SAMPLES / "sample-01-payments.truth.json").read_text())
    change(doc)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = run("validate", str(bad))
    assert result.exit_code == ExitCode.INVALID_DOCUMENT
    line = result.stderr.strip()
    assert line.count("\n") == 0 and f"{bad}: {path}: " in line and words in line, line
    assert result.stdout == ""


def test_validate_takes_good_documents_and_says_so(tmp_path):
    truth = SAMPLES / "sample-01-payments.truth.json"
    result = run("validate", str(truth), "--schema")
    assert result.exit_code == 0
    schema_file, valid = result.stdout.splitlines()
    assert Path(schema_file).is_file() and valid == str(truth)
    assert json.loads(Path(schema_file).read_text())["$schema"].endswith("2020-12/schema")


def test_a_date_that_is_no_day_is_refused_by_the_document_check():
    doc = json.loads((SAMPLES / "sample-01-payments.truth.json").read_text())
    doc["review_date"] = "2026-02-30"  # the schema's pattern fits, the calendar does not
    with pytest.raises(InvalidDocument, match="review_date"):
        contract.validate(doc)


def test_the_docs_page_names_every_field_of_the_schema():
    page = (ROOT / "docs" / "board.md").read_text()
    schema = contract.schema()
    fields = set(schema["properties"])
    for part in ("metric", "action", "root_cause"):
        fields |= set(schema["$defs"][part]["properties"])
    fields |= set(schema["$defs"]["metric"]["properties"]["status_override"]["properties"])
    missing = sorted(f for f in fields if f"`{f}`" not in page)
    assert missing == [], f"docs/board.md does not describe {missing}"
