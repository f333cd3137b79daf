"""`boardsnap serve`: the web app."""

from __future__ import annotations

from pathlib import Path

import click

from boardsnap import intake
from boardsnap.cli.common import handle_errors, report_settings, setup_logging
from boardsnap.cli.options import config_option, slo_option, verbosity_options


@click.command()
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
@config_option
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
    intake.slo_contract(cfg, slo_files)  # a bad SLO file fails here, before the server starts
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
