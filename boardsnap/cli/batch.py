"""`boardsnap batch`: every photo under some folders into reports, resumable."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from boardsnap import intake
from boardsnap.cli.common import build_config, handle_errors, maybe_history, setup_logging
from boardsnap.cli.options import db_option, photo_options, slo_option
from boardsnap.cli.output import batch_summary_line, count


@click.command()
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
    cfg = intake.with_slo(
        build_config(config_file, near_miss, date_order, engine, paper, timeout), slo_files
    )
    progress = TerminalProgress(bar=False if quiet else None, notes=not quiet)
    saved = {"new": 0, "known": 0}
    with maybe_history(db if save else None, cfg, wanted=save) as history:

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
                f"boardsnap: history: {count(saved['new'], 'review')} saved, "
                f"{saved['known']} already there",
                err=True,
            )
    click.echo(str(outdir / "index.html"))
    if summary.interrupted:
        click.echo("boardsnap: interrupted; run the same command again to go on", err=True)
    sys.exit(int(summary.exit_code))
