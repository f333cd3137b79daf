"""The command line end to end: real Tesseract, real WeasyPrint, real files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from click.testing import CliRunner
from synthetic import synth

from boardsnap.cli import cli
from boardsnap.document import Board
from boardsnap.errors import ExitCode

# the real whiteboard photos live in the project's shared folder, beside the repository
REAL_PHOTOS = Path(
    os.environ.get("BOARDSNAP_REALPHOTOS")
    or Path(__file__).resolve().parents[1].parent / "shared" / "realphotos"
)


@pytest.fixture(scope="module")
def board_photo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "IMG_2041.jpg"
    cv2.imwrite(str(path), synth(seed=7).photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_extract_prints_the_board_document(board_photo):
    result = run("extract", str(board_photo), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    board = Board.from_dict(doc)
    assert doc["schema"] == "boardsnap.board/1" and doc["source"] == "IMG_2041.jpg"
    assert board.service == "Payments API" and board.review_date == "2026-11-20"
    by_name = {m.name.lower(): m for m in board.metrics}
    assert set(by_name) == {"uptime", "p95 latency", "error rate"}
    assert by_name["p95 latency"].status == "breach"
    assert by_name["p95 latency"].target.op == "<" and by_name["p95 latency"].target.value == 200
    assert by_name["uptime"].status == "met"
    assert by_name["error rate"].status == "near_miss"
    assert board.actions[0].owner == "maria" and board.actions[0].due == "2026-12-15"
    assert "3 metrics" in result.stderr


def test_extract_csv_has_a_row_per_metric(board_photo):
    result = run("extract", str(board_photo), "--format", "csv")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("service,review_date,metric,")
    assert len(lines) == 4


def test_near_miss_option_changes_the_judgement(board_photo):
    result = run("extract", str(board_photo), "--near-miss", "0.95")
    doc = json.loads(result.stdout)
    error_rate = next(m for m in doc["metrics"] if m["name"].lower() == "error rate")
    assert error_rate["status"] == "met"  # 0.46 / 0.5 = 0.92 < 0.95


def test_report_writes_pdf_beside_the_photo_and_html_on_request(board_photo, tmp_path):
    result = run("report", str(board_photo), "-q")
    assert result.exit_code == 0, result.output
    pdf = board_photo.with_suffix(".pdf")
    assert result.stdout.strip() == str(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "P95 latency" in text and "maria" in text
    html = tmp_path / "r.html"
    assert run("report", str(board_photo), "-o", str(html), "-q").exit_code == 0
    assert "<html" in html.read_text().lower()


def test_render_a_corrected_document(board_photo, tmp_path):
    doc = json.loads(run("extract", str(board_photo)).stdout)
    doc["metrics"][0]["actual"]["text"] = "corrected by hand"
    path = tmp_path / "board.json"
    path.write_text(json.dumps(doc))
    result = run("render", str(path), "-o", str(tmp_path / "out.html"))
    assert result.exit_code == 0
    assert "corrected by hand" in (tmp_path / "out.html").read_text()


def test_debug_dir_gets_every_stage_picture(board_photo, tmp_path):
    run("extract", str(board_photo), "--debug-dir", str(tmp_path / "dbg"), "-q")
    names = {p.name for p in (tmp_path / "dbg").iterdir()}
    assert {"1-outline.jpg", "2-rectified.jpg", "3-grid.png", "cells"} <= names
    assert len(list((tmp_path / "dbg" / "cells").glob("r*c*.png"))) >= 9


def test_not_an_image_is_one_line_exit_3_and_no_output(tmp_path):
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a photo")
    result = run("report", str(bad))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.count("\n") == 1 and "notes.jpg" in result.stderr
    assert not bad.with_suffix(".pdf").exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_the_real_photos_are_there():
    assert len(list(REAL_PHOTOS.glob("*.jpg"))) >= 3, f"no real photos in {REAL_PHOTOS}"


@pytest.mark.parametrize("photo", sorted(REAL_PHOTOS.glob("*.jpg")), ids=lambda p: p.name)
def test_real_whiteboards_without_a_table_say_so(photo, tmp_path):
    copy = tmp_path / photo.name
    shutil.copy(photo, copy)
    result = run("report", str(copy))
    assert result.exit_code == ExitCode.NO_TABLE, result.output
    assert "no SLA table found" in result.stderr and photo.name in result.stderr
    assert list(tmp_path.iterdir()) == [copy]


def test_invalid_document_exit_6(tmp_path):
    path = tmp_path / "board.json"
    path.write_text('{"schema": "boardsnap.board/9", "metrics": []}')
    result = run("render", str(path))
    assert result.exit_code == ExitCode.INVALID_DOCUMENT
    assert "newer" in result.stderr and "board.json" in result.stderr


def test_unwritable_output_exit_7(board_photo, tmp_path):
    result = run("report", str(board_photo), "-o", str(tmp_path / "missing" / "r.pdf"), "-q")
    assert result.exit_code == ExitCode.OUTPUT_ERROR
    assert "r.pdf" in result.stderr


def test_console_script_and_doctor():
    exe = Path(sys.executable).parent / "boardsnap"
    result = subprocess.run([str(exe), "doctor"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tesseract" in result.stdout.lower()


def test_every_command_has_help_and_is_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help"
        assert f"boardsnap {name}" in readme, f"{name} is missing from the README"
        assert run(name, "--help").exit_code == 0


def test_every_command_takes_exactly_its_options():
    import inspect

    import click

    def walk(command, path):
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])
        if command.callback is not None:
            wanted = set(inspect.signature(inspect.unwrap(command.callback)).parameters)
            given = {p.name for p in command.params} - {"version"}
            yield " ".join(path), wanted - {"ctx"}, given

    for name, wanted, given in walk(cli, []):
        assert wanted == given, (name, wanted ^ given)
