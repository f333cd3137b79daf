"""The `boardsnap` command. The only module that imports click.

stdout carries results (JSON, CSV, paths of written reports); everything else (progress, the
one-line summary, warnings, errors) goes to stderr. Errors are caught once, here: each
`BoardSnapError` becomes its one-line message and its exit code (see the table in README.md).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from boardsnap.config import Config
from boardsnap.document import Board
from boardsnap.errors import BoardSnapError, ExitCode, InvalidDocument, OutputError
from boardsnap.fileio import check_output

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
        click.option(
            "--audience",
            type=click.Choice(["internal", "customer"]),
            default=None,
            help="customer: no owners' names, review crops or raw OCR text [default: internal].",
        ),
        click.option(
            "--redact",
            "redact",
            metavar="METRIC",
            multiple=True,
            help="Leave this metric out everywhere (repeatable); it must be on the board.",
        ),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def report_settings(
    config_file: str | None, audience: str | None, redact: tuple[str, ...], **overrides: Any
) -> tuple[Config, Any]:
    """The config and the `ReportOptions` of a report command (branding read and checked)."""
    from boardsnap.report.branding import load_branding
    from boardsnap.report.render import ReportOptions

    cfg = build_config(config_file, **overrides)
    if audience:
        cfg = cfg.with_overrides(report={"audience": audience})
    options = ReportOptions(
        audience=cfg.report.audience,
        redact=tuple(redact),
        branding=load_branding(cfg.report),
    )
    return cfg, options


def notify_option(fn: Callable) -> Callable:
    """--notify: webhook URLs that get the event (beside `[notify] webhooks` of the config)."""
    return click.option(
        "--notify",
        "notify_urls",
        metavar="URL",
        multiple=True,
        callback=_http_urls,
        help="POST a JSON event to this webhook (Slack, Mattermost, Teams, a script); "
        "repeatable. A failed delivery is kept and never fails the command.",
    )(fn)


def _http_urls(ctx: click.Context, param: click.Parameter, urls: tuple[str, ...]) -> tuple:
    for url in urls:
        if not url.lower().startswith(("http://", "https://")):
            raise click.BadParameter(f"{url!r} is not an http(s):// URL", ctx, param)
    return urls


def _notify(cfg: Config, urls: tuple[str, ...], event: dict[str, Any], quiet: bool) -> None:
    """Send `event` to the config's webhooks and `urls`; one line per delivery on stderr."""
    from boardsnap import notify

    targets = (*cfg.notify.webhooks, *urls)
    if not targets:
        return
    for delivery in notify.deliver(event, targets, cfg.notify):
        if not delivery.ok or not quiet:
            click.echo(f"boardsnap: {delivery.line()}", err=True)


