"""Writing output files atomically.

A report or document is written to a temporary file in the destination folder, flushed to disk,
then renamed over the destination in one step (`os.replace`). A reader never sees half a file,
and a failure at any point leaves the destination as it was and no temporary file behind. Every
failure becomes an `OutputError` whose one line names the path and says how to fix it.

A process killed outright (SIGKILL, power loss) cannot clean up: its temporary file stays, under
a name no reader takes for the output (`.NAME.PID-RANDOM.tmp`). The next write of the same file
removes such leftovers whose process is gone (`sweep_stale_temps`), and `remove_open_temps`
lets a watchdog that must end the process remove the temporary files still being written.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from boardsnap.errors import BadInput, BoardSnapError, OutputError

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation at the fd level
_OPEN_TEMPS: set[Path] = set()  # temporary files this process is writing now
_OPEN_TEMPS_BY_FD: dict[int, Path] = {}
_INPUTS: collections.deque[tuple[int, int, str]] = collections.deque(maxlen=64)  # note_input

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


def make_folder(
    folder: str | Path, what: str, fix: str, error: type[BoardSnapError] = OutputError
) -> Path:
    """Create `folder` (and its parents) or raise `error`: "cannot create the <what> (reason)"."""
    folder = Path(folder)
    try:
        if folder.exists() and not folder.is_dir():
            raise error("is a file, not a folder", path=str(folder), fix=fix)
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise error(
            f"cannot create the {what} ({exc.strerror or exc})", path=str(folder), fix=fix
        ) from None
    return folder


def open_regular(path: str | Path) -> IO[bytes]:
    """Open `path` for reading if it is a regular file. Opened without blocking (a named pipe
    with no writer would block `open` forever) and checked on the open file, so a file swapped
    for a pipe or a device after a check is refused too: `BadInput`."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | _O_BINARY
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BadInput("not a regular file", path=str(path), fix="give a photo file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _output_error(path: Path, exc: OSError) -> OutputError:
    reason, fix = _REASONS.get(
        exc.errno or 0, (f"cannot write ({exc.strerror or exc})", "check the path and the disk")
    )
    return OutputError(reason, path=str(path), fix=fix)


_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)
_NOT_REGULAR_FIX = "give the name of a regular file (or of a new one) for the output"


def check_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """The one rule for every file BoardSnap writes, checked before any work is done.

    Outputs are regular files. A path that is one of `inputs` (the photo or document being
    read, under any name or link), a folder, a device, a named pipe, a socket, a link to one of
    these or a broken link is refused with an `OutputError` (exit 7), as is a path too long for
    the system, in a folder that does not exist or cannot be written. Returns the file to
    write: `path`, or for a link to a regular file the file it names (the rename then replaces
    that file and keeps the link, never the link with a file).
    """
    path = Path(path)
    name = str(path)
    try:
        target = _output_target(path)
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(
                "folder does not exist",
                path=name,
                fix=f"create it first (mkdir -p {folder}) or choose another path",
            )
        if not os.access(folder, os.W_OK):
            raise OutputError(
                "permission denied", path=name, fix="choose a folder you can write to"
            )
        if target.exists():
            here = os.stat(target)
            known = {(dev, ino): shown for dev, ino, shown in _INPUTS}
            for source in inputs:
                with contextlib.suppress(OSError, ValueError):
                    there = os.stat(source)
                    known[(there.st_dev, there.st_ino)] = str(source)
            if (here.st_dev, here.st_ino) in known:
                raise OutputError(
                    f"is the input {known[(here.st_dev, here.st_ino)]}: writing it would "
                    "destroy it",
                    path=name,
                    fix="choose another output name",
                )
    except OSError as exc:
        raise _output_error(path, exc) from None
    except ValueError:  # a NUL character in the name
        raise OutputError(
            "not a usable file name", path=name.replace("\x00", "\\0"), fix="choose another"
        ) from None
    return target


