"""The commands that read a photo or a board document: extract, report, render, validate,
slo check."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from boardsnap import intake
from boardsnap.cli.common import (
    build_config,
    handle_errors,
    maybe_history,
    notify_saved,
    report_format,
    report_settings,
    setup_logging,
)
from boardsnap.cli.options import (
    config_option,
    db_option,
    notify_option,
    photo_options,
    report_options,
    slo_option,
    timeout_option,
    verbosity_options,
)
from boardsnap.cli.output import count, emit, print_rows, report_saved, summary_line
from boardsnap.errors import ExitCode
from boardsnap.fileio import check_output
from boardsnap.limits import bounded

log = logging.getLogger("boardsnap")


@click.command()
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
    cfg = intake.with_slo(
        build_config(config_file, near_miss, date_order, engine, timeout=timeout), slo_files
    )
    if output is not None:
        check_output(output, inputs=[photo])
    with bounded(cfg.limits, str(photo)):
        board = Pipeline(cfg).extract(photo, debug_dir).board  # checked against [slo] files
        emit(export(board, fmt, cfg.export), output)
    if not quiet:
        click.echo(summary_line(board), err=True)


@click.command()
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
    fmt = report_format(output, fmt)
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
    cfg = intake.with_slo(cfg, slo_files)
    target = output or photo.with_suffix("." + fmt)
    check_output(target, inputs=[photo])  # before the photo is read: exit 7, nothing done
    with bounded(cfg.limits, str(photo)), maybe_history(db, cfg, wanted=save) as history:
        if document:
            board = intake.judged_document(photo, cfg)
            board, image = intake.checked_against(board, intake.slo_contract(cfg), cfg), None
        else:  # the pipeline checks the board against [slo] files
            # the owners and services the history has seen are what a misread one is matched to
            read_cfg = intake.with_history_priors(cfg, history) if history is not None else cfg
            result = Pipeline(read_cfg).extract(photo, debug_dir)
            board, image = result.board, result.rectified.image
        context = None
        saved = []
        if history is not None:
            from boardsnap.history.store import file_sha256

            photo_hash = None if document else file_sha256(photo)
            if save:
                result = history.save(board, photo_hash)
                report_saved(board, result, quiet)
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
    notify_saved(cfg, notify_urls, saved, str(Path(written).resolve()), quiet)


@click.command()
@click.argument("document", type=click.Path(path_type=Path))
@report_options
@click.option(
    "--near-miss",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=None,
    help="Budget used from which a met row is a near miss [default: 0.9, or the config's].",
)
@config_option
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
    fmt = report_format(output, fmt)
    cfg, options = report_settings(
        config_file, audience, redact, near_miss=near_miss, paper=paper, timeout=timeout
    )
    contract = intake.slo_contract(cfg, slo_files)
    target = output or document.with_suffix("." + fmt)
    check_output(target, inputs=[document])  # never the document itself: exit 7, nothing done
    with bounded(cfg.limits, str(document)):
        board = intake.checked_against(intake.judged_document(document, cfg), contract, cfg)
        with maybe_history(db, cfg) as history:
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


@click.command()
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
        board = intake.validated_document(path)
        click.echo(str(path))
        if not quiet:
            click.echo(
                f"{path}: a valid board document ({count(len(board.metrics), 'metric')}, "
                f"{count(len(board.actions), 'action')})",
                err=True,
            )


@click.group()
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
@config_option
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
    contract = intake.slo_contract(cfg, slo_files)
    if contract is None:
        raise click.UsageError("give the contract: --slo FILE (or [slo] files in --config)")
    board = contract_stage.check(intake.judged_document(document, cfg), contract, cfg.judge)
    rows = [asdict(r) for r in contract_stage.rows(board)]
    columns = ["metric", "board", "contract", "result", "source"]
    print_rows(rows, fmt, columns, {"result": lambda r: r.replace("_", " ")})
    differ = [r for r in rows if r["result"] == "differs"]
    if not quiet:
        click.echo(
            f"{document}: {len(rows) - len(differ)} of {count(len(rows), 'commitment')} as "
            f"contracted or not in it; {len(differ)} differ",
            err=True,
        )
    if differ:
        sys.exit(int(ExitCode.CONTRACT_DIFFERS))
