"""The options that several commands share, as decorators (one place for each flag's help)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click


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


def config_option(fn: Callable) -> Callable:
    """--config of the commands that read no photo (short help)."""
    return click.option(
        "--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings."
    )(fn)


ACTION_ID = click.IntRange(1, 2**63 - 1)  # the history's ids are 64-bit
