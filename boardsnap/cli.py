"""The `boardsnap` command. The only module that imports click.

stdout carries results (JSON, CSV, paths of written reports); everything else (progress, the
one-line summary, warnings, errors) goes to stderr. Errors are caught once, here: each
`BoardSnapError` becomes its one-line message and its exit code (see the table in README.md).
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from boardsnap.config import Config
from boardsnap.document import Board, board_to_rows
from boardsnap.errors import BoardSnapError, ExitCode, InvalidDocument, OutputError

log = logging.getLogger("boardsnap")


# ---- shared options --------------------------------------------------------------------------


def timeout_option(fn: Callable) -> Callable:
    return click.option(
        "--timeout",
        type=click.FloatRange(0.0, 1e6),
        default=None,
        metavar="SECONDS",
        help="Give up on a photo or document after this long, exit 8 (0: never) [default: 120].",
    )(fn)


def verbosity_options(fn: Callable) -> Callable:
    fn = click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv: debug).")(fn)
    fn = click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")(fn)
    return fn


def photo_options(fn: Callable) -> Callable:
    """Options of every command that reads a photo."""
    decorators = [
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            help="TOML file with settings (sections as in boardsnap/config.py).",
        ),
        click.option(
            "--near-miss",
            type=click.FloatRange(0.0, 1.0, min_open=True),
            default=None,
            help="Budget used from which a met row is a near miss [default: 0.9].",
        ),
        click.option(
            "--date-order",
            type=click.Choice(["mdy", "dmy"]),
            default=None,
            help="How to read short dates like 03/04 [default: mdy].",
        ),
        click.option(
            "--engine",
            type=click.Choice(["auto", "rapidocr", "tesserocr", "pytesseract"]),
            default=None,
            help="OCR engine [default: auto: the first installed of "
            "rapidocr, tesserocr, pytesseract].",
        ),
        click.option(
            "--debug-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Write each stage's picture (outline, rectified board, grid, crops) here.",
        ),
        timeout_option,
        verbosity_options,
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def report_options(fn: Callable) -> Callable:
    """Options of every command that writes a report."""
    decorators = [
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Report file [default: the input's name with .pdf, beside it].",
        ),
        click.option(
            "-f",
            "--format",
            "fmt",
            type=click.Choice(["pdf", "html"]),
            default=None,
            help="Report format [default: from the output's suffix, else pdf].",
        ),
        click.option(
            "--paper",
            type=click.Choice(["A4", "Letter"]),
            default=None,
            help="PDF paper size [default: A4].",
        ),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def build_config(
    config_file: str | None,
    near_miss: float | None = None,
    date_order: str | None = None,
    engine: str | None = None,
    paper: str | None = None,
    timeout: float | None = None,
) -> Config:
    cfg = Config.from_file(config_file) if config_file else Config()
    return cfg.with_overrides(
        judge={"near_miss_at": near_miss},
        parse={"date_order": date_order},
        ocr={"engine": engine},
        report={"paper": paper},
        limits={"photo_seconds": timeout},
    )


@contextlib.contextmanager
def bounded(cfg: Config, path: Path) -> Iterator[None]:
    """The work on one photo or document, within `limits.photo_seconds` (exit 8 past it)."""
    from boardsnap.limits import Watchdog, time_limit

    seconds = cfg.limits.photo_seconds
    with (
        Watchdog(seconds, str(path), cfg.limits.hang_grace_seconds),
        time_limit(seconds, str(path)),
    ):
        yield


def setup_logging(verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("boardsnap: %(message)s"))
    root = logging.getLogger("boardsnap")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def handle_errors(fn: Callable) -> Callable:
    """Turn every failure into one line on stderr and a documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verbose = kwargs.get("verbose", 0)
        try:
            return fn(*args, **kwargs)
        except BoardSnapError as exc:
            if verbose:
                traceback.print_exc()
            click.echo(f"boardsnap: error: {exc.one_line()}", err=True)
            sys.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            click.echo("boardsnap: interrupted", err=True)
            sys.exit(int(ExitCode.INTERRUPTED))
        except click.exceptions.Exit:
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence: never a bare traceback
            if verbose:
                traceback.print_exc()
            detail = (str(exc).strip().splitlines() or [""])[0][:200]
            click.echo(
                f"boardsnap: internal error: {type(exc).__name__}: {detail}; "
                "please report it with the output of the same command run with -v",
                err=True,
            )
            sys.exit(int(ExitCode.INTERNAL))

    return wrapper


def summary_line(board: Board) -> str:
    c = board.counts()
    review = sum(m.needs_review for m in board.metrics) + sum(a.needs_review for a in board.actions)
    text = (
        f"{board.source}: {len(board.metrics)} metrics "
        f"({c['met']} met, {c['near_miss']} near miss, "
        f"{c['breach']} breach, {c['unknown']} unknown), {len(board.actions)} actions"
    )
    if review:
        text += f"; {review} need review"
    return text