def note_input(path: str | Path) -> None:
    """Remember that this process reads `path`, so that no output replaces it (the last
    `_INPUTS.maxlen` inputs: a server reading photo after photo keeps a bounded list)."""
    with contextlib.suppress(OSError, ValueError):
        st = os.stat(path)
        _INPUTS.append((st.st_dev, st.st_ino, str(path)))


def _output_target(path: Path) -> Path:
    """`path`, or the regular file a link names; `OutputError` for what cannot be written."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return path
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise OutputError(
                "is a broken link", path=str(path), fix="remove the link or choose another name"
            ) from None
        what = "a link to "
        target = Path(os.path.realpath(path))
    else:
        what, target = "", path
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(
            f"is {what}a folder", path=str(path), fix="give a file name, not a folder"
        )
    if not stat.S_ISREG(st.st_mode):
        kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a regular file")
        raise OutputError(f"is {what}{kind}, not a file", path=str(path), fix=_NOT_REGULAR_FIX)
    return target


@contextlib.contextmanager
def atomic_open(
    path: str | Path, *, text: bool = False, inputs: Iterable[str | Path] = ()
) -> Iterator[IO]:
    """Open a temporary file beside `path` for writing; on success it replaces `path`.

    `path` must pass `check_output` (against `inputs`). If the body of the `with` block raises,
    the temporary file is removed and the exception propagates unchanged (an `OSError` from
    writing becomes an `OutputError`). The destination is only touched by the final rename.
    """
    path = check_output(path, inputs)
    folder = path.parent if str(path.parent) else Path(".")
    sweep_stale_temps(path)
    tmp, fd = _create_temp(path, folder)
    _OPEN_TEMPS.add(tmp)
    _OPEN_TEMPS_BY_FD[fd] = tmp
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
    finally:
        _OPEN_TEMPS.discard(tmp)
        _OPEN_TEMPS_BY_FD.pop(fd, None)
    _fsync_folder(folder)


@contextlib.contextmanager
def atomic_path(path: str | Path, *, inputs: Iterable[str | Path] = ()) -> Iterator[Path]:
    """As `atomic_open`, for a writer that needs a file name (SQLite): yields the temporary
    file's path (created empty); on success it is fsynced and renamed over `path`."""
    with atomic_open(path, inputs=inputs) as handle:
        tmp = _OPEN_TEMPS_BY_FD[handle.fileno()]
        yield tmp
        with open(tmp, "rb+") as written:
            os.fsync(written.fileno())


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
        tmp = folder / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
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


def temp_pattern(path: Path) -> re.Pattern[str]:
    """Names of the temporary files `atomic_open` makes for `path` (group 1: the writer's pid)."""
    return re.compile(re.escape(f".{path.name}.") + r"(\d+)-[0-9a-f]{8}\.tmp")


def sweep_stale_temps(path: str | Path) -> list[Path]:
    """Remove temporary files left beside `path` by writers that no longer run; return them.

    A writer is known by the pid in the name; a live process's file is never touched. (On a
    folder shared between machines a pid names a process of this machine only: such folders
    should not be written from several machines at once.)"""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    pattern = temp_pattern(path)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and not writer_alive(int(match.group(1))):
            tmp = Path(entry.path)
            _remove_quietly(tmp)
            removed.append(tmp)
    return removed


def remove_open_temps() -> None:
    """Remove the temporary files this process is writing (for a watchdog about to exit)."""
    for tmp in list(_OPEN_TEMPS):
        _remove_quietly(tmp)


def writer_alive(pid: int) -> bool:
    """Whether the writer `pid` of a temporary file may still be running (then it is kept)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or a pid this system cannot have: leave it
    except OSError:
        return True
    return True


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


__all__ = [
    "check_output",
    "note_input",
    "open_regular",
    "atomic_open",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "remove_open_temps",
    "sweep_stale_temps",
    "temp_pattern",
]
