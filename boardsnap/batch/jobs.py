"""What travels between a batch's parent and its workers, and what its manifest, workers and
index share: one photo's `Job` and its `PhotoOutcome`, the content hash, printable file names,
and the view of the manifest that planning needs. A module of its own so that `batch.py` (the
plan and the run), `workers.py`, `manifest.py` and `batch_index.py` import it and not each
other.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from boardsnap.document import Board
from boardsnap.fileio import open_regular

HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Job:
    """One photo to convert. Paths are absolute: a Dask worker must see the same files."""

    source: Path
    display: str  # the photo as the user named it (for messages and the index)
    output: Path  # the report, under OUTDIR
    output_rel: str  # the same, relative to OUTDIR (POSIX)
    fmt: str
    debug_dir: Path | None = None  # where this photo's stage pictures go, if asked


@dataclass(frozen=True)
class PhotoOutcome:
    """What became of one photo. `board` is the judged board when status is "ok"."""

    job: Job
    status: str  # ok | no_table | failed
    sha256: str | None  # of the bytes that were converted (None when unreadable)
    reason: str | None = None
    exit_code: int = 0
    board: Board | None = None
    seconds: float = 0.0
    worker: str | None = None  # host:pid that did the work
    stat: tuple[int, int] | None = None  # size and mtime_ns of the photo when it was hashed
    peak_mb: float | None = None  # the worker process's peak resident memory so far
    cpu_seconds: float | None = None  # CPU time the worker spent on this photo

    @property
    def source(self) -> Path:
        return self.job.source


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """`text` with its control characters (newline, ESC...) written as escapes: a file name
    cannot break a line of failed.txt or the CSV, or send codes to a terminal."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def sha256_file(path: Path) -> str:
    """The file's SHA-256; `BadInput` for what is not a regular file (never blocks on a pipe)."""
    h = hashlib.sha256()
    with open_regular(path) as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


class ManifestView:
    """What `plan` needs of the manifest (see boardsnap/batch/manifest.py)."""

    def row(self, source: Path) -> dict | None:  # pragma: no cover - interface
        raise NotImplementedError

    def outputs_in_use(self) -> list[tuple[str, str]]:  # pragma: no cover - interface
        """(source, output) of every photo recorded."""
        raise NotImplementedError

    def is_up_to_date(self, source: Path, fingerprint: str, outdir: Path) -> bool:
        raise NotImplementedError  # pragma: no cover - interface


__all__ = ["Job", "PhotoOutcome", "ManifestView", "printable", "sha256_file"]
