"""Broken, odd and hostile input (tests/hostile_corpus.py) through the real CLI.

For every kind: the documented exit code, exactly one line on stderr naming the file (the error,
or on success the summary), no traceback, nothing written on failure (the output folder stays
empty: no report, no temporary file) and nothing ever written beside the input. Every kind runs
in-process through click's runner; a sample of the worst runs as a real process, whose time and
peak memory (ru_maxrss from wait4) are bounded. The time limit itself is tested by fault
injection: a stage made to hang in Python, and one made to hang where no signal reaches it.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_corpus import KINDS, Kind, board_doc, doc, valid

import boardsnap.reading.load
from boardsnap.cli import cli
from boardsnap.errors import ExitCode

REPO = Path(__file__).resolve().parents[1]
IN_PROCESS_SECONDS = 30.0  # any one kind, in-process (the pipeline takes 1-3 s)
PROCESS_SECONDS = 60.0  # a real process, imports included
PEAK_RSS_MB = 1200  # a real process, worst case (OCR models and WeasyPrint loaded)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """Every kind's input, each in its own folder, made once."""
    root = tmp_path_factory.mktemp("hostile")
    inputs = {}
    for kind in KINDS:
        folder = root / kind.name
        folder.mkdir()
        inputs[kind.name] = kind.make(folder)
    return inputs


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _check_outcome(
    kind: Kind, path: Path, code: int, stderr: str, out: Path, found: set[str] = frozenset()
) -> None:
    """`found`: what the output folder held before the run (a hostile output's own file)."""
    assert code == kind.code, f"{kind.name}: exit {code}, stderr: {stderr}"
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, f"{kind.name}: {len(lines)} lines on stderr: {stderr}"
    named = out.name if kind.output is not None else path.name
    assert named in lines[0], f"{kind.name}: {lines[0]!r} does not name {named}"
    if kind.code:
        assert lines[0].startswith("boardsnap: error: ")
        assert kind.words in lines[0], f"{kind.name}: {lines[0]!r} lacks {kind.words!r}"
        assert _listing(out.parent) == found, f"{kind.name}: left {_listing(out.parent)}"
    else:
        assert _listing(out.parent) == {out.name}
        assert out.stat().st_size > 1000
        page = html.unescape(out.read_text(encoding="utf-8")) if out.suffix == ".html" else ""
        for text in kind.shows:
            assert text in page or text in lines[0], f"{kind.name}: {text!r} not in the report"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_hostile_input_in_process(kind, corpus, tmp_path, monkeypatch):
    path = corpus[kind.name]
    if kind.name == "heic-no-plugin":
        monkeypatch.setattr(boardsnap.reading.load, "_HEIF_READY", False)  # as without the extra
    if kind.name == "unreadable" and os.geteuid() == 0:
        # root reads anything: inject the refusal the kernel gives everyone else
        real_open = boardsnap.reading.load.Image.open

        def refuse(fp, *a, **k):
            if Path(fp) == path:
                raise PermissionError(13, "Permission denied", str(fp))
            return real_open(fp, *a, **k)

        monkeypatch.setattr(boardsnap.reading.load.Image, "open", refuse)
    before = _listing(path.parent)
    (tmp_path / "out").mkdir()
    out = kind.output(tmp_path / "out") if kind.output else tmp_path / "out" / "report.html"
    found = _listing(out.parent)
    kinds_of = {p.name: p.lstat().st_mode for p in out.parent.iterdir()}
    args = [kind.command, str(path), "-o", str(out)]
    t0 = time.perf_counter()
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    elapsed = time.perf_counter() - t0
    assert elapsed < IN_PROCESS_SECONDS, f"{kind.name} took {elapsed:.1f} s"
    if kind.command == "render" and kind.code == ExitCode.OK:
        assert result.exit_code == 0, result.stderr
        assert result.stderr == "" and result.stdout.strip() == str(out)
        assert _listing(out.parent) == {out.name}
    else:
        _check_outcome(kind, path, result.exit_code, result.stderr, out, found)
    # a pipe, a link, a device stay what they were: never replaced by a regular file
    assert {p.name: p.lstat().st_mode for p in out.parent.iterdir()} == kinds_of or not found
    assert _listing(path.parent) == before, "something was written beside the input"


