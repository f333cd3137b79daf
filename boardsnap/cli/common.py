"""What every command does around its work: settings from options, logging, the one place
errors become exit codes, the history when asked for, webhook events."""

from __future__ import annotations

import contextlib
import functools
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
from boardsnap.errors import BoardSnapError, ExitCode

log = logging.getLogger("boardsnap")


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


def report_format(output: Path | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if output is not None and output.suffix.lower() in (".html", ".htm"):
        return "html"
    if output is not None and output.suffix.lower() not in ("", ".pdf"):
        raise click.UsageError(
            f"cannot tell the format from {output.name!r}; add --format html|pdf"
        )
    return "pdf"


def open_history(db: str | None, cfg: Config) -> Any:
    from boardsnap.history.store import History

    return History(db, cfg.history)


@contextlib.contextmanager
def maybe_history(db: str | None, cfg: Config, wanted: bool = False) -> Iterator[Any]:
    """The history when asked for (--save, --db or $BOARDSNAP_DB), else None."""
    from boardsnap.history.database import ENV_VAR

    if not (wanted or db or os.environ.get(ENV_VAR)):
        yield None
        return
    with open_history(db, cfg) as store:
        yield store


def notify_event(cfg: Config, urls: tuple[str, ...], event: dict[str, Any], quiet: bool) -> None:
    """Send `event` to the config's webhooks and `urls`; one line per delivery on stderr."""
    from boardsnap import notify

    targets = (*cfg.notify.webhooks, *urls)
    if not targets:
        return
    for delivery in notify.deliver(event, targets, cfg.notify):
        if not delivery.ok or not quiet:
            click.echo(f"boardsnap: {delivery.line()}", err=True)


def notify_saved(
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
            notify_event(cfg, urls, notify.review_saved(board, result.review_id, report), quiet)
