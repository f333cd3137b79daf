"""The `boardsnap` command. The only package that imports click.

stdout carries results (JSON, CSV, paths of written reports); everything else (progress, the
one-line summary, warnings, errors) goes to stderr. Errors are caught once, in
`common.handle_errors`: each `BoardSnapError` becomes its one-line message and its exit code
(see the table in README.md).

One module a group of commands, each a thin layer over the library: `reading` (extract, report,
render, validate, slo check), `history` (save, history, actions), `batch`, `web` (serve),
`admin` (doctor, notify, db); `options` holds the shared flags, `common` what runs around every
command, `output` what they print. A new command is a function in one of them, added below.
"""

from __future__ import annotations

import click

from boardsnap.cli import admin, batch, history, reading, web


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="boardsnap")
def cli() -> None:
    """Turn a photo of an SLA review whiteboard into a compliance report."""


for command in (
    reading.extract,
    reading.report,
    reading.render,
    reading.validate,
    reading.slo,
    history.save,
    history.history,
    history.actions,
    batch.batch,
    web.serve,
    admin.doctor,
    admin.notify,
    admin.db_group,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="boardsnap")


__all__ = ["cli", "main"]
