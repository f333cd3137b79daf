"""Nothing lost: `boardsnap save` and `boardsnap batch` (with and without `--save`) SIGKILLed at
random moments, the state carried over from trial to trial as a user's would be.

- history saves: each round a fresh database and the sample documents saved one process each,
  every one killed at a random moment of its run; after every kill the database passes
  `PRAGMA integrity_check` and `foreign_key_check` and every review in it is whole (as many
  metric rows, root causes and listed actions as the document that made it); after the round
  every document saved again gives exactly one review each;
- batch: each round a fresh output folder, killed again and again (each run resuming the last)
  until the manifest knows every photo; after every kill each report in the folder is a whole
  board document, no temporary file is listed anywhere, each manifest row `ok` points to a whole
  report, the manifest passes its integrity check, and a photo whose report was recorded is
  never converted again (its manifest row stays as it was); at the end one clean run finishes;
- batch --save: the same, and the history never holds a half review nor two of one photo, and
  in the end holds exactly one review per converted photo.

BOARDSNAP_KILL_TRIALS=N multiplies the rounds (the README's figures: N=4).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from pathlib import Path

import pytest
from killtrial import Forkserver, kill_after, timed_run

from boardsnap.batch.jobs import sha256_file
from boardsnap.batch.manifest import FILENAME
from boardsnap.document import Board

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SCALE = max(1, int(os.environ.get("BOARDSNAP_KILL_TRIALS", "1")))
ENV = dict(os.environ, PYTHONPATH=str(REPO))
DOCS = sorted(SAMPLES.glob("sample-0[1-7]-*.truth.json"))
PHOTOS = ("01-payments", "02-checkout-status", "05-nines", "08-blank-board")  # 3 ok, 1 no table
BATCH_PRELOAD = (
    "boardsnap.reading.pipeline",
    "boardsnap.batch.plan",
    "boardsnap.history.store",
    "tesserocr",
)


def late_delay(rng: random.Random, trial: int, seconds: float) -> float:
    """A moment in a run of `seconds`: half of the trials in its last half, where the writing is."""
    return seconds * (rng.uniform(0.5, 1.05) if trial % 2 else rng.uniform(0.0, 1.0))


def integrity(path: Path) -> None:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()


def reviews(path: Path) -> dict[str, tuple[int, int, int, str | None]]:
    """service -> (metric rows, root causes, listed actions, photo hash) of each saved review,
    each checked whole against the document it was saved from (kept in the review's row);
    refuses two reviews of one service (each document and each photo here is one service)."""
    if not path.exists():
        return {}
    integrity(path)
    with sqlite3.connect(path) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name='review_actions'").fetchone():
            return {}  # killed before the schema was in place (migrations are one transaction)
        found: dict[str, tuple[int, int, int, str | None]] = {}
        query = "SELECT id, service, photo_sha256, document FROM reviews"
        for rid, service, photo, document in db.execute(query).fetchall():
            counts = tuple(
                db.execute(f"SELECT count(*) FROM {table} WHERE review_id=?", (rid,)).fetchone()[0]
                for table in ("metric_results", "root_causes", "review_actions")
            )
            made_by = expected_counts(Board.from_json(document))
            assert counts == made_by, f"half a review of {service}: {counts}, not {made_by}"
            assert service not in found, f"two reviews of {service}"
            found[service] = (*counts, photo)
    db.close()
    return found


def expected_counts(board: Board) -> tuple[int, int, int]:
    return len(board.metrics), len(board.root_causes), len(board.actions)


# ---- history saves ---------------------------------------------------------------------------


def test_save_killed_at_random_moments(tmp_path):
    boards = {doc: Board.from_json(doc.read_text(encoding="utf-8")) for doc in DOCS}
    want = {b.service: expected_counts(b) for b in boards.values()}
    assert len(want) == len(DOCS) >= 7
    rng = random.Random(7)
    db = tmp_path / "history.sqlite"
    servers = {
        doc: Forkserver(["save", str(doc), "--db", str(db), "-q"], env=ENV, preload=())
        for doc in DOCS
    }
    stats = {"trials": 0, "killed": 0, "saved": 0, "absent": 0}
    try:
        seconds = {}
        for doc, server in servers.items():  # full runs into a fresh database: the windows
            db.unlink(missing_ok=True)
            code, seconds[doc] = timed_run(server)
            assert code == 0
        rounds = 8 * SCALE
        scale = 1.0
        for _ in range(rounds):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            order = list(DOCS)
            rng.shuffle(order)
            for doc in order:
                delay = late_delay(rng, stats["trials"], scale * seconds[doc])
                killed = kill_after(servers[doc], delay)
                # the machine's load changes: a run that had ended tells the window is too long
                scale = min(1.5, scale * 1.05) if killed else scale * 0.8
                stats["killed"] += killed
                stats["trials"] += 1
                saved = reviews(db)  # each whole, against the document it came from
                for service, (*counts, _) in saved.items():
                    assert tuple(counts) == want[service], f"half a review of {service}: {counts}"
                service = boards[doc].service
                stats["saved" if service in saved else "absent"] += 1
            for server in servers.values():  # saving again completes: one review per document
                assert timed_run(server)[0] == 0
            assert {s: c[:3] for s, c in reviews(db).items()} == want
    finally:
        for server in servers.values():
            server.close()
    print(
        f"save: {stats['trials']} trials ({stats['killed']} killed while running): "
        f"{stats['saved']} review saved whole, {stats['absent']} nothing saved, 0 broken"
    )
    assert stats["trials"] >= 50
    assert stats["killed"] >= stats["trials"] // 2, "most kills should land in a running save"
    assert stats["absent"] > 0 and stats["saved"] > 0, "kills landed on both sides of the commit"


# ---- batch -----------------------------------------------------------------------------------


@pytest.fixture
def photos(tmp_path_factory) -> Path:  # per test: the trials change them
    from PIL import Image

    folder = tmp_path_factory.mktemp("kill-photos")
    for name in PHOTOS:
        with Image.open(SAMPLES / f"sample-{name}.jpg") as im:
            im.thumbnail((1000, 1000))  # small: the trials spend their time in the batch
            im.save(folder / f"{name}.jpg", quality=85)
    return folder


def manifest_rows(out: Path) -> dict[str, dict]:
    path = out / FILENAME
    if not path.exists():
        return {}
    integrity(path)
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name='photos'").fetchone():
            return {}
        rows = {r["source"]: dict(r) for r in db.execute("SELECT * FROM photos")}
    db.close()
    return rows


def check_batch_folder(out: Path, recorded: dict[tuple[str, str], tuple]) -> tuple[int, int]:
    """Checks a batch output folder after a kill; returns (reports, temporary files) in it.

    `recorded` holds, per photo and content hash, its manifest row as first seen: a photo
    recorded is never converted again while its bytes stay the same."""
    rows = manifest_rows(out)
    reports = {p.name for p in out.glob("*.json")}
    temps = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    for name in reports:  # every report there is whole
        board = Board.from_json((out / name).read_text(encoding="utf-8"))
        assert board.metrics, f"{name}: a report without its metrics"
    for source, row in rows.items():
        assert not row["output"].endswith(".tmp") and not Path(row["output"]).name.startswith(".")
        if row["status"] == "ok":
            assert Path(row["output"]).name in reports, f"{source}: recorded ok, no report"
            report = (out / row["output"]).read_text(encoding="utf-8")
            assert Board.from_json(report) == Board.from_json(row["board"])
        seen = (row["converted_at"], row["worker"], row["status"])
        first = recorded.setdefault((source, row["sha256"]), seen)
        assert first == seen, f"{source} converted twice: {first} then {seen}"
    for listing in ("summary.csv", "failed.txt", "index.html"):
        if (out / listing).exists():
            text = (out / listing).read_text(encoding="utf-8")
            assert ".tmp" not in text, f"{listing} names a temporary file"
    return len(reports), len(temps)


def batch_trials(photos: Path, out: Path, db: Path | None, trials: int, seed: int) -> dict:
    """Kill trials of one batch folder, in rounds: the first converts every photo; each later
    one follows a change to one photo (new bytes, same picture), so only it is converted again.
    Within a round every run is killed and resumed by the next until the manifest records all."""
    args = ["batch", str(photos), "-o", str(out), "-f", "json", "-j", "1", "-q"]
    args += ["--engine", "tesserocr"]
    if db is not None:
        args += ["--save", "--db", str(db)]
    rng = random.Random(seed)
    stats = {"trials": 0, "killed": 0, "rounds": 0, "temps": 0, "cpu": 0.0}
    with Forkserver(args, env=ENV, preload=BATCH_PRELOAD) as server:
        # a full run and a run with nothing to do: how long a photo takes, and the rest
        code, full = timed_run(server)
        assert code == 11, f"the full batch gave exit {code}"  # 11: one photo holds no table
        code, idle = timed_run(server)
        assert code == 11
        per_photo = max(0.05, (full - idle) / len(PHOTOS))
        for child in out.iterdir():
            child.unlink()
        recorded: dict[tuple[str, str], tuple] = {}
        scale = 1.0
        while stats["trials"] < trials:
            if stats["rounds"]:  # a photo changes: its row and report are made anew, once
                turn = stats["rounds"]  # every other round the photo without a table (fast)
                changed = photos / f"{PHOTOS[-1 if turn % 2 else turn // 2 % 3]}.jpg"
                with changed.open("ab") as f:
                    f.write(b"\0")  # after the JPEG's end: the same picture, other bytes
            stats["rounds"] += 1
            while left := stale(photos, out):  # killed and resumed until all is recorded
                window = scale * (idle + per_photo * (left + 1))  # and a worker to start
                killed = kill_after(server, late_delay(rng, stats["trials"], window))
                # the machine's load changes: a run that had ended tells the window is too long
                scale = min(1.5, scale * 1.05) if killed else scale * 0.8
                stats["killed"] += killed
                stats["trials"] += 1
                _, temps = check_batch_folder(out, recorded)
                stats["temps"] += temps
                if db is not None:
                    check_history(db, out)
            code, _ = timed_run(server)  # one clean run finishes everything, converting nothing
            assert code == 11
            reports, temps = check_batch_folder(out, recorded)
            assert (reports, temps) == (len(PHOTOS) - 1, 0)
            if db is not None:
                saved = check_history(db, out)
                assert len(saved) == len(PHOTOS) - 1, f"a converted photo is not saved: {saved}"
        stats["cpu"] = round(server.children_cpu(), 1)
    return stats


def stale(photos: Path, out: Path) -> int:
    """Photos the manifest does not hold, or holds for other bytes."""
    rows = manifest_rows(out)
    return sum(
        1
        for photo in photos.iterdir()
        if (row := rows.get(str(photo.resolve()))) is None or row["sha256"] != sha256_file(photo)
    )


def check_history(db: Path, out: Path) -> dict:
    """Each review whole, at most one per photo (a photo changed to other bytes of the same
    picture is the same review: its document is the same), and every photo the manifest records
    as converted is saved (the history is written before the manifest)."""
    saved = reviews(db)
    rows = manifest_rows(out).values()
    services = {Board.from_json(r["board"]).service for r in rows if r["status"] == "ok"}
    in_history = [c[3] for c in saved.values()]
    assert len(set(in_history)) == len(in_history), "two reviews of one photo"
    assert services <= set(saved), "a photo recorded as converted was not saved"
    return saved


def test_batch_killed_at_random_moments(photos, tmp_path):
    t0 = time.perf_counter()
    stats = batch_trials(photos, tmp_path / "out", None, trials=50 * SCALE, seed=3)
    print(f"batch: {json.dumps(stats)} in {time.perf_counter() - t0:.1f} s")
    assert stats["killed"] >= stats["trials"] // 3, "too few kills landed in a running batch"


def test_batch_save_killed_at_random_moments(photos, tmp_path):
    t0 = time.perf_counter()
    stats = batch_trials(photos, tmp_path / "out", tmp_path / "history.sqlite", 12 * SCALE, 5)
    print(f"batch --save: {json.dumps(stats)} in {time.perf_counter() - t0:.1f} s")
    assert stats["killed"] >= stats["trials"] // 3, "too few kills landed in a running batch"


def test_a_rerun_removes_the_temporaries_of_killed_writers_only(tmp_path):
    """What the trials rely on: a batch removes the temporary files (boardsnap.fileio's names)
    that a killed run left, and never one whose writer still runs."""
    import subprocess
    import sys

    from boardsnap.batch.workers import remove_stale_temporaries

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], text=True, capture_output=True
    ).stdout.strip()
    dead = tmp_path / f".a.json.{gone}-0123abcd.tmp"
    live = tmp_path / f".b.json.{os.getpid()}-0123abcd.tmp"
    report = tmp_path / "a.json"
    for path in (dead, live, report):
        path.write_text("{}")
    remove_stale_temporaries(tmp_path, [])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, report.name])