def test_corpus_has_at_least_30_kinds():
    assert len(KINDS) >= 30
    assert sum(k.code == ExitCode.OK for k in KINDS) >= 10
    assert len({k.code for k in KINDS}) >= 4


# ---- real processes: time and memory -----------------------------------------------------------


# A small parent for the measured process: Linux starts a child's peak RSS at its parent's size
# (fork copies it), so the CLI is started from a fresh interpreter, not from pytest, and that
# parent reports the child's ru_maxrss.
_LAUNCHER = """
import resource, subprocess, sys
code = subprocess.run([sys.executable, "-c", sys.argv[2], *sys.argv[3:]]).returncode
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code if code >= 0 else 128 - code)
"""


def run_process(args: list[str], timeout: float = PROCESS_SECONDS, pre: str = ""):
    """Run `boardsnap ARGS` as a real process: (exit code, stderr, seconds, peak RSS in MB).

    `pre` is Python run in the process before the CLI starts (fault injection)."""
    import tempfile

    code = f"{pre}\nfrom boardsnap.cli import main\nmain()"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, rss.name, code, *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=REPO,
            timeout=timeout,
        )
        elapsed = time.perf_counter() - t0
        peak_mb = int(rss.read() or 0) / 1024
    return proc.returncode, proc.stderr.decode(errors="replace"), elapsed, peak_mb


SUBPROCESS_SAMPLE = (
    "valid-jpeg",
    "png-bomb",
    "truncated-jpeg",
    "fifo",
    "doc-huge-strings",
    "doc-deep",
    "doc-many-rows",
)
BY_NAME = {k.name: k for k in KINDS}


@pytest.mark.parametrize("name", SUBPROCESS_SAMPLE)
def test_hostile_input_in_a_real_process(name, corpus, tmp_path):
    kind = BY_NAME[name]
    path = corpus[name]
    out = tmp_path / "out" / "report.pdf"
    out.parent.mkdir()
    args = [kind.command, str(path), "-o", str(out)]
    code, stderr, elapsed, peak_mb = run_process(args)
    print(f"{name}: exit {code}, {elapsed:.2f} s, peak RSS {peak_mb:.0f} MB")
    assert elapsed < PROCESS_SECONDS
    assert peak_mb < PEAK_RSS_MB, f"{name}: peak RSS {peak_mb:.0f} MB"
    if kind.command == "render" and kind.code == ExitCode.OK:
        assert code == 0 and stderr == ""
        assert out.read_bytes().startswith(b"%PDF")
    else:
        _check_outcome(kind, path, code, stderr, out)


def test_a_12_megapixel_photo_stays_within_time_and_memory(tmp_path):
    """The largest ordinary input: a 4000x3000 phone photo of a board."""
    import cv2
    from hostile_corpus import board_photo

    photo = tmp_path / "big.jpg"
    cv2.imwrite(str(photo), cv2.resize(board_photo(), (4000, 3000)), [cv2.IMWRITE_JPEG_QUALITY, 92])
    out = tmp_path / "out"
    out.mkdir()
    code, stderr, elapsed, peak_mb = run_process(["report", str(photo), "-o", str(out / "r.pdf")])
    print(f"12 MP photo: exit {code}, {elapsed:.2f} s, peak RSS {peak_mb:.0f} MB")
    assert code == 0, stderr
    assert peak_mb < PEAK_RSS_MB and elapsed < PROCESS_SECONDS


# ---- the time limit --------------------------------------------------------------------------


def test_a_tiny_time_limit_is_exit_8_with_one_line_and_no_output(corpus, tmp_path):
    photo = corpus["valid-jpeg"]
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(
        cli, ["report", str(photo), "-o", str(out / "r.pdf"), "--timeout", "0.05"]
    )
    assert result.exit_code == ExitCode.TIMEOUT, result.output
    assert result.stderr.count("\n") == 1
    line = result.stderr.strip()
    assert photo.name in line and "0.05 s limit" in line and "--timeout" in line
    assert _listing(out) == set()


