"""`boardsnap batch` end to end: real worker processes, real OCR, real SQLite, a real Dask cluster.

Photos are the committed samples (1600 px): two boards with a table, one without. Every run
here costs a few seconds of OCR per photo, so the runs are shared where they can be.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import cv2
import pytest
from batch_faults import crashing_pipeline
from browser import headless
from click.testing import CliRunner

from boardsnap.batch.index import render_csv
from boardsnap.batch.manifest import Manifest
from boardsnap.batch.plan import (
    find_photos,
    plan,
    run_batch,
    safe_part,
    settings_fingerprint,
)
from boardsnap.cli import cli
from boardsnap.config import Config
from boardsnap.errors import BadInput, ExitCode

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
GOOD_1 = SAMPLES / "sample-01-payments.jpg"  # Payments API
GOOD_2 = SAMPLES / "sample-02-checkout-status.jpg"  # Checkout
NO_TABLE = SAMPLES / "sample-09-no-table.jpg"


def manifest_rows(outdir: Path) -> dict[str, dict]:
    with sqlite3.connect(outdir / "manifest.sqlite") as db:
        db.row_factory = sqlite3.Row
        return {Path(r["source"]).name: dict(r) for r in db.execute("SELECT * FROM photos")}


def by_rel(outdir: Path, archive: Path) -> dict[str, dict]:
    rows = manifest_rows(outdir).values()
    return {str(Path(r["source"]).relative_to(archive.resolve())): r for r in rows}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """A mixed folder: two boards (one a PNG with the same name as a JPEG), a board without a
    table in a nested folder, a truncated JPEG, a text file called .jpg, a text file, a hidden
    file."""
    root = tmp_path_factory.mktemp("archive") / "reviews"
    (root / "2024" / "q3").mkdir(parents=True)
    shutil.copy(GOOD_1, root / "payments.jpg")
    cv2.imwrite(str(root / "payments.png"), cv2.imread(str(GOOD_2)))  # same name, other board
    shutil.copy(NO_TABLE, root / "2024" / "q3" / "whiteboard.jpg")
    data = GOOD_1.read_bytes()
    (root / "2024" / "truncated.jpg").write_bytes(data[: len(data) // 3])
    (root / "notes.jpg").write_text("minutes of the meeting, not a photo\n")
    (root / "readme.txt").write_text("photos of the reviews\n")
    (root / ".hidden.jpg").write_text("editor's lock file\n")
    return root


@pytest.fixture(scope="module")
def first_run(archive, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("out") / "reports"
    result = CliRunner().invoke(
        cli,
        [
            "batch",
            str(archive),
            "-o",
            str(outdir),
            "--format",
            "html",
            "--workers",
            "2",
            "--save",
            "--db",
            str(outdir.parent / "history.db"),
        ],
        catch_exceptions=False,
    )
    return result, outdir


# ---- the mixed folder ------------------------------------------------------------------------


def test_every_outcome_is_in_the_manifest(first_run, archive):
    result, outdir = first_run
    assert result.exit_code == ExitCode.BATCH_PARTIAL, result.output
    rows = by_rel(outdir, archive)
    assert set(rows) == {
        "payments.jpg",
        "payments.png",
        "2024/q3/whiteboard.jpg",
        "2024/truncated.jpg",
        "notes.jpg",
    }  # readme.txt skipped, .hidden.jpg not entered
    status = {k: (r["status"], r["exit_code"]) for k, r in rows.items()}
    assert status == {
        "payments.jpg": ("ok", 0),
        "payments.png": ("ok", 0),
        "2024/q3/whiteboard.jpg": ("no_table", ExitCode.NO_TABLE),
        "2024/truncated.jpg": ("failed", ExitCode.BAD_INPUT),
        "notes.jpg": ("failed", ExitCode.BAD_INPUT),
    }
    assert "truncated" in rows["2024/truncated.jpg"]["reason"]
    assert "not an image" in rows["notes.jpg"]["reason"]
    assert rows["payments.jpg"]["service"] == "PAYMENTS API"
    assert rows["payments.png"]["service"] == "Checkout"
    import hashlib

    for name in ("payments.jpg", "payments.png", "notes.jpg"):
        want = hashlib.sha256((archive / name).read_bytes()).hexdigest()
        assert rows[name]["sha256"] == want
    assert len({r["settings"] for r in rows.values()}) == 1


def test_reports_mirror_the_folders_and_names_do_not_collide(first_run, archive):
    _, outdir = first_run
    rows = by_rel(outdir, archive)
    assert rows["payments.jpg"]["output"] == "payments.html"
    assert rows["payments.png"]["output"] == "payments-png.html"
    assert rows["2024/q3/whiteboard.jpg"]["output"] == "2024/q3/whiteboard.html"
    assert "payments api" in (outdir / "payments.html").read_text().lower()
    assert "Checkout" in (outdir / "payments-png.html").read_text()
    reports = sorted(p.relative_to(outdir).as_posix() for p in outdir.rglob("*.html"))
    assert reports == ["index.html", "payments-png.html", "payments.html"]
    assert not list(outdir.rglob("*.tmp"))


def test_summary_line_and_stdout(first_run):
    result, outdir = first_run
    assert result.stdout.strip() == str(outdir / "index.html")
    assert "5 photos: 2 converted, 0 up to date, 1 without a table, 2 failed" in result.stderr
    assert "1 other file skipped" in result.stderr
    assert "\r" not in result.stderr and "[###" not in result.stderr  # no bar off a terminal
    assert "failed.txt" in result.stderr and "summary.csv" in result.stderr
    # each failure has its own line, naming the photo
    assert re.search(r"notes\.jpg: failed: not an image", result.stderr)


def test_summary_csv_and_failed_list(first_run, archive):
    _, outdir = first_run
    with open(outdir / "summary.csv", newline="", encoding="utf-8") as f:
        rows = {Path(r["photo"]).name: r for r in csv.DictReader(f)}
    assert rows["payments.jpg"]["status"] == "ok"
    assert rows["payments.jpg"]["report"] == "payments.html"
    assert int(rows["payments.jpg"]["metrics"]) >= 3
    assert int(rows["payments.jpg"]["breach"]) >= 1 and rows["payments.jpg"]["worst_breach"]
    assert rows["whiteboard.jpg"]["status"] == "no_table" and rows["whiteboard.jpg"]["report"] == ""
    assert rows["notes.jpg"]["status"] == "failed" and "not an image" in rows["notes.jpg"]["reason"]
    # failures first
    assert [r["status"] for r in rows.values()][:2] == ["failed", "failed"]
    failed = (outdir / "failed.txt").read_text().splitlines()
    assert sorted(Path(line.split("\t")[0]).name for line in failed) == [
        "notes.jpg",
        "truncated.jpg",
        "whiteboard.jpg",
    ]


def test_index_links_every_report_escapes_and_locks_scripts(first_run):
    _, outdir = first_run
    html = (outdir / "index.html").read_text()
    links = re.findall(r'<a href="([^"]+)"', html)
    assert sorted(links) == ["payments-png.html", "payments.html"]
    assert all((outdir / link).is_file() for link in links)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    csp = unescape(csp)
    assert "default-src 'none'" in csp and "script-src 'sha256-" in csp
    assert "unsafe-inline" not in csp
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert len(scripts) == 1 and scripts[0][0] == ""  # one inline script, no src
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(scripts[0][1].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp  # the browser would run exactly this script
    assert 'data-status="failed"' in html and 'data-status="ok breach"' in html
    assert "not an image BoardSnap can read" in html


def _browser_dom(url: str) -> str:
    """The page as headless Chromium leaves it after its script ran."""
    return headless("--dump-dom", url, timeout=120).stdout


def test_index_sorts_and_filters_in_a_real_browser(first_run, tmp_path):
    _, outdir = first_run
    page = (outdir / "index.html").as_uri()
    server_order = re.findall(
        r'<td class="photo">(?:<a [^>]*>)?([^<]+)', (outdir / "index.html").read_text()
    )
    dom = _browser_dom(page + "#show=failed&sort=1")
    rows = re.findall(
        r'<tr class="oc-(\w+)"[^>]*?( hidden="")?>\s*<td class="photo">(?:<a [^>]*>)?([^<]+)', dom
    )
    assert rows, dom[:2000]
    visible = [(status, name) for status, hidden, name in rows if not hidden]
    assert {status for status, _ in visible} == {"failed"} and len(visible) == 2
    names = [name for _, _, name in rows]
    assert names == sorted(names) != server_order  # sorted by photo, ascending
    assert "2 of 5 shown" in dom
    assert 'aria-sort="ascending"' in dom


def test_save_records_each_converted_board_once(first_run, archive, tmp_path):
    from boardsnap.history.store import History, file_sha256

    result, outdir = first_run
    assert "history: 2 reviews saved, 0 already there" in result.stderr
    with History(outdir.parent / "history.db") as history:
        hashes = {r.photo_sha256 for r in history.reviews()}
    assert hashes == {file_sha256(archive / "payments.jpg"), file_sha256(archive / "payments.png")}
    # converted again (other settings): the history already has the photo, nothing is added
    db = str(tmp_path / "history.db")
    for near_miss in ("0.9", "0.8"):
        again = CliRunner().invoke(
            cli,
            [
                "batch",
                str(GOOD_1),
                "-o",
                str(tmp_path / "o"),
                "--save",
                "--db",
                db,
                "--near-miss",
                near_miss,
                "-f",
                "json",
            ],
            catch_exceptions=False,
        )
        assert again.exit_code == 0, again.output
    assert "history: 0 reviews saved, 1 already there" in again.stderr
    with History(db) as history:
        assert len(history.reviews()) == 1


def test_second_run_converts_nothing(first_run, archive):
    _, outdir = first_run
    before = manifest_rows(outdir)
    mtimes = {p: p.stat().st_mtime_ns for p in outdir.rglob("payments*.html")}
    result = CliRunner().invoke(
        cli, ["batch", str(archive), "-o", str(outdir), "-f", "html"], catch_exceptions=False
    )
    assert result.exit_code == ExitCode.BATCH_PARTIAL  # the failures are still there
    assert "5 photos: 0 converted, 2 up to date, 1 without a table, 2 failed" in result.stderr
    after = manifest_rows(outdir)
    for name in ("payments.jpg", "payments.png", "whiteboard.jpg"):
        assert after[name]["converted_at"] == before[name]["converted_at"]
        assert after[name]["worker"] == before[name]["worker"]
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_changed_settings_or_content_are_converted_again_touched_files_are_not(
    first_run, archive, tmp_path
):
    _, outdir = first_run
    cfg = Config()
    same = settings_fingerprint(cfg, "html")
    other = settings_fingerprint(cfg.with_overrides(judge={"near_miss_at": 0.8}), "html")
    assert settings_fingerprint(cfg, "pdf") != same != other
    inputs = find_photos([archive], exclude=outdir)
    with Manifest.open(outdir) as manifest:
        assert {j.source.name for j in plan(inputs, outdir, "html", same, manifest).jobs} == {
            "truncated.jpg",
            "notes.jpg",
        }  # failures are tried again
        assert len(plan(inputs, outdir, "html", other, manifest).jobs) == 5
    # touched, same bytes: hashed and found unchanged; new bytes: converted again
    photo = archive / "payments.jpg"
    os.utime(photo, ns=(time.time_ns(), time.time_ns()))
    with Manifest.open(outdir) as manifest:
        names = {j.source.name for j in plan(inputs, outdir, "html", same, manifest).jobs}
        assert "payments.jpg" not in names
    (outdir / "payments-png.html").rename(tmp_path / "moved.html")  # a report gone: redo
    try:
        with Manifest.open(outdir) as manifest:
            names = {j.source.name for j in plan(inputs, outdir, "html", same, manifest).jobs}
            assert "payments.png" in names
    finally:
        (tmp_path / "moved.html").rename(outdir / "payments-png.html")


def test_a_second_run_into_the_same_folder_is_refused_while_one_runs(first_run):
    _, outdir = first_run
    with Manifest.open(outdir):
        result = CliRunner().invoke(cli, ["batch", str(GOOD_1), "-o", str(outdir)])
    assert result.exit_code == ExitCode.OUTPUT_ERROR
    assert "another boardsnap batch" in result.stderr


# ---- Dask ------------------------------------------------------------------------------------


def test_dask_cluster_gives_the_same_outcomes(first_run, archive, tmp_path):
    distributed = pytest.importorskip("distributed")  # in the dev extra: always there in tests
    _, local_out = first_run
    outdir = tmp_path / "dask"
    seen = []
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        summary = run_batch(
            [archive],
            outdir,
            Config(),
            "html",
            scheduler=cluster.scheduler_address,
            on_outcome=seen.append,
        )
    assert summary.exit_code == ExitCode.BATCH_PARTIAL
    assert (summary.converted, summary.no_table, summary.failed) == (2, 1, 2)
    local, remote = by_rel(local_out, archive), by_rel(outdir, archive)
    assert set(local) == set(remote)
    for key in local:
        for column in ("status", "exit_code", "output", "sha256", "service", "breach", "metrics"):
            assert local[key][column] == remote[key][column], (key, column)
    workers = {r["worker"] for r in remote.values() if r["worker"]}
    assert len(workers) == 2  # both Dask workers did some
    # the parent gets every outcome with its board and photo hash (for saving to the history)
    assert sorted(o.source.name for o in seen) == sorted(Path(k).name for k in remote)
    ok = [o for o in seen if o.status == "ok"]
    assert all(o.board is not None and len(o.sha256) == 64 for o in ok)
    assert (outdir / "index.html").is_file()


def test_unreachable_scheduler_is_one_line_exit_10(tmp_path, monkeypatch):
    monkeypatch.setattr("boardsnap.batch.workers.DASK_CONNECT_TIMEOUT", "1s")
    result = CliRunner().invoke(
        cli,
        ["batch", str(NO_TABLE), "-o", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"],
    )
    assert result.exit_code == ExitCode.SCHEDULER, result.output
    assert result.stderr.count("\n") == 1 and "tcp://127.0.0.1:9" in result.stderr


# ---- crashes and kills -----------------------------------------------------------------------


def test_a_worker_crash_fails_only_that_photo(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(GOOD_1, src / "a-good.jpg")
    shutil.copy(GOOD_1, src / "b-crash.jpg")
    summary = run_batch(
        [src],
        tmp_path / "out",
        Config(),
        "json",
        workers=2,
        pipeline_factory=functools.partial(crashing_pipeline, crash_on="b-crash.jpg"),
    )
    rows = manifest_rows(tmp_path / "out")
    assert {k: r["status"] for k, r in rows.items()} == {
        "a-good.jpg": "ok",
        "b-crash.jpg": "failed",
    }
    assert "SIGSEGV" in rows["b-crash.jpg"]["reason"]
    assert rows["b-crash.jpg"]["exit_code"] == ExitCode.INTERNAL
    assert (summary.converted, summary.failed) == (1, 1)
    assert json.loads((tmp_path / "out" / "a-good.json").read_text())["service"]


def test_killed_run_resumes_without_converting_twice(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name, photo in (("a.jpg", GOOD_1), ("b.jpg", GOOD_2)):
        shutil.copy(photo, src / name)
    outdir = tmp_path / "out"
    exe = Path(sys.executable).parent / "boardsnap"
    cmd = [str(exe), "batch", str(src), "-o", str(outdir), "-f", "json", "--workers", "1", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not list(outdir.glob("*.json")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)  # the worker dies with its parent

    for report in outdir.glob("*.json"):  # whatever is there is complete
        assert json.loads(report.read_text())["schema"] == "boardsnap.board/1"
    done = {k: r for k, r in manifest_rows(outdir).items() if r["status"] == "ok"}
    assert len(done) < 2, "the run should have been killed part-way"
    mtimes = {k: (outdir / r["output"]).stat().st_mtime_ns for k, r in done.items()}

    result = subprocess.run(cmd[:-1], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"{2 - len(done)} converted, {len(done)} up to date" in result.stderr
    rows = manifest_rows(outdir)
    assert {r["status"] for r in rows.values()} == {"ok"} and len(rows) == 2
    for key, row in done.items():  # finished before the kill: not converted again
        assert rows[key]["converted_at"] == row["converted_at"]
        assert (outdir / row["output"]).stat().st_mtime_ns == mtimes[key]
    for row in rows.values():
        assert json.loads((outdir / row["output"]).read_text())["metrics"]
    assert not list(outdir.glob(".*.tmp"))


def _sigint_as_on_a_terminal() -> None:
    # a child inherits an ignored SIGINT (a test run started in the background by a
    # non-interactive shell, nohup, some CI runners) and Python then keeps ignoring it: give
    # the batch the default disposition a foreground job on a terminal has
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_at_once_with_the_index_written(tmp_path):
    """SIGINT while the second photo is being read (known from a marker the worker writes as
    it starts on it; that photo's reading never ends): exit 130 at once, the first photo's row
    and report kept, the second not recorded, the index written."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(GOOD_1, src / "a.jpg")
    shutil.copy(GOOD_2, src / "b.jpg")
    outdir = tmp_path / "out"
    marker = tmp_path / "b-started"
    tests = str(Path(__file__).resolve().parent)
    code = f"import sys; sys.path.insert(0, {tests!r}); import batch_faults; " + (
        "sys.argv[0] = 'boardsnap'; batch_faults.main_with_stall()"
    )
    cmd = [sys.executable, "-c", code, "batch", str(src), "-o", str(outdir), "-f", "json"]
    env = {**os.environ, "STALL_ON": "b.jpg", "STALL_MARKER": str(marker)}
    # its own session, so that the SIGINT goes to it and its workers, as Ctrl-C on a terminal
    proc = subprocess.Popen(
        [*cmd, "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_sigint_as_on_a_terminal,
        env=env,
    )
    try:
        # the worker takes b only after a's report is written and its outcome sent; the parent
        # commits a's row on its own time: wait for both (the stall keeps b in flight)
        deadline = time.monotonic() + 300
        while not (marker.exists() and "a.jpg" in manifest_rows_if_any(outdir)):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the batch never started on b.jpg"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)  # b's reading would take 600 s
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == ExitCode.INTERRUPTED, stderr
    assert "interrupted; run the same command again" in stderr
    assert "1 not done" in stderr
    rows = manifest_rows(outdir)
    assert rows["a.jpg"]["status"] == "ok" and "b.jpg" not in rows
    assert json.loads((outdir / "a.json").read_text())["metrics"]
    assert not (outdir / "b.json").exists()
    assert 'href="a.json"' in (outdir / "index.html").read_text()


def manifest_rows_if_any(outdir: Path) -> dict[str, dict]:
    if not (outdir / "manifest.sqlite").exists():  # connecting would create it
        return {}
    try:
        return manifest_rows(outdir)
    except sqlite3.Error:  # its tables not created yet
        return {}


# ---- inputs and names, without OCR -------------------------------------------------------------


def test_inputs_files_folders_globs(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    for rel in ("a/x.jpg", "a/x.PNG", "a/deep/y.jpeg", "b/x.jpg", "b/z.txt", "a/.h.jpg"):
        (tmp_path / rel).write_bytes(b"")
    found = find_photos([tmp_path / "a", str(tmp_path / "b" / "*"), tmp_path / "a" / "x.jpg"])
    names = sorted(f.rel.as_posix() for f in found.photos)
    assert names == ["deep/y.jpeg", "x.PNG", "x.jpg", "x.jpg"]  # a/x.jpg once
    assert [Path(s).name for s in found.skipped] == ["z.txt"]
    with pytest.raises(BadInput, match="no such file"):
        find_photos([tmp_path / "missing"])
    with pytest.raises(BadInput, match="matches no file"):
        find_photos([str(tmp_path / "*.heic")])


def test_output_names_never_escape_or_collide(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for rel in ("a/x.jpg", "a/x.png", "b/x.jpg", "a/we:ird\u202e?.jpg"):
        (tmp_path / rel).write_bytes(b"")
    outdir = tmp_path / "out"
    outdir.mkdir()
    found = find_photos([tmp_path / "a", tmp_path / "b"])
    with Manifest.open(outdir) as manifest:
        jobs = plan(found, outdir, "pdf", "f", manifest).jobs
    outputs = sorted(j.output_rel for j in jobs)
    assert len(set(outputs)) == len(jobs) == 4
    assert outputs == ["a/we_ird__.pdf", "a/x-png.pdf", "a/x.pdf", "b/x.pdf"]
    for job in jobs:
        assert job.output.resolve().is_relative_to(outdir.resolve())
    for bad in ("..", ".", "../../etc", "a/b", "con\x00trol", ""):
        part = safe_part(bad)
        assert part and "/" not in part and part not in (".", "..") and not part.startswith(".")


def test_csv_cells_are_not_formulas(tmp_path):
    row = {
        "display": "=HYPERLINK(1)",
        "status": "ok",
        "output": "x.pdf",
        "service": "+cmd",
        "reason": None,
        "exit_code": 0,
        "breach": 1,
    }
    text = render_csv([row], tmp_path)
    assert "'=HYPERLINK(1)" in text and "'+cmd" in text


def test_progress_line_counts_rate_and_time_left(monkeypatch):
    import io

    from boardsnap.batch.plan import Job, PhotoOutcome
    from boardsnap.batch.progress import TerminalProgress

    now = [0.0]
    monkeypatch.setattr("boardsnap.batch.progress.time.monotonic", lambda: now[0])
    out = io.StringIO()
    bar = TerminalProgress(out, bar=True)
    job = Job(Path("/a.jpg"), "a.jpg", Path("/o/a.pdf"), "a.pdf", "pdf")
    bar.start(4, 0)
    bar.update(PhotoOutcome(job, "ok", "0" * 64))
    now[0] = 60.0
    bar.update(PhotoOutcome(job, "failed", None, reason="broken"))
    assert bar.line() == "[############............] 2/4, 1 failed, 2.0/min, 1m00s left"
    assert "a.jpg: failed: broken\n" in out.getvalue()
    bar.finish()
    assert out.getvalue().endswith("\r\033[K")


def test_a_broken_manifest_is_one_line_exit_7_and_left_alone(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text("no photos here\n")
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "manifest.sqlite").write_bytes(b"not a database" * 100)
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "in"), "-o", str(outdir)])
    assert result.exit_code == ExitCode.OUTPUT_ERROR, result.output
    assert result.stderr.count("\n") == 1 and "manifest.sqlite" in result.stderr
    assert (outdir / "manifest.sqlite").read_bytes() == b"not a database" * 100


def test_a_moved_archive_takes_back_its_report_names(tmp_path):
    from boardsnap.batch.plan import Job, PhotoOutcome

    outdir = tmp_path / "out"
    outdir.mkdir()
    old, new = tmp_path / "old", tmp_path / "new"
    (new / "2024").mkdir(parents=True)
    (new / "2024" / "x.jpg").write_bytes(b"")
    (new / "y.jpg").write_bytes(b"")
    (tmp_path / "here.jpg").write_bytes(b"")
    with Manifest.open(outdir) as manifest:
        for source, rel in (
            (old / "2024" / "x.jpg", "2024/x.pdf"),
            (tmp_path / "here.jpg", "y.pdf"),
        ):
            job = Job(source, str(source), outdir / rel, rel, "pdf")
            manifest.record(PhotoOutcome(job, "ok", "0" * 64), "f")
        the_plan = plan(find_photos([new]), outdir, "pdf", "f", manifest)
        outputs = {j.source.name: j.output_rel for j in the_plan.jobs}
        # x.jpg's old self is gone: same name; y.pdf still belongs to here.jpg, which exists
        assert outputs == {"x.jpg": "2024/x.pdf", "y.jpg": "y-jpg.pdf"}
        assert the_plan.forget == (str(old / "2024" / "x.jpg"),)
        manifest.forget(the_plan.forget)
        assert [Path(s).name for s, _ in manifest.outputs_in_use()] == ["here.jpg"]


def test_a_link_in_outdir_cannot_lead_a_report_outside(tmp_path):
    (tmp_path / "in" / "a").mkdir(parents=True)
    (tmp_path / "in" / "a" / "x.jpg").write_bytes(b"")
    outdir, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    outdir.mkdir()
    elsewhere.mkdir()
    (outdir / "a").symlink_to(elsewhere, target_is_directory=True)
    with Manifest.open(outdir) as manifest:
        the_plan = plan(find_photos([tmp_path / "in"]), outdir, "pdf", "f", manifest)
    assert not the_plan.jobs and len(the_plan.refused) == 1
    refused = the_plan.refused[0]
    assert refused.status == "failed" and refused.exit_code == ExitCode.OUTPUT_ERROR
    assert "link" in refused.reason
    assert list(elsewhere.iterdir()) == []