def _report_format(output: Path | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if output is not None and output.suffix.lower() in (".html", ".htm"):
        return "html"
    if output is not None and output.suffix.lower() not in ("", ".pdf"):
        raise click.UsageError(
            f"cannot tell the format from {output.name!r}; add --format html|pdf"
        )
    return "pdf"


# ---- commands --------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="boardsnap")
def cli() -> None:
    """Turn a photo of an SLA review whiteboard into a compliance report."""


@cli.command()
@click.argument("photo", type=click.Path(path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="json: the board document; csv: the metrics table.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of stdout.",
)
@photo_options
@handle_errors
def extract(
    photo: Path,
    fmt: str,
    output: Path | None,
    config_file: str | None,
    near_miss: float | None,
    date_order: str | None,
    engine: str | None,
    debug_dir: Path | None,
    timeout: float | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Read PHOTO and print its board document (JSON) or metrics table (CSV)."""
    from boardsnap.pipeline import Pipeline

    setup_logging(verbose, quiet)
    cfg = build_config(config_file, near_miss, date_order, engine, timeout=timeout)
    with bounded(cfg, photo):
        result = Pipeline(cfg).extract(photo, debug_dir)
        if fmt == "json":
            text = result.board.to_json()
        else:
            import pandas as pd

            buf = io.StringIO()
            pd.DataFrame(board_to_rows(result.board)).to_csv(buf, index=False)
            text = buf.getvalue()
        _emit(text, output)
    if not quiet:
        click.echo(summary_line(result.board), err=True)


@cli.command()
@click.argument("photo", type=click.Path(path_type=Path))
@report_options
@photo_options
@handle_errors
def report(
    photo: Path,
    output: Path | None,
    fmt: str | None,
    paper: str | None,
    config_file: str | None,
    near_miss: float | None,
    date_order: str | None,
    engine: str | None,
    debug_dir: Path | None,
    timeout: float | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Read PHOTO and write its compliance report (PDF or HTML)."""
    from boardsnap import report as report_stage
    from boardsnap.pipeline import Pipeline

    setup_logging(verbose, quiet)
    fmt = _report_format(output, fmt)
    cfg = build_config(config_file, near_miss, date_order, engine, paper, timeout)
    with bounded(cfg, photo):
        result = Pipeline(cfg).extract(photo, debug_dir)
        target = output or photo.with_suffix("." + fmt)
        evidence = report_stage.Evidence(board_image=result.rectified.image)
        written = report_stage.write_report(result.board, target, fmt, cfg.report, evidence)
    if not quiet:
        click.echo(summary_line(result.board), err=True)
    click.echo(str(written))


@cli.command()
@click.argument("document", type=click.Path(path_type=Path))
@report_options
@click.option(
    "--near-miss",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=None,
    help="Re-judge every row with this near-miss threshold.",
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings.")
@timeout_option
@verbosity_options
@handle_errors
def render(
    document: Path,
    output: Path | None,
    fmt: str | None,
    paper: str | None,
    near_miss: float | None,
    config_file: str | None,
    timeout: float | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Write the report of a board DOCUMENT (JSON), e.g. one a person corrected."""
    from boardsnap import judge
    from boardsnap import report as report_stage

    setup_logging(verbose, quiet)
    fmt = _report_format(output, fmt)
    cfg = build_config(config_file, near_miss, paper=paper, timeout=timeout)
    with bounded(cfg, document):
        board = read_document(document, cfg.limits.document_bytes)
        if near_miss is not None:
            board = judge.judge_board(board, cfg.judge)
        target = output or document.with_suffix("." + fmt)
        written = report_stage.write_report(board, target, fmt, cfg.report, None)
    click.echo(str(written))


@cli.command()
@verbosity_options
@handle_errors
def doctor(verbose: int, quiet: bool) -> None:
    """Check Tesseract, its English data, OpenCV and WeasyPrint; print what fixes a problem."""
    from boardsnap.doctor import all_ok, run_checks

    checks = run_checks()
    for check in checks:
        mark = "ok  " if check.ok else ("FAIL" if check.required else "warn")
        optional = "" if check.required else " (optional)"
        click.echo(f"{mark} {check.name}{optional}: {check.detail}")
        if not check.ok and check.fix:
            click.echo(f"     fix: {check.fix}")
    if not all_ok(checks):
        sys.exit(int(ExitCode.MISSING_DEPENDENCY))


# ---- helpers ---------------------------------------------------------------------------------


def read_document(path: Path, max_bytes: int = 20_000_000) -> Board:
    """The board document at `path` (UTF-8, a byte-order mark allowed); `InvalidDocument` with
    one line naming the file for anything else."""
    name = str(path)
    if not path.exists():
        what = "a broken or looping link" if path.is_symlink() else "no such file"
        raise InvalidDocument(what, path=name, fix="check the path")
    if path.is_dir():
        raise InvalidDocument("is a folder", path=name, fix="give a board JSON file")
    if not path.is_file():
        raise InvalidDocument("not a regular file", path=name, fix="give a board JSON file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InvalidDocument(f"cannot read ({exc.strerror or exc})", path=name) from None
    if len(raw) > max_bytes:
        raise InvalidDocument(
            f"larger than {max_bytes / 1e6:g} MB, no board document is",
            path=name,
            fix="give the board JSON (or raise limits.document_bytes in the config)",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidDocument(
            f"not UTF-8 text (byte {exc.start})", path=name, fix="save the document as UTF-8"
        ) from None
    try:
        return Board.from_json(text)
    except InvalidDocument as exc:
        raise InvalidDocument(
            exc.message, path=str(path), fix="fix the document (see spec/board.md)"
        ) from None


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise OutputError("stdout was closed") from None
        return
    from boardsnap.fileio import atomic_write_text

    atomic_write_text(output, text)
    click.echo(str(output))


def main() -> None:
    cli(prog_name="boardsnap")


if __name__ == "__main__":
    main()
