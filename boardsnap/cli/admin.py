"""Looking after the installation: doctor, notify (pending, resend), db (check, backup,
restore)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from boardsnap.cli.common import build_config, handle_errors, setup_logging
from boardsnap.cli.options import config_option, db_option, verbosity_options
from boardsnap.cli.output import count, deliveries
from boardsnap.errors import ExitCode


@click.group()
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
        click.echo(f"{deliveries(len(waiting))} waiting", err=True)


@notify.command("resend")
@config_option
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
        click.echo(f"{sent} of {deliveries(len(results))} sent", err=True)


@click.command()
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


@click.group("db")
def db_group() -> None:
    """Check, back up and restore the review history (SQLite; PostgreSQL: pg_dump)."""


def _pg_advice(location: str | None, what: str) -> None:
    from boardsnap.history.database import is_postgres

    if is_postgres(location):
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
    from boardsnap.history.database import check_history

    setup_logging(verbose, quiet)
    where, reviews = check_history(db)
    click.echo(f"{where}: ok, {count(reviews, 'review')}")


@db_group.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@db_option
@verbosity_options
@handle_errors
def db_backup(dest: Path, db: str | None, verbose: int, quiet: bool) -> None:
    """Copy the whole history to DEST, consistently, while others may be writing (SQLite's
    online backup API). Prints DEST."""
    from boardsnap.history.database import backup

    setup_logging(verbose, quiet)
    _pg_advice(db, "backup")
    backup(db, dest)
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