def test_a_limit_landing_anywhere_is_exit_8_or_a_whole_report(corpus, tmp_path):
    """Limits spread over a whole run (load, board, grid, OCR, PDF): each run ends with exit 8
    and one line and an empty output folder, or (limit not reached) with the whole report."""
    photo = corpus["valid-jpeg"]
    t0 = time.perf_counter()
    full = CliRunner().invoke(cli, ["report", str(photo), "-o", str(tmp_path / "full.pdf")])
    whole = time.perf_counter() - t0
    assert full.exit_code == 0
    outcomes = []
    for i, share in enumerate((0.1, 0.3, 0.5, 0.7, 0.85, 0.95)):
        out = tmp_path / f"run{i}"
        out.mkdir()
        limit = f"{whole * share:.3f}"
        args = ["report", str(photo), "-o", str(out / "r.pdf"), "--timeout", limit]
        result = CliRunner().invoke(cli, args)
        outcomes.append(result.exit_code)
        assert result.exit_code in (ExitCode.OK, ExitCode.TIMEOUT), result.output
        assert result.stderr.count("\n") == 1, result.stderr
        if result.exit_code == ExitCode.TIMEOUT:
            assert "limit" in result.stderr and _listing(out) == set()
        else:
            assert _listing(out) == {"r.pdf"}
    assert outcomes.count(ExitCode.TIMEOUT) >= 3, outcomes


def test_time_limit_from_the_config_file(tmp_path):
    cfg = tmp_path / "limits.toml"
    cfg.write_text("[limits]\nphoto_seconds = 0.01\n")
    path = doc("board.json", board_doc(metrics=[board_doc()["metrics"][0]] * 300))(tmp_path)
    result = CliRunner().invoke(
        cli, ["render", str(path), "--config", str(cfg), "-o", str(tmp_path / "r.pdf")]
    )
    assert result.exit_code == ExitCode.TIMEOUT, result.output
    assert not (tmp_path / "r.pdf").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_zero_means_no_limit(corpus, tmp_path):
    result = CliRunner().invoke(
        cli, ["render", str(corpus["doc-valid"]), "-o", str(tmp_path / "r.html"), "--timeout", "0"]
    )
    assert result.exit_code == 0, result.output


HANG_IN_PYTHON = """
import time, boardsnap.reading.ocr
boardsnap.reading.ocr.read_layout = lambda *a, **k: time.sleep(600)
"""

# A hang no signal handler reaches (a C call that never returns): SIGALRM blocked, then asleep.
# Injected into the PDF rendering, so the report's temporary file is open when it hangs.
HANG_IN_C = """
import signal, time, boardsnap.report.render
def wedged(*a, **k):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(600)
boardsnap.report.render.render_pdf = wedged
"""


def test_a_hang_in_python_is_stopped_at_the_limit(tmp_path):
    photo = valid(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    args = ["report", str(photo), "-o", str(out / "r.pdf"), "--timeout", "2"]
    code, stderr, elapsed, _ = run_process(args, timeout=30, pre=HANG_IN_PYTHON)
    assert code == ExitCode.TIMEOUT, stderr
    assert elapsed < 15, elapsed  # imports + 2 s, not 600
    assert stderr.count("\n") == 1 and photo.name in stderr and "2 s limit" in stderr
    assert _listing(out) == set()


def test_a_hang_no_signal_reaches_is_ended_by_the_watchdog(tmp_path):
    path = doc("board.json", board_doc())(tmp_path)
    cfg = tmp_path / "grace.toml"
    cfg.write_text("[limits]\nhang_grace_seconds = 1.0\n")
    out = tmp_path / "out"
    out.mkdir()
    args = ["render", str(path), "-o", str(out / "r.pdf"), "--timeout", "1", "--config", str(cfg)]
    code, stderr, elapsed, _ = run_process(args, timeout=30, pre=HANG_IN_C)
    assert code == ExitCode.TIMEOUT, stderr
    assert elapsed < 15, elapsed
    assert stderr.count("\n") == 1 and "board.json" in stderr and "1 s limit" in stderr
    assert _listing(out) == set(), "the watchdog left the report's temporary file"


def test_a_debug_dir_under_a_file_is_exit_7_with_one_line(corpus, tmp_path):
    blocker = tmp_path / "dbg"
    blocker.write_text("a file where the debug folder's parent should be")
    photo = corpus["valid-jpeg"]
    args = ["extract", str(photo), "--debug-dir", str(blocker / "stages")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == ExitCode.OUTPUT_ERROR, result.output
    assert result.stderr.count("\n") == 1 and "dbg" in result.stderr
    assert "--debug-dir" in result.stderr
