"""The batch manifest: OUTDIR/manifest.sqlite, one row per photo ever converted into OUTDIR.

Each row holds the photo's content hash (sha256) and file size and modification time, the
fingerprint of the settings its report was made with, the outcome (ok / no_table / failed, with
the reason and exit code), the report's path under OUTDIR, and what the index shows of the board
(service, date, counts by status, the worst breach) with the board document itself.

A row is committed in its own transaction as soon as its photo is done (WAL journal,
`synchronous=FULL`), so a run killed with kill -9 loses at most the photos in flight. A lock
file keeps two runs from writing into the same OUTDIR at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from boardsnap.batch.jobs import ManifestView, PhotoOutcome, sha256_file
from boardsnap.document import Board, Metric
from boardsnap.errors import OutputError

FILENAME = "manifest.sqlite"
LOCKNAME = ".manifest.lock"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS photos (
    source       TEXT PRIMARY KEY,   -- absolute path of the photo
    display      TEXT NOT NULL,      -- as the user named it
    sha256       TEXT,               -- of the bytes converted (NULL: could not be read)
    size         INTEGER,
    mtime_ns     INTEGER,
    settings     TEXT NOT NULL,      -- settings fingerprint (config + format)
    format       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('ok', 'no_table', 'failed')),
    reason       TEXT,
    exit_code    INTEGER NOT NULL,
    output       TEXT NOT NULL,      -- report path under OUTDIR (POSIX); a file only when ok
    service      TEXT,
    review_date  TEXT,
    metrics      INTEGER NOT NULL DEFAULT 0,
    met          INTEGER NOT NULL DEFAULT 0,
    near_miss    INTEGER NOT NULL DEFAULT 0,
    breach       INTEGER NOT NULL DEFAULT 0,
    unknown      INTEGER NOT NULL DEFAULT 0,
    needs_review INTEGER NOT NULL DEFAULT 0,
    worst_breach TEXT,
    worst_budget REAL,
    seconds      REAL,
    worker       TEXT,
    converted_at TEXT NOT NULL,
    board        TEXT                -- the board document (JSON) when ok
);
"""


class Manifest(ManifestView):
    def __init__(self, outdir: Path, db: sqlite3.Connection, lock_fd: int):
        self.outdir = outdir
        self.path = outdir / FILENAME
        self._db = db
        self._lock_fd = lock_fd

    @classmethod
    @contextlib.contextmanager
    def open(cls, outdir: Path) -> Iterator[Manifest]:
        lock_fd = _lock(outdir)
        try:
            db = sqlite3.connect(outdir / FILENAME, isolation_level=None)
        except sqlite3.Error as exc:
            os.close(lock_fd)
            raise OutputError(
                f"cannot open the manifest ({exc})", path=str(outdir / FILENAME)
            ) from None
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA)
            version = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if version is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif int(version[0]) > SCHEMA_VERSION:
                raise OutputError(
                    "the manifest was written by a newer BoardSnap",
                    path=str(outdir / FILENAME),
                    fix="upgrade BoardSnap or choose another output folder",
                )
            yield cls(outdir, db, lock_fd)
        except sqlite3.DatabaseError as exc:
            raise _error(exc, outdir / FILENAME) from None
        finally:
            db.close()
            os.close(lock_fd)

    # ---- reading ---------------------------------------------------------------------------

    def row(self, source: Path) -> dict | None:
        found = self._db.execute("SELECT * FROM photos WHERE source=?", (str(source),)).fetchone()
        return dict(found) if found else None

    def rows(self) -> list[dict]:
        return [dict(r) for r in self._db.execute("SELECT * FROM photos ORDER BY display")]

    def outputs_in_use(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self._db.execute("SELECT source, output FROM photos")]

    def is_up_to_date(self, source: Path, fingerprint: str, outdir: Path) -> bool:
        """Done before with these settings, on these very bytes, and its report still there.

        Size and modification time equal to the recorded ones stand for the same bytes (as for
        make and rsync); otherwise the photo is hashed and compared."""
        row = self.row(source)
        if row is None or row["settings"] != fingerprint or row["status"] == "failed":
            return False
        if row["status"] == "ok" and not (outdir / row["output"]).is_file():
            return False
        try:
            st = source.stat()
        except OSError:
            return False
        if (st.st_size, st.st_mtime_ns) == (row["size"], row["mtime_ns"]):
            return True
        try:
            same = sha256_file(source) == row["sha256"]
        except OSError:
            return False
        if same:
            with self._db:
                self._db.execute("BEGIN")
                self._db.execute(
                    "UPDATE photos SET size=?, mtime_ns=? WHERE source=?",
                    (st.st_size, st.st_mtime_ns, str(source)),
                )
        return same

    # ---- writing ---------------------------------------------------------------------------

    def forget(self, sources: tuple[str, ...] | list[str]) -> None:
        """Drop the rows of photos that are gone (their report names go to new photos)."""
        if not sources:
            return
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM photos WHERE source=?", [(s,) for s in sources])

    def record(self, outcome: PhotoOutcome, fingerprint: str) -> None:
        """Commit one photo's outcome (durably, before the next photo is looked at)."""
        job = outcome.job
        # a board is kept whenever its report was written (also when its history save failed)
        board = outcome.board if outcome.status in ("ok", "failed") else None
        facts = board_facts(board) if board is not None else {}
        size, mtime_ns = outcome.stat or (None, None)
        values = {
            "source": str(job.source),
            "display": job.display,
            "sha256": outcome.sha256,
            "size": size,
            "mtime_ns": mtime_ns,
            "settings": fingerprint,
            "format": job.fmt,
            "status": outcome.status,
            "reason": outcome.reason,
            "exit_code": int(outcome.exit_code),
            "output": job.output_rel,
            "seconds": round(outcome.seconds, 3),
            "worker": outcome.worker,
            "converted_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "board": board.to_json(indent=None) if board is not None else None,
            **facts,
        }
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    f"INSERT OR REPLACE INTO photos ({columns}) VALUES ({marks})",
                    tuple(values.values()),
                )
        except sqlite3.Error as exc:
            raise _error(exc, self.path, "cannot update the manifest") from None


