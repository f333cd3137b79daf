"""Exit codes and the errors that carry them.

Every error BoardSnap raises on purpose is a `BoardSnapError`: it knows its exit code and says,
in one line, what went wrong with which file and how to fix it. The CLI catches them once.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    INTERNAL = 1  # a bug: please report it with the output of `-v`
    USAGE = 2  # wrong command-line options (click's own code)
    BAD_INPUT = 3  # the photo is missing, unreadable, not an image, or too large
    NO_TABLE = 4  # the photo was read, but holds no SLA table
    MISSING_DEPENDENCY = 5  # Tesseract, its English data or WeasyPrint's libraries are missing
    INVALID_DOCUMENT = 6  # a board JSON document that cannot be used
    OUTPUT_ERROR = 7  # the report or document could not be written
    TIMEOUT = 8  # a photo took longer than the configured limit
    DATABASE = 9  # the review history cannot be opened, reached, or is of a newer schema
    NOT_FOUND = 10  # no such action (or review) in the review history
    BATCH_PARTIAL = 11  # batch: some photos were not converted (failed, or no table on them)
    SCHEDULER = 12  # batch: the Dask scheduler cannot be reached
    INTERRUPTED = 130  # Ctrl-C


class BoardSnapError(Exception):
    """Base class: `str(err)` is the one-line message, `err.exit_code` the process exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, path: str | None = None, fix: str | None = None):
        self.message = message
        self.path = path
        self.fix = fix
        super().__init__(self.one_line())

    def one_line(self) -> str:
        # a library that re-raises our error may have appended lines to the message
        message = (str(self.message).strip().splitlines() or [""])[0]
        parts = [f"{self.path}: {message}" if self.path else message]
        if self.fix:
            parts.append(self.fix)
        return "; ".join(parts)


class UsageError(BoardSnapError):
    """Options that cannot be honoured (e.g. `--redact` naming no metric on the board)."""

    exit_code = ExitCode.USAGE


class BadInput(BoardSnapError):
    exit_code = ExitCode.BAD_INPUT


class NoTableFound(BoardSnapError):
    exit_code = ExitCode.NO_TABLE

    def __init__(self, path: str | None = None, detail: str | None = None):
        message = "no SLA table found" + (f" ({detail})" if detail else "")
        super().__init__(
            message,
            path=path,
            fix="photograph the whole board with the Metric | Target | Actual table in view, "
            "or run with --debug-dir DIR to see what was detected",
        )


class MissingDependency(BoardSnapError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class InvalidDocument(BoardSnapError):
    exit_code = ExitCode.INVALID_DOCUMENT


class OutputError(BoardSnapError):
    exit_code = ExitCode.OUTPUT_ERROR


class PhotoTimeout(BoardSnapError):
    exit_code = ExitCode.TIMEOUT


class DatabaseError(BoardSnapError):
    """The review history: a bad location or URL, an unreachable server, a locked or foreign
    file, a schema newer than this BoardSnap."""

    exit_code = ExitCode.DATABASE


class NotFound(BoardSnapError):
    exit_code = ExitCode.NOT_FOUND


class SchedulerUnreachable(BoardSnapError):
    exit_code = ExitCode.SCHEDULER


class WorkerCrashed(BoardSnapError):
    """A worker process died (segfault, out of memory, killed) while converting a photo."""

    exit_code = ExitCode.INTERNAL
