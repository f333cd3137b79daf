"""What the commands print: summary lines, tables of rows, results on stdout."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from boardsnap.document import Board
from boardsnap.errors import OutputError


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


def report_saved(board: Board, result: Any, quiet: bool) -> None:
    """The review's id on stdout; what was recorded on stderr."""
    name = board.source or "document"
    if result.created:
        click.echo(f"review {result.review_id} saved")
        if not quiet:
            click.echo(
                f"{name}: saved as review {result.review_id} of {board.service} "
                f"({board.review_date or 'undated'}): {count(result.actions_new, 'new action')}, "
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


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def action_row(a: Any) -> dict[str, Any]:
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


def action_line(a: Any) -> str:
    flag = " (overdue)" if a.overdue else ""
    return f"action {a.id}: {a.status}{flag} · {a.service} · {a.metric or 'general'}"


def percent(value: Any) -> str:
    if value is None:
        return ""
    return "over 999%" if not value * 100 < 999.5 else f"{value * 100:.0f}%"


def print_rows(
    rows: list[dict[str, Any]],
    fmt: str,
    columns: list[str],
    formatters: dict[str, Callable[[Any], str]],
) -> None:
    """Rows on stdout as an aligned table, CSV (every field) or JSON (every field)."""
    if fmt == "json":
        emit(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", None)
        return
    if fmt == "csv":
        buf = io.StringIO()
        from boardsnap.report.export import csv_cell

        writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else columns)
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
        emit(buf.getvalue(), None)
        return
    cells = [[c.replace("_", " ") for c in columns]]
    for row in rows:
        cells.append(
            [clip(formatters[c](row[c]) if c in formatters else str(row[c] or "")) for c in columns]
        )
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    emit("\n".join(lines) + "\n", None)


def clip(text: str, width: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def emit(data: str | bytes, output: Path | None) -> None:
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


def deliveries(n: int) -> str:
    return f"{n} deliver{'y' if n == 1 else 'ies'}"