def _error(
    exc: sqlite3.Error, path: Path, what: str = "the manifest cannot be used"
) -> OutputError:
    """A full disk, a read-only folder or a locked file is said as such; only a file that is
    not a manifest (or is damaged) is to be moved away."""
    text = str(exc)
    if "full" in text:
        return OutputError(
            "no space left on the disk",
            path=str(path),
            fix="free some space or choose another output folder",
        )
    if "readonly" in text or "unable to open" in text or "disk I/O" in text:
        return OutputError(
            f"{what} ({text})",
            path=str(path),
            fix="check the output folder is writable and its disk healthy",
        )
    if "locked" in text or "busy" in text:
        return OutputError(
            f"{what} ({text})",
            path=str(path),
            fix="another program holds it: wait for it, or choose another folder",
        )
    return OutputError(
        f"{what} ({text})", path=str(path), fix="move it away to start the folder afresh"
    )


def board_facts(board: Board) -> dict:
    """What the index and summary.csv show of a board."""
    counts = board.counts()
    worst = worst_breach(board.metrics)
    return {
        "service": board.service,
        "review_date": board.review_date,
        "metrics": len(board.metrics),
        "met": counts.get("met", 0),
        "near_miss": counts.get("near_miss", 0),
        "breach": counts.get("breach", 0),
        "unknown": counts.get("unknown", 0),
        "needs_review": sum(m.needs_review for m in board.metrics)
        + sum(a.needs_review for a in board.actions),
        "worst_breach": _breach_text(worst) if worst else None,
        "worst_budget": worst.budget_used if worst else None,
    }


def worst_breach(metrics: tuple[Metric, ...]) -> Metric | None:
    """The breached row that used the most of its error budget."""
    breaches = [m for m in metrics if m.status == "breach"]
    if not breaches:
        return None

    def used(m: Metric) -> float:
        u = m.budget_used
        return u if u is not None and math.isfinite(u) else math.inf

    return max(breaches, key=used)


def _breach_text(m: Metric) -> str:
    text = f"{m.name}: {m.actual.text or '?'} against {m.target.text or '?'}"
    if m.budget_used is not None and math.isfinite(m.budget_used):
        text += f" ({m.budget_used * 100:.0f}% of budget)"
    return text


def _lock(outdir: Path) -> int:
    path = outdir / LOCKNAME
    try:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o666)
    except OSError as exc:
        raise OutputError(f"cannot create a lock file ({exc.strerror})", path=str(path)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise OutputError(
            "another boardsnap batch is writing into this folder",
            path=str(outdir),
            fix="wait for it to finish, or choose another output folder",
        ) from None
    return fd
