"""`boardsnap batch` against what broke it in issue 17: a board the history refuses, a named pipe
called .jpg, file names holding control characters. Real processes, real OCR, real SQLite."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from synthetic import synth

from boardsnap.batch.plan import find_photos, printable
from boardsnap.errors import ExitCode

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
GOOD_1 = SAMPLES / "sample-01-payments.jpg"
EXE = Path(sys.executable).parent / "boardsnap"
LIMIT = 300  # seconds: a hang fails the test instead of stalling the suite


def manifest_rows(outdir: Path) -> dict[str, dict]:
    db = sqlite3.connect(f"file:{outdir / 'manifest.sqlite'}?mode=ro", uri=True)
    try:
        db.row_factory = sqlite3.Row
        return {Path(r["source"]).name: dict(r) for r in db.execute("SELECT * FROM photos")}
    finally:
        db.close()


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, timeout=LIMIT, stdin=subprocess.DEVNULL
    )


@pytest.fixture(scope="module")
def no_service_photo(tmp_path_factory) -> Path:
    """A board with a table and no title: its board names no service."""
    path = tmp_path_factory.mktemp("photos") / "untitled.jpg"
    cv2.imwrite(str(path), synth(lines_above=()).photo)
    return path


def test_save_a_board_without_a_service_fails_alone_and_reruns_go_on(tmp_path, no_service_photo):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(no_service_photo, src / "a-untitled.jpg")  # first in order
    shutil.copy(GOOD_1, src / "b-payments.jpg")
    outdir, db = tmp_path / "out", tmp_path / "h.db"
    args = ("batch", str(src), "-o", str(outdir), "-f", "json", "--save", "--db", str(db))
    for _attempt in range(2):  # the rerun goes past the same photo again
        result = run(*args, "-j", "1")
        assert result.returncode == ExitCode.BATCH_PARTIAL, result.stderr
        rows = manifest_rows(outdir)
        assert rows["b-payments.jpg"]["status"] == "ok"
        bad = rows["a-untitled.jpg"]
        assert bad["status"] == "failed" and bad["exit_code"] == ExitCode.INVALID_DOCUMENT
        assert "not saved in the history" in bad["reason"] and "service" in bad["reason"]
        # its report was written and is recorded: listed with its link in the index
        assert json.loads((outdir / bad["output"]).read_text())["service"] is None
        assert json.loads(bad["board"])["metrics"]
        assert f'href="{bad["output"]}"' in (outdir / "index.html").read_text()
        failed = (outdir / "failed.txt").read_text()
        assert "a-untitled.jpg\tfailed\treport written, but not saved" in failed
    with sqlite3.connect(db) as conn:
        services = [r[0] for r in conn.execute("SELECT service FROM reviews")]
    assert [s.casefold() for s in services] == ["payments api"]


def test_a_named_pipe_called_jpg_is_skipped_with_a_line_and_never_opened(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    os.mkfifo(src / "pipe.jpg")
    os.mkfifo(src / "sub" / "deep.png")
    (src / "notes.jpg").write_text("not a photo\n")  # fails fast, without OCR
    outdir = tmp_path / "out"
    # as a folder, and named on its own
    result = run("batch", str(src), str(src / "pipe.jpg"), "-o", str(outdir), "-j", "1")
    assert result.returncode == ExitCode.BATCH_PARTIAL, result.stderr
    rows = manifest_rows(outdir)
    for name in ("pipe.jpg", "deep.png"):
        assert rows[name]["status"] == "failed" and rows[name]["exit_code"] == ExitCode.BAD_INPUT
        assert "not a regular file (a named pipe)" in rows[name]["reason"]
    failed = (outdir / "failed.txt").read_text().splitlines()
    assert sum("named pipe" in line for line in failed) == 2
    assert "3 photos" in result.stderr and "3 failed" in result.stderr


def test_not_regular_inputs_are_found_and_marked(tmp_path):
    os.mkfifo(tmp_path / "p.jpg")
    (tmp_path / "gone.jpg").symlink_to(tmp_path / "missing.jpg")
    (tmp_path / "ok.jpg").write_bytes(b"x")
    found = {
        f.source.name if f.source.exists() else f.rel.name: f
        for f in find_photos([tmp_path]).photos
    }
    assert found["ok.jpg"].problem is None
    assert "named pipe" in found["p.jpg"].problem
    assert "broken" in found["gone.jpg"].problem


def test_control_characters_in_names_are_escaped_everywhere(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    name = "evil\nname\x1b[31m.jpg"
    (src / name).write_text("not a photo\n")
    outdir = tmp_path / "out"
    result = run("batch", str(src), "-o", str(outdir), "-j", "1")
    assert result.returncode == ExitCode.BATCH_PARTIAL, result.stderr
    assert "\x1b" not in result.stderr and "evil\\nname\\x1b[31m.jpg" in result.stderr
    failed = (outdir / "failed.txt").read_text()
    assert failed.count("\n") == 1 and "\x1b" not in failed
    csv_text = (outdir / "summary.csv").read_text()
    assert "\x1b" not in csv_text and "evil\\nname" in csv_text
    assert printable("a\u2028b\x7f") == "a\\u2028b\\x7f"


def test_a_full_disk_is_said_as_such_not_move_the_manifest_away(tmp_path):
    from boardsnap.batch.manifest import Manifest
    from boardsnap.batch.plan import Job, PhotoOutcome
    from boardsnap.errors import OutputError

    outdir = tmp_path / "out"
    outdir.mkdir()
    job = Job(tmp_path / "a.jpg", "a.jpg", outdir / "a.json", "a.json", "json")
    outcome = PhotoOutcome(job, "failed", None, "x" * 200_000, int(ExitCode.BAD_INPUT))
    with Manifest.open(outdir) as manifest:
        pages = manifest._db.execute("PRAGMA page_count").fetchone()[0]
        manifest._db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL
        with pytest.raises(OutputError) as info:
            manifest.record(outcome, "f")
    assert "no space left" in info.value.one_line()
    assert "move it away" not in info.value.one_line()


def test_the_index_never_says_inf_percent():
    from boardsnap.batch.index import budget_text

    assert budget_text(float("inf")) == "over 999%"
    assert budget_text(12.0) == "over 999%"
    assert budget_text(1.48) == "148%"
    assert budget_text(None) == budget_text(0.0) == ""
