"""Nothing lost: `boardsnap report`, `extract -o` and `render` killed (SIGKILL) at random moments.

After every kill the output is absent, the earlier version intact, or a complete new file (a PDF
poppler reads to its last page, an HTML page to its end, a board document that loads); temporary
files the killed runs leave are never taken for the output and the next run removes them.
BOARDSNAP_KILL_TRIALS=N multiplies the number of trials (the README's figures: N=10).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_corpus import board_doc, valid
from killtrial import Forkserver, Spawn, kill_trials

from boardsnap.document import Board

REPO = Path(__file__).resolve().parents[1]
SCALE = max(1, int(os.environ.get("BOARDSNAP_KILL_TRIALS", "1")))
ENV = dict(os.environ, PYTHONPATH=str(REPO))


def boardsnap(*args: str) -> list[str]:
    return [sys.executable, "-m", "boardsnap.cli", *args]


def check_pdf(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:], "not a whole PDF"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    pages = int(next(ln.split()[-1] for ln in info.stdout.splitlines() if ln.startswith("Pages:")))
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", str(pages), str(path), "-"], capture_output=True, text=True
    )
    assert text.returncode == 0 and "P95 latency" in text.stdout, text.stderr


def check_html(path: Path) -> None:
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def check_json(path: Path) -> None:
    board = Board.from_json(path.read_text(encoding="utf-8"))
    assert len(board.metrics) == 3, board.metrics


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kill-in")
    doc = folder / "board.json"
    doc.write_text(json.dumps(board_doc()), encoding="utf-8")
    return {"photo": valid(folder), "doc": doc}


CASES = [
    # name, argv (input, output), checker, trials, with an earlier version in place, how started
    ("render-pdf", ("render", "doc", "r.pdf"), check_pdf, 16, False, "fork"),
    ("render-pdf-over-previous", ("render", "doc", "r.pdf"), check_pdf, 8, True, "fork"),
    ("render-html-spawned", ("render", "doc", "r.html"), check_html, 6, False, "spawn"),
    ("extract-json", ("extract", "photo", "b.json"), check_json, 10, False, "fork"),
    ("report-pdf-over-previous", ("report", "photo", "r.pdf"), check_pdf, 10, True, "fork"),
]


def test_at_least_50_trials():
    assert sum(c[3] for c in CASES) >= 50


@pytest.mark.parametrize("name, spec, check, trials, over, how", CASES, ids=[c[0] for c in CASES])
def test_killed_at_random_moments(name, spec, check, trials, over, how, inputs, tmp_path):
    command, source, out_name = spec
    out = tmp_path / out_name
    previous = None
    if over:  # an earlier complete report in place: it must survive every kill, or be replaced
        result = subprocess.run(
            boardsnap(command, str(inputs[source]), "-o", str(out), "-q", "--timeout", "0"),
            env=ENV,
            capture_output=True,
        )
        assert result.returncode == 0, result.stderr
        previous = out.read_bytes() + b"\n% earlier\n"  # still a whole PDF, and told apart
    args = [command, str(inputs[source]), "-o", str(out), "-q"]
    if source == "photo":  # the engine does not change the writing; tesserocr starts fastest
        args += ["--engine", "tesserocr"]
    if how == "spawn":
        starter = Spawn(boardsnap(*args), env=ENV)
    else:
        starter = Forkserver(args, env=ENV)
    try:
        stats = kill_trials(
            starter, out, check, trials=trials * SCALE, seed=len(name), previous=previous
        )
    finally:
        if how == "fork":
            starter.close()
    print(stats.line(name))
    assert stats.broken == []
    assert stats.killed >= trials * SCALE // 2, "most trials should kill a running process"
    assert stats.complete < stats.trials, "no kill landed before the output was complete"
    if previous is None:
        assert stats.absent + stats.complete == stats.trials
    else:
        assert stats.absent == 0 and stats.previous + stats.complete == stats.trials
