"""Writing output files atomically.

A report or document is written to a temporary file in the destination folder, flushed to disk,
then renamed over the destination in one step (`os.replace`). A reader never sees half a file,
and a failure at any point leaves the destination as it was and no temporary file behind. Every
failure becomes an `OutputError` whose one line names the path and says how to fix it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from boardsnap.errors import OutputError

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation at the fd level

# errno -> (what went wrong, how to fix it)
_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("folder does not exist", "create the folder first or choose another path"),
    errno.ENOTDIR: ("part of the path is a file, not a folder", "choose another path"),
    errno.EACCES: ("permission denied", "choose a folder you can write to"),
    errno.EPERM: ("permission denied", "choose a folder you can write to"),
    errno.EROFS: ("read-only file system", "choose a folder on a writable disk"),
    errno.ENOSPC: ("no space left on the disk", "free some space or choose another disk"),
    errno.EDQUOT: ("disk quota exceeded", "free some space or choose another disk"),
    errno.EISDIR: ("is a folder", "give a file name, not a folder"),
    errno.ENAMETOOLONG: ("file name too long", "choose a shorter name"),
}


def _output_error(path: Path, exc: OSError) -> OutputError:
    reason, fix = _REASONS.get(
        exc.errno or 0, (f"cannot write ({exc.strerror or exc})", "check the path and the disk")
    )
    return OutputError(reason, path=str(path), fix=fix)


@contextlib.contextmanager
def atomic_open(path: str | Path, *, text: bool = False) -> Iterator[IO]:
    """Open a temporary file beside `path` for writing; on success it replaces `path`.

    If the body of the `with` block raises, the temporary file is removed and the exception
    propagates unchanged (an `OSError` from writing becomes an `OutputError`). The destination
    is only touched by the final rename.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError("is a folder", path=str(path), fix="give a file name, not a folder")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.exists():
        raise OutputError(
            "folder does not exist",
            path=str(path),
            fix=f"create it first (mkdir -p {folder}) or choose another path",
        )
    tmp, fd = _create_temp(path, folder)
    try:
        mode = "w" if text else "wb"
        kwargs = {"encoding": "utf-8", "newline": ""} if text else {}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        raise _output_error(path, exc) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_folder(folder)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` atomically; returns the path."""
    with atomic_open(path) as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write `text` to `path` atomically as UTF-8; returns the path."""
    with atomic_open(path, text=True) as handle:
        handle.write(text)
    return Path(path)


def _create_temp(path: Path, folder: Path) -> tuple[Path, int]:
    # os.open with 0o666 lets the umask decide the final permissions, as for any new file
    # (tempfile.mkstemp would leave the report readable by its owner only).
    for _ in range(100):
        tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _O_BINARY, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _output_error(path, exc) from exc
        return tmp, fd
    raise OutputError(
        "cannot create a temporary file", path=str(path), fix="clean up .*.tmp files there"
    )


def _remove_quietly(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = ["atomic_open", "atomic_write_bytes", "atomic_write_text"]
