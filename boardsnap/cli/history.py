"""The review history's commands: save, history, actions (set, show)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from boardsnap import intake
from boardsnap.cli.common import (
    build_config,
    handle_errors,
    notify_event,
    notify_saved,
    open_history,
    setup_logging,
)
from boardsnap.cli.options import (
    ACTION_ID,
    config_option,
    db_option,
    notify_option,
    verbosity_options,
)
from boardsnap.cli.output import (
    action_line,
    action_row,
    count,
    emit,
    percent,
    print_rows,
    report_saved,
)


@click.command()
@click.argument("documents", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@notify_option
@config_option
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
    # every document checked first
    boards = [intake.judged_document(path, cfg) for path in documents]
    saved = []
    with open_history(db, cfg) as history:
        for board in boards:
            result = history.save(board)
            report_saved(board, result, quiet)
            saved.append((board, result))
    notify_saved(cfg, notify_urls, saved, None, quiet)


@click.command()
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
    with open_history(db, build_config(None)) as store:
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
    print_rows(rows, fmt, columns, {"budget_used": percent})
    if not quiet:
        click.echo(f"{count(len(reviews), 'review')}, {count(len(rows), 'metric row')}", err=True)


@click.group(invoke_without_command=True)
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
@config_option
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
    with open_history(db, cfg) as store:
        records = store.actions(service, open_only=open_only, overdue=overdue, today=today)
    if fmt == "csv":
        from boardsnap.report.export import actions_to_tracker_csv

        emit(actions_to_tracker_csv(records), None)
    else:
        rows = [action_row(a) for a in records]
        columns = ["id", "service", "metric", "status", "due", "owner", "text"]
        if fmt == "table":
            for row in rows:
                row["status"] += " OVERDUE" if row["overdue"] else ""
        print_rows(rows, fmt, columns, {})
    if not quiet:
        click.echo(count(len(records), "action"), err=True)
    if overdue and (notify_urls or cfg.notify.webhooks):
        from datetime import date

        from boardsnap import notify

        if records:
            event = notify.actions_overdue(records, (today or date.today()).isoformat())
            notify_event(cfg, notify_urls, event, quiet)
        elif not quiet:
            click.echo("boardsnap: no action is overdue: nothing sent", err=True)


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
    with open_history(db or (ctx.obj or {}).get("db"), build_config(None)) as store:
        record = store.set_action_status(action_id, status, note)
    click.echo(action_line(record))


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
    with open_history(db or (ctx.obj or {}).get("db"), build_config(None)) as store:
        record = store.action(action_id, today=as_of.date() if as_of else None)
        events = store.action_events(action_id)
    click.echo(action_line(record))
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