def slo_option(fn: Callable) -> Callable:
    """--slo: the SLO contract (OpenSLO or sloth files) the board is checked against."""
    return click.option(
        "--slo",
        "slo_files",
        metavar="FILE|DIR",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Check the board against these OpenSLO or sloth SLO files (repeatable; a folder "
        "takes its .yaml/.yml files) [also: [slo] files in the config].",
    )(fn)


def _contract(cfg: Config, files: tuple[Path, ...]) -> Any:
    """The SLO contract of `[slo] files` and --slo, or None when neither names a file."""
    paths = [*cfg.slo.files, *files]
    if not paths:
        return None
    from boardsnap import slo as contract_stage

    return contract_stage.load_contract(paths)


def _with_slo(cfg: Config, files: tuple[Path, ...]) -> Config:
    """`cfg` with --slo's files added to `[slo] files`, every file read once here so that a bad
    one fails before any photo is read (exit 6)."""
    if files:
        cfg = cfg.with_overrides(slo={"files": (*cfg.slo.files, *map(str, files))})
    _contract(cfg, ())
    return cfg


def _checked(board: Board, contract: Any, cfg: Config) -> Board:
    if contract is None:
        return board
    from boardsnap import slo as contract_stage

    checked = contract_stage.check(board, contract, cfg.judge)
    for row in contract_stage.rows(checked):
        if row.result == "differs":
            log.warning(
                "%s: %s differs from the contract: board says %s, contract says %s",
                board.source or "board",
                row.metric,
                row.board,
                row.contract,
            )
    return checked


def db_option(fn: Callable) -> Callable:
    """--db: where the review history lives."""
    return click.option(
        "--db",
        "db",
        metavar="PATH|URL",
        default=None,
        help="Review history: an SQLite file or postgresql://user@host/db "
        "[default: $BOARDSNAP_DB, else ~/.local/share/boardsnap/history.db].",
    )(fn)


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
        except (click.exceptions.Exit, click.ClickException):
            raise  # click prints these itself, with their own exit code (2 for usage)
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
    type=click.Choice(["json", "csv", "xlsx", "openslo"]),
    default="json",
    show_default=True,
    help="json: the board document; csv: the metrics table; xlsx: metrics, actions and root "
    "causes as a workbook (needs -o); openslo: one OpenSLO v1 SLO document per commitment (YAML).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of stdout.",
)
@slo_option
@photo_options
@handle_errors
def extract(
    photo: Path,
    fmt: str,
    output: Path | None,
    slo_files: tuple[Path, ...],
    config_file: str | None,
    near_miss: float | None,
    date_order: str | None,
    engine: str | None,
    debug_dir: Path | None,
    timeout: float | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Read PHOTO and print its board document (JSON), metrics table (CSV, XLSX) or SLOs."""
    from boardsnap.reading.pipeline import Pipeline
    from boardsnap.report.export import BINARY_FORMATS, export

    setup_logging(verbose, quiet)
    if fmt in BINARY_FORMATS and output is None:
        raise click.UsageError(f"--format {fmt} is binary: give the file with -o FILE.{fmt}")
    cfg = _with_slo(
        build_config(config_file, near_miss, date_order, engine, timeout=timeout), slo_files
    )
    if output is not None:
        check_output(output, inputs=[photo])
    with bounded(cfg, photo):
        board = Pipeline(cfg).extract(photo, debug_dir).board  # checked against [slo] files
        _emit(export(board, fmt, cfg.export), output)
    if not quiet:
        click.echo(summary_line(board), err=True)


@cli.command()
@click.argument("photo", type=click.Path(path_type=Path))
@report_options
@click.option(
    "--save", is_flag=True, help="Also record the review in the history (see boardsnap history)."
)
@db_option
@notify_option
@slo_option
@photo_options
@handle_errors
def report(
    photo: Path,
    output: Path | None,
    fmt: str | None,
    paper: str | None,
    audience: str | None,
    redact: tuple[str, ...],
    save: bool,
    db: str | None,
    notify_urls: tuple[str, ...],
    slo_files: tuple[Path, ...],
    config_file: str | None,
    near_miss: float | None,
    date_order: str | None,
    engine: str | None,
    debug_dir: Path | None,
    timeout: float | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Read PHOTO and write its compliance report (PDF or HTML).

    PHOTO may also be a board document (.json): it is then reported as `render` does, judged
    again from its values. With --save the review is recorded in the history; with --save, --db
    or $BOARDSNAP_DB the report also shows what happened since the service's previous review."""
    from boardsnap import api
    from boardsnap.reading.pipeline import Pipeline

    setup_logging(verbose, quiet)
    fmt = _report_format(output, fmt)
    cfg, options = report_settings(
        config_file,
        audience,
        redact,
        near_miss=near_miss,
        date_order=date_order,
        engine=engine,
        paper=paper,
        timeout=timeout,
    )
    document = photo.suffix.lower() == ".json"
    cfg = _with_slo(cfg, slo_files)
    target = output or photo.with_suffix("." + fmt)
    check_output(target, inputs=[photo])  # before the photo is read: exit 7, nothing done
    with bounded(cfg, photo), _maybe_history(db, cfg, wanted=save) as history:
        if document:
            board, image = _checked(judged_document(photo, cfg), _contract(cfg, ()), cfg), None
        else:  # the pipeline checks the board against [slo] files
            result = Pipeline(cfg).extract(photo, debug_dir)
            board, image = result.board, result.rectified.image
        context = None
        saved = []
        if history is not None:
            from boardsnap.history.store import file_sha256

            photo_hash = None if document else file_sha256(photo)
            if save:
                result = history.save(board, photo_hash)
                _report_saved(board, result, quiet)
                saved.append((board, result))
            context = history.report_context(board, photo_hash)
        written = api.render_report(
            board,
            target,
            config=cfg,
            fmt=fmt,
            board_image=image,
            history=context,
            options=options,
        )
    if not quiet:
        click.echo(summary_line(board), err=True)
    click.echo(str(written))
    if notify_urls and not save:
        log.warning("--notify sends an event when a review is saved: add --save")
    _notify_saved(cfg, notify_urls, saved, str(Path(written).resolve()), quiet)


@cli.command()
@click.argument("document", type=click.Path(path_type=Path))
@report_options
@click.option(
    "--near-miss",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=None,
    help="Budget used from which a met row is a near miss [default: 0.9, or the config's].",
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings.")
@slo_option
@db_option
@timeout_option
@verbosity_options
@handle_errors
def render(
    document: Path,
    output: Path | None,
    fmt: str | None,
    paper: str | None,
    audience: str | None,
    redact: tuple[str, ...],
    near_miss: float | None,
    config_file: str | None,
    slo_files: tuple[Path, ...],
    db: str | None,
    timeout: float | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Write the report of a board DOCUMENT (JSON), e.g. one a person corrected.

    Every row is judged again from its target and actual (a stored status that differs is said
    on stderr); a row keeps another status only through its "status_override". With --db or
    $BOARDSNAP_DB the report shows the service's earlier reviews."""
    from boardsnap import api

    setup_logging(verbose, quiet)
    fmt = _report_format(output, fmt)
    cfg, options = report_settings(
        config_file, audience, redact, near_miss=near_miss, paper=paper, timeout=timeout
    )
    contract = _contract(cfg, slo_files)
    target = output or document.with_suffix("." + fmt)
    check_output(target, inputs=[document])  # never the document itself: exit 7, nothing done
    with bounded(cfg, document):
        board = _checked(judged_document(document, cfg), contract, cfg)
        with _maybe_history(db, cfg) as history:
            context = history.report_context(board) if history is not None else None
            written = api.render_report(
                board,
                target,
                config=cfg,
                fmt=fmt,
                history=context,
                options=options,
            )
    click.echo(str(written))


@cli.command()
@click.argument("documents", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--schema", "show_schema", is_flag=True, help="Print the JSON Schema's path first.")
@verbosity_options
@handle_errors
def validate(documents: tuple[Path, ...], show_schema: bool, verbose: int, quiet: bool) -> None:
    """Check board DOCUMENTS (JSON) against the board document's JSON Schema (docs/board.md).

    Prints each valid document's path; the first invalid one stops with exit 6, naming its
    first bad field by its path (e.g. metrics[1].target.op)."""
    from boardsnap import contract

    setup_logging(verbose, quiet)
    if show_schema:
        click.echo(contract.schema_path())
    for path in documents:
        text = _document_text(path)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidDocument(f"not JSON ({str(exc)[:80]})", path=str(path)) from None
        except RecursionError:
            raise InvalidDocument("JSON nested too deeply", path=str(path)) from None
        try:
            board = contract.validate(data)
        except InvalidDocument as exc:
            raise InvalidDocument(exc.message, path=str(path), fix=DOCUMENT_FIX) from None
        click.echo(str(path))
        if not quiet:
            click.echo(
                f"{path}: a valid board document ({_count(len(board.metrics), 'metric')}, "
                f"{_count(len(board.actions), 'action')})",
                err=True,
            )


# ---- the review history ----------------------------------------------------------------------


@cli.command()
@click.argument("documents", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@notify_option
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings.")
@verbosity_options
@handle_errors
def save(
    documents: tuple[Path, ...],
    db: str | None,
    notify_urls: tuple[str, ...],
    config_file: str | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Record board DOCUMENTS (JSON) as reviews in the history.

    Every row is judged again from its values first (as `render` does). Prints each review's
    id; a document saved before is not recorded twice."""
    setup_logging(verbose, quiet)
    cfg = build_config(config_file)
    boards = [judged_document(path, cfg) for path in documents]  # every document checked first
    saved = []
    with _open_history(db, cfg) as history:
        for board in boards:
            result = history.save(board)
            _report_saved(board, result, quiet)
            saved.append((board, result))
    _notify_saved(cfg, notify_urls, saved, None, quiet)


def _notify_saved(
    cfg: Config,
    urls: tuple[str, ...],
    saved: list[tuple[Board, Any]],
    report: str | None,
    quiet: bool,
) -> None:
    """A review.saved event for each review this command created (not for one saved before)."""
    from boardsnap import notify

    for board, result in saved:
        if result.created:
            _notify(cfg, urls, notify.review_saved(board, result.review_id, report), quiet)


@cli.command()
@click.argument("service", required=False)
@click.option("--metric", "metric", help="Only this metric (case and spacing do not matter).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to print the rows.",
)
@db_option
@verbosity_options
@handle_errors
def history(
    service: str | None, metric: str | None, fmt: str, db: str | None, verbose: int, quiet: bool
) -> None:
    """Reviews over time: each metric's target, actual and status per review (of SERVICE)."""
    from boardsnap.history.store import normalise_key

    setup_logging(verbose, quiet)
    with _open_history(db, build_config(None)) as store:
        reviews = store.reviews(service)
        services = store.services()
    if service and not reviews:
        from boardsnap.errors import NotFound

        known = ", ".join(services) or "none yet"
        raise NotFound(f"no reviews of {service!r} in the history", fix=f"services: {known}")
    rows = [
        {
            "review_id": r.id,
            "review_date": r.review_date,
            "service": r.service,
            "metric": m.name,
            "target": m.target_text,
            "target_op": m.target_op,
            "target_value": m.target_value,
            "target_unit": m.target_unit,
            "actual": m.actual_text,
            "actual_value": m.actual_value,
            "actual_unit": m.actual_unit,
            "status": m.status + (" (overruled)" if m.override_reason else ""),
            "budget_used": m.budget_used,
            "overruled": m.override_reason,
            "judged_status": m.judged_status,
        }
        for r in reviews
        for m in r.metrics
        if metric is None or normalise_key(m.name) == normalise_key(metric)
    ]
    columns = ["review_date", "service", "metric", "target", "actual", "status", "budget_used"]
    if fmt != "table":  # plain words for scripts: the status, and the ruling on its own
        for row in rows:
            row["status"] = row["status"].removesuffix(" (overruled)")
    _print_rows(rows, fmt, columns, {"budget_used": _percent})
    if not quiet:
        click.echo(f"{_count(len(reviews), 'review')}, {_count(len(rows), 'metric row')}", err=True)


@cli.group(invoke_without_command=True)
@click.option("--service", help="Only this service's actions.")
@click.option("--open", "open_only", is_flag=True, help="Only actions not done.")
@click.option("--overdue", is_flag=True, help="Only actions past their due date and not done.")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Overdue as of this day [default: today].",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="How to print the list; csv: one issue per action, for Jira's CSV importer or gh.",
)
@db_option
@notify_option
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings.")
@verbosity_options
@click.pass_context
@handle_errors
def actions(
    ctx: click.Context,
    service: str | None,
    open_only: bool,
    overdue: bool,
    as_of: Any,
    fmt: str,
    db: str | None,
    notify_urls: tuple[str, ...],
    config_file: str | None,
    verbose: int,
    quiet: bool,
) -> None:
    """List the actions of saved reviews; `actions set` and `actions show` change and explain one.

    Status is open, in_progress or done; an action is overdue when past its due date and not
    done (in JSON, `overdue` is its own true/false). An action written again on a later board
    keeps its id and status, done included: reopening one is `actions set ID open`."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    ctx.obj["as_of"] = as_of
    if ctx.invoked_subcommand is not None:
        return
    setup_logging(verbose, quiet)
    if notify_urls and not overdue:
        raise click.UsageError("--notify sends the overdue actions: add --overdue")
    cfg = build_config(config_file)
    today = as_of.date() if as_of else None
    with _open_history(db, cfg) as store:
        records = store.actions(service, open_only=open_only, overdue=overdue, today=today)
    if fmt == "csv":
        from boardsnap.report.export import actions_to_tracker_csv

        _emit(actions_to_tracker_csv(records), None)
    else:
        rows = [_action_row(a) for a in records]
        columns = ["id", "service", "metric", "status", "due", "owner", "text"]
        if fmt == "table":
            for row in rows:
                row["status"] += " OVERDUE" if row["overdue"] else ""
        _print_rows(rows, fmt, columns, {})
    if not quiet:
        click.echo(_count(len(records), "action"), err=True)
    if overdue and (notify_urls or cfg.notify.webhooks):
        from datetime import date

        from boardsnap import notify

        if records:
            event = notify.actions_overdue(records, (today or date.today()).isoformat())
            _notify(cfg, notify_urls, event, quiet)
        elif not quiet:
            click.echo("boardsnap: no action is overdue: nothing sent", err=True)


ACTION_ID = click.IntRange(1, 2**63 - 1)  # the history's ids are 64-bit


@actions.command("set")
@click.argument("action_id", metavar="ID", type=ACTION_ID)
@click.argument("status", type=click.Choice(["open", "in_progress", "done"]))
@click.option("--note", default="", help="Why, or what was done (kept in the audit trail).")
@db_option
@verbosity_options
@click.pass_context
@handle_errors
def actions_set(
    ctx: click.Context,
    action_id: int,
    status: str,
    note: str,
    db: str | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Set action ID's status to open, in_progress or done; the change joins its audit trail."""
    setup_logging(verbose, quiet)
    with _open_history(db or (ctx.obj or {}).get("db"), build_config(None)) as store:
        record = store.set_action_status(action_id, status, note)
    click.echo(_action_line(record))


@actions.command("show")
@click.argument("action_id", metavar="ID", type=ACTION_ID)
@db_option
@verbosity_options
@click.pass_context
@handle_errors
def actions_show(
    ctx: click.Context, action_id: int, db: str | None, verbose: int, quiet: bool
) -> None:
    """Show action ID and its audit trail: every status change with its time, oldest first."""
    setup_logging(verbose, quiet)
    as_of = (ctx.obj or {}).get("as_of")
    with _open_history(db or (ctx.obj or {}).get("db"), build_config(None)) as store:
        record = store.action(action_id, today=as_of.date() if as_of else None)
        events = store.action_events(action_id)
    click.echo(_action_line(record))
    click.echo(f"  {record.text}")
    click.echo(
        f"  owner {record.owner or 'unassigned'}, due {record.due or 'no date'}; "
        f"listed in review{'s' if len(record.reviews) != 1 else ''} "
        + ", ".join(str(r) for r in record.reviews)
    )
    click.echo("  trail:")
    for e in events:
        where = f" (review {e.review_id})" if e.review_id else ""
        note = f"  {e.note}" if e.note else ""
        click.echo(f"  {e.at}  {e.status:<11}  {e.origin:<9}{note}{where}".rstrip())


@cli.group()
def slo() -> None:
    """The SLO contract beside the board: check a board's commitments against OpenSLO or
    sloth files (`extract`, `report` and `render` take --slo too)."""


@slo.command("check")
@click.argument("document", type=click.Path(path_type=Path))
@slo_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="How to print the rows.",
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings.")
@verbosity_options
@handle_errors
def slo_check(
    document: Path,
    slo_files: tuple[Path, ...],
    fmt: str,
    config_file: str | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Compare the commitments of a board DOCUMENT (JSON) with the SLO contract.

    Prints each row's target on the board and in the contract; exit 13 when a commitment
    differs (for the CI of an SLO repository), 0 when every one is as contracted or absent."""
    from dataclasses import asdict

    from boardsnap import slo as contract_stage

    setup_logging(verbose, quiet)
    cfg = build_config(config_file)
    contract = _contract(cfg, slo_files)
    if contract is None:
        raise click.UsageError("give the contract: --slo FILE (or [slo] files in --config)")
    board = contract_stage.check(judged_document(document, cfg), contract, cfg.judge)
    rows = [asdict(r) for r in contract_stage.rows(board)]
    columns = ["metric", "board", "contract", "result", "source"]
    _print_rows(rows, fmt, columns, {"result": lambda r: r.replace("_", " ")})
    differ = [r for r in rows if r["result"] == "differs"]
    if not quiet:
        click.echo(
            f"{document}: {len(rows) - len(differ)} of {_count(len(rows), 'commitment')} as "
            f"contracted or not in it; {len(differ)} differ",
            err=True,
        )
    if differ:
        sys.exit(int(ExitCode.CONTRACT_DIFFERS))


@cli.group()
def notify() -> None:
    """Webhook deliveries that failed: list them, send them again.

    `report --save`, `save` and `actions --overdue` take --notify URL (and `[notify] webhooks`
    in the config); a delivery that still fails after its retries is kept to resend."""


@notify.command("pending")
@verbosity_options
@handle_errors
def notify_pending(verbose: int, quiet: bool) -> None:
    """List the deliveries waiting to be sent again, oldest first."""
    from boardsnap import notify as notify_stage

    setup_logging(verbose, quiet)
    waiting = notify_stage.pending()
    for path, record in waiting:
        event = record.get("event") if isinstance(record.get("event"), dict) else {}
        click.echo(
            f"{path.name}  {event.get('event', '?')}  {notify_stage.shown_url(record['url'])}  "
            f"{record.get('error') or ''}".rstrip()
        )
    if not quiet:
        click.echo(f"{_deliveries(len(waiting))} waiting", err=True)


@notify.command("resend")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings.")
@verbosity_options
@handle_errors
def notify_resend(config_file: str | None, verbose: int, quiet: bool) -> None:
    """Send every waiting delivery again; each delivered one is removed. Exit 0 either way."""
    from boardsnap import notify as notify_stage

    setup_logging(verbose, quiet)
    cfg = build_config(config_file)
    results = notify_stage.resend(cfg.notify)
    for delivery in results:
        click.echo(f"boardsnap: {delivery.line()}", err=True)
    sent = sum(d.ok for d in results)
    if not quiet:
        click.echo(f"{sent} of {_deliveries(len(results))} sent", err=True)


def _deliveries(n: int) -> str:
    return f"{n} deliver{'y' if n == 1 else 'ies'}"


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    "outdir",
    required=True,
    metavar="OUTDIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the reports, index.html, summary.csv, failed.txt and the manifest.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "json"]),
    default="pdf",
    show_default=True,
    help="One report per photo: pdf, html, or the board document (json).",
)
@click.option(
    "--paper", type=click.Choice(["A4", "Letter"]), default=None, help="PDF paper size [A4]."
)
@click.option(
    "-j",
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes, each with a warm OCR engine [default: one per core].",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run on the Dask cluster at ADDRESS (tcp://host:8786) instead of local processes "
    "(needs boardsnap[dask]; its workers must see the same paths).",
)
@click.option(
    "--save",
    is_flag=True,
    help="Record every converted photo's review in the history (once: a photo already "
    "saved is not saved again).",
)
@slo_option
@db_option
@photo_options
@handle_errors
def batch(
    inputs: tuple[str, ...],
    outdir: Path,
    fmt: str,
    paper: str | None,
    workers: int | None,
    scheduler: str | None,
    save: bool,
    db: str | None,
    slo_files: tuple[Path, ...],
    config_file: str | None,
    near_miss: float | None,
    date_order: str | None,
    engine: str | None,
    timeout: float | None,
    debug_dir: Path | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Convert every photo under INPUT... (files, folders, globs) into reports in OUTDIR.

    Resumable: OUTDIR/manifest.sqlite records each photo's hash, settings and outcome, and a
    rerun converts only new or changed photos. Exit 0 when every photo has a report, 11 when
    some failed or had no table (listed in OUTDIR/failed.txt).
    """
    from boardsnap.batch.plan import run_batch
    from boardsnap.batch.progress import TerminalProgress

    setup_logging(verbose, quiet)
    if workers and scheduler:
        raise click.UsageError("--workers is for local processes; a Dask cluster has its own")
    cfg = _with_slo(
        build_config(config_file, near_miss, date_order, engine, paper, timeout), slo_files
    )
    progress = TerminalProgress(bar=False if quiet else None, notes=not quiet)
    saved = {"new": 0, "known": 0}
    with _maybe_history(db if save else None, cfg, wanted=save) as history:

        def save_review(outcome: Any) -> None:
            # in this process, once per photo as it finishes: the history sees one writer
            if history is None or outcome.status != "ok" or outcome.board is None:
                return
            result = history.save(outcome.board, outcome.sha256)
            saved["new" if result.created else "known"] += 1

        summary = run_batch(
            inputs,
            outdir,
            cfg,
            fmt,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            on_outcome=save_review,
            debug_dir=debug_dir,
        )
    if not quiet:
        click.echo(batch_summary_line(summary), err=True)
        if save:
            click.echo(
                f"boardsnap: history: {_count(saved['new'], 'review')} saved, "
                f"{saved['known']} already there",
                err=True,
            )
    click.echo(str(outdir / "index.html"))
    if summary.interrupted:
        click.echo("boardsnap: interrupted; run the same command again to go on", err=True)
    sys.exit(int(summary.exit_code))


def batch_summary_line(summary: Any) -> str:
    out = summary.outdir
    parts = [f"{summary.converted} converted", f"{summary.up_to_date} up to date"]
    if summary.no_table:
        parts.append(f"{summary.no_table} without a table")
    parts.append(f"{summary.failed} failed")
    left = summary.total - summary.converted - summary.up_to_date - summary.no_table
    left -= summary.failed
    if left > 0:
        parts.append(f"{left} not done")
    text = f"boardsnap: {summary.total} photos: " + ", ".join(parts)
    if summary.skipped:
        text += f"; {summary.skipped} other file{'s' if summary.skipped != 1 else ''} skipped"
    text += f". Index {out / 'index.html'}, every photo in {out / 'summary.csv'}"
    if summary.failed or summary.no_table:
        text += f", the ones without a report in {out / 'failed.txt'}"
    return text


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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option(
    "--token",
    envvar="BOARDSNAP_TOKEN",
    help="Token every request must carry (header or login cookie); required beyond "
    "localhost [env: BOARDSNAP_TOKEN].",
)
@click.option(
    "--db",
    help="Review history: an SQLite file or postgresql:// URL "
    "[default: $BOARDSNAP_DB, else the user's data folder].",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where uploads and published reports are kept [default: ~/.local/share/boardsnap/web].",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=None,
    help="Photos read at once, each thread with its own OCR engine [default: 2].",
)
@click.option(
    "--audience",
    type=click.Choice(["internal", "customer"]),
    default=None,
    help="Who the published reports are for; customer: no owners' names, review crops or "
    "raw OCR text [default: internal].",
)
@slo_option
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings.")
@verbosity_options
@handle_errors
def serve(
    host: str,
    port: int,
    token: str | None,
    db: str | None,
    data_dir: Path | None,
    workers: int | None,
    audience: str | None,
    slo_files: tuple[Path, ...],
    config_file: str | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Serve the web app: snap a board from a phone, check it, publish it, follow actions."""
    from boardsnap.web import Settings
    from boardsnap.web import serve as run_server

    setup_logging(verbose, quiet)
    # the report settings (audience, branding: a bad logo fails here) as `report` reads them
    cfg, options = report_settings(config_file, audience, ())
    _contract(cfg, slo_files)  # a bad SLO file fails here, before the server starts
    run_server(
        Settings(
            host=host,
            port=port,
            token=token or None,
            data_dir=data_dir,
            db=db,
            config=cfg.with_overrides(
                web={"workers": workers},
                slo={"files": (*cfg.slo.files, *map(str, slo_files)) or None},
            ),
            report_options=options,
        )
    )


# ---- helpers ---------------------------------------------------------------------------------


def judged_document(path: Path, cfg: Config) -> Board:
    """The board document at `path`, every row judged again from its values (the stored
    status and budget are a cache); one warning line per row whose stored verdict differed."""
    from boardsnap.reading import judge

    board, changes = judge.rejudge(read_document(path, cfg.limits.document_bytes), cfg.judge)
    for change in changes:
        log.warning("%s: %s", path, change.line())
    return board


def read_document(path: Path, max_bytes: int = 20_000_000) -> Board:
    """The board document at `path`; `InvalidDocument` with one line naming the file for
    anything else."""
    text = _document_text(path, max_bytes)
    try:
        return Board.from_json(text)
    except InvalidDocument as exc:
        raise InvalidDocument(exc.message, path=str(path), fix=DOCUMENT_FIX) from None


DOCUMENT_FIX = "fix the document (docs/board.md; boardsnap validate FILE names the bad field)"


def _document_text(path: Path, max_bytes: int = 20_000_000) -> str:
    """The text of the document at `path`: a regular file of UTF-8 (a byte-order mark
    allowed) of at most `max_bytes`; `InvalidDocument` naming the file for anything else."""
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
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidDocument(
            f"not UTF-8 text (byte {exc.start})", path=name, fix="save the document as UTF-8"
        ) from None


def _open_history(db: str | None, cfg: Config) -> Any:
    from boardsnap.history.store import History

    return History(db, cfg.history)


@contextlib.contextmanager
def _maybe_history(db: str | None, cfg: Config, wanted: bool = False) -> Iterator[Any]:
    """The history when asked for (--save, --db or $BOARDSNAP_DB), else None."""
    from boardsnap.history.database import ENV_VAR

    if not (wanted or db or os.environ.get(ENV_VAR)):
        yield None
        return
    with _open_history(db, cfg) as store:
        yield store


def _report_saved(board: Board, result: Any, quiet: bool) -> None:
    """The review's id on stdout; what was recorded on stderr."""
    name = board.source or "document"
    if result.created:
        click.echo(f"review {result.review_id} saved")
        if not quiet:
            click.echo(
                f"{name}: saved as review {result.review_id} of {board.service} "
                f"({board.review_date or 'undated'}): {_count(result.actions_new, 'new action')}, "
                f"{result.actions_linked} carried forward from earlier reviews"
                + (
                    f" ({result.actions_done} of them done already, kept done)"
                    if result.actions_done
                    else ""
                ),
                err=True,
            )
    else:
        click.echo(f"review {result.review_id} already saved")
        if not quiet:
            click.echo(
                f"{name}: already in the history as review {result.review_id}; "
                "nothing new recorded",
                err=True,
            )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _action_row(a: Any) -> dict[str, Any]:
    """An action as scripts get it: status is open, in_progress or done; overdue apart."""
    return {
        "id": a.id,
        "service": a.service,
        "metric": a.metric,
        "text": a.text,
        "owner": a.owner,
        "due": a.due,
        "status": a.status,
        "overdue": a.overdue,
        "review_id": a.review_id,
        "review_date": a.review_date,
        "reviews": list(a.reviews),
        "updated_at": a.updated_at,
        "note": a.note,
    }


def _action_line(a: Any) -> str:
    flag = " (overdue)" if a.overdue else ""
    return f"action {a.id}: {a.status}{flag} · {a.service} · {a.metric or 'general'}"


def _percent(value: Any) -> str:
    if value is None:
        return ""
    return "over 999%" if not value * 100 < 999.5 else f"{value * 100:.0f}%"


def _print_rows(
    rows: list[dict[str, Any]],
    fmt: str,
    columns: list[str],
    formatters: dict[str, Callable[[Any], str]],
) -> None:
    """Rows on stdout as an aligned table, CSV (every field) or JSON (every field)."""
    if fmt == "json":
        _emit(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", None)
        return
    if fmt == "csv":
        buf = io.StringIO()
        from boardsnap.report.export import csv_cell

        writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else columns)
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
        _emit(buf.getvalue(), None)
        return
    cells = [[c.replace("_", " ") for c in columns]]
    for row in rows:
        cells.append(
            [
                _clip(formatters[c](row[c]) if c in formatters else str(row[c] or ""))
                for c in columns
            ]
        )
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    _emit("\n".join(lines) + "\n", None)


def _clip(text: str, width: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _emit(data: str | bytes, output: Path | None) -> None:
    if output is None:
        try:
            sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
            sys.stdout.flush()
        except BrokenPipeError:
            raise OutputError("stdout was closed") from None
        return
    from boardsnap.fileio import atomic_write_bytes, atomic_write_text

    if isinstance(data, bytes):
        atomic_write_bytes(output, data)
    else:
        atomic_write_text(output, data)
    click.echo(str(output))


# ---- db: check, back up and restore the review history ------------------------------------


@cli.group("db")
def db_group() -> None:
    """Check, back up and restore the review history (SQLite; PostgreSQL: pg_dump)."""


def _pg_advice(location: str | None, what: str) -> None:
    from boardsnap.history.database import _is_postgres

    if _is_postgres(location):
        raise click.UsageError(
            f"db {what} works on an SQLite history; for PostgreSQL use "
            "pg_dump -Fc URL -f FILE and pg_restore -d URL FILE"
        )


@db_group.command("check")
@db_option
@verbosity_options
@handle_errors
def db_check(db: str | None, verbose: int, quiet: bool) -> None:
    """The full check: SQLite's integrity_check and foreign keys (exit 9 with the fix on
    damage); on PostgreSQL, that the history can be read."""
    from boardsnap.history.database import SqliteDatabase, connect

    setup_logging(verbose, quiet)
    store = connect(db)
    try:
        if isinstance(store, SqliteDatabase):
            store.check(quick=False)
        known = store.table_exists("reviews")
        reviews = int(store.one("SELECT count(*) FROM reviews")[0]) if known else 0
        click.echo(f"{store.where}: ok, {_count(reviews, 'review')}")
    finally:
        store.close()


@db_group.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@db_option
@verbosity_options
@handle_errors
def db_backup(dest: Path, db: str | None, verbose: int, quiet: bool) -> None:
    """Copy the whole history to DEST, consistently, while others may be writing (SQLite's
    online backup API). Prints DEST."""
    from boardsnap.history.database import SqliteDatabase, connect

    setup_logging(verbose, quiet)
    _pg_advice(db, "backup")
    store = connect(db)
    try:
        assert isinstance(store, SqliteDatabase)
        store.check(quick=True)  # a copy of a damaged history would restore the damage
        store.backup_to(dest)
    finally:
        store.close()
    click.echo(str(dest))


@db_group.command("restore")
@click.argument("source", type=click.Path(path_type=Path))
@db_option
@verbosity_options
@handle_errors
def db_restore(source: Path, db: str | None, verbose: int, quiet: bool) -> None:
    """Make the history a copy of the backup SOURCE (checked first). The history as it was is
    kept beside it: copied, or moved aside when it is damaged."""
    from boardsnap.history.database import restore

    setup_logging(verbose, quiet)
    _pg_advice(db, "restore")
    for note in restore(db, source):
        if not quiet:
            click.echo(f"boardsnap: {note}", err=True)
    click.echo(f"restored from {source}")


def main() -> None:
    cli(prog_name="boardsnap")


if __name__ == "__main__":
    main()
