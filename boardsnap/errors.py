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
    CONTRACT_DIFFERS = 13  # slo check: a commitment on the board differs from the contract
    INTERRUPTED = 130  # Ctrl-C


# Every exit code: what it means and what to do. The README's table is printed from this
# (`python -m boardsnap.errors`), and a test holds the README, every command's help and this
# table together.
EXIT_CODE_TABLE: dict[ExitCode, tuple[str, str]] = {
    ExitCode.OK: ("done", ""),
    ExitCode.INTERNAL: ("internal error (a bug)", "rerun with `-v` and report the output"),
    ExitCode.USAGE: (
        "wrong command-line usage (also `--redact` naming no metric on the board; `serve` "
        "beyond localhost without a token)",
        "see `boardsnap COMMAND --help`",
    ),
    ExitCode.BAD_INPUT: (
        "the photo is missing, unreadable, not an image, or too large; a bad config file, "
        "branding colour or logo",
        "give a JPEG/PNG/WebP/TIFF/HEIC photo; fix the setting named",
    ),
    ExitCode.NO_TABLE: (
        "no SLA table found on the photo",
        "photograph the whole board; `--debug-dir` shows what was seen",
    ),
    ExitCode.MISSING_DEPENDENCY: (
        "a dependency is missing (RapidOCR or its model files, onnxruntime, Tesseract, its "
        "English data, WeasyPrint's libraries)",
        "run `boardsnap doctor`",
    ),
    ExitCode.INVALID_DOCUMENT: (
        "the board JSON document cannot be used (`validate` names the first bad field)",
        "fix it as the message says (see [docs/board.md](docs/board.md))",
    ),
    ExitCode.OUTPUT_ERROR: (
        "the output could not be written",
        "check the folder exists and is writable",
    ),
    ExitCode.TIMEOUT: (
        "a photo (or document) took longer than the limit",
        "raise it with `--timeout` or `[limits] photo_seconds`",
    ),
    ExitCode.DATABASE: (
        "the review history cannot be used: bad `--db` path or URL, server unreachable, not a "
        "history file, schema newer than this BoardSnap",
        "fix the location or start the server; upgrade boardsnap for a newer schema",
    ),
    ExitCode.NOT_FOUND: (
        "no such action (or service) in the review history",
        "`boardsnap actions` lists them",
    ),
    ExitCode.BATCH_PARTIAL: (
        "`batch`: some photos got no report (they failed, or hold no table)",
        "see OUTDIR/failed.txt; fix or remove them and run again",
    ),
    ExitCode.SCHEDULER: (
        "`batch --scheduler`: the Dask scheduler cannot be reached",
        "check the address; start it with `dask scheduler`",
    ),
    ExitCode.CONTRACT_DIFFERS: (
        "`slo check`: a commitment on the board differs from the SLO contract",
        "correct the board's document or the contract; the table says which",
    ),
    ExitCode.INTERRUPTED: ("interrupted (Ctrl-C)", ""),
}


def exit_code_markdown() -> str:
    """The README's exit-code table, from EXIT_CODE_TABLE."""
    lines = ["| code | meaning | what to do |", "| --- | --- | --- |"]
    for code, (meaning, fix) in EXIT_CODE_TABLE.items():
        lines.append(f"| {int(code)} | {meaning} | {fix} |".replace("|  |", "| |"))
    return "\n".join(lines) + "\n"


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


if __name__ == "__main__":
    print(exit_code_markdown(), end="")
