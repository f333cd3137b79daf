"""The hostile corpus through the other commands (issue 17, "one error path"): `extract` over
every photo kind refused before reading, `save` over every document kind, and the history
commands over files that are no history. Every run ends in a documented exit code with one line
and no traceback; exit 1 (an exception that escaped) fails the test."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from hostile_corpus import KINDS

import boardsnap.reading.load
from boardsnap.cli import cli
from boardsnap.errors import ExitCode

DOCUMENTED = {int(c) for c in ExitCode} - {int(ExitCode.INTERNAL)}
REFUSED_PHOTOS = [
    k for k in KINDS if k.command == "report" and k.output is None and k.code != ExitCode.OK
]
DOCS = [k for k in KINDS if k.command == "render" and k.output is None]


def _one_line(result, name: str) -> None:
    assert result.exit_code in DOCUMENTED, f"{name}: exit {result.exit_code}: {result.output}"
    assert "Traceback" not in result.output
    if result.exit_code:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("boardsnap: error: "), result.stderr


@pytest.mark.parametrize("kind", REFUSED_PHOTOS, ids=lambda k: k.name)
def test_extract_refuses_as_report_does(kind, tmp_path, monkeypatch):
    if kind.name == "heic-no-plugin":
        monkeypatch.setattr(boardsnap.reading.load, "_HEIF_READY", False)
    if kind.name == "unreadable" and os.geteuid() == 0:  # root reads anything
        monkeypatch.setattr(boardsnap.reading.load.Image, "open", _refusing(kind, tmp_path))
    path = kind.make(tmp_path)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["extract", str(path), "-o", str(out)])
    _one_line(result, kind.name)
    assert result.exit_code == kind.code, result.output
    assert not out.exists()


def _refusing(kind, folder):
    real_open = boardsnap.reading.load.Image.open

    def refuse(fp, *a, **k):
        if str(fp).startswith(str(folder)):
            raise PermissionError(13, "Permission denied", str(fp))
        return real_open(fp, *a, **k)

    return refuse


@pytest.mark.parametrize("kind", DOCS, ids=lambda k: k.name)
def test_save_takes_or_refuses_every_document(kind, tmp_path):
    path = kind.make(tmp_path)
    db = tmp_path / "h.db"
    result = CliRunner().invoke(cli, ["save", str(path), "--db", str(db)])
    _one_line(result, kind.name)
    if kind.code == ExitCode.INVALID_DOCUMENT:
        assert result.exit_code == ExitCode.INVALID_DOCUMENT
    check = CliRunner().invoke(cli, ["db", "check", "--db", str(db)])
    assert check.exit_code in (0, ExitCode.DATABASE), check.output  # no file: nothing saved
    _one_line(check, kind.name)


@pytest.mark.parametrize(
    "content",
    [b"", b"SQLite format 3\x00" + b"\x00" * 100, b"not a database at all\n" * 100],
    ids=["empty", "header-only", "text"],
)
def test_db_commands_over_files_that_are_no_history(content, tmp_path):
    db = tmp_path / "h.db"
    db.write_bytes(content)
    for args in (["db", "check"], ["history"], ["actions"], ["db", "backup", str(tmp_path / "b")]):
        result = CliRunner().invoke(cli, [*args, "--db", str(db)])
        _one_line(result, " ".join(args))
        assert result.exit_code == ExitCode.DATABASE, result.output
    assert db.read_bytes() == content


def test_batch_over_every_refused_photo_kind_goes_on_and_lists_each(tmp_path):
    """One folder holding every refused photo kind (and a link loop, a pipe, a folder named
    .jpg...): the batch is not stopped or hung by any, each is a line of failed.txt."""
    src = tmp_path / "in"
    src.mkdir()
    made = []
    for kind in REFUSED_PHOTOS:
        folder = src / kind.name
        folder.mkdir()
        path = kind.make(folder)
        if kind.name == "unreadable" and os.geteuid() == 0:
            path.unlink()  # root reads it anyway: not a refusal to count here
            continue
        if (path.exists() or path.is_symlink()) and boardsnap.reading.load.is_photo_name(path):
            made.append(kind.name)  # (an .svg is skipped as "not a photo", and counted)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(src), "-o", str(out), "-f", "json", "-j", "1"])
    assert "Traceback" not in result.output
    assert result.exit_code in (ExitCode.BATCH_PARTIAL, ExitCode.OK), result.output
    failed = (out / "failed.txt").read_text()
    for name in made:
        if name in ("folder", "symlink-loop"):  # a folder is walked, a loop is not followed
            continue
        assert f"/{name}/" in failed or f"{name}/" in failed, f"{name} not in failed.txt"


SLO = os.path.join(os.path.dirname(__file__), "slo", "payments-openslo-v1.yaml")


@pytest.mark.parametrize("kind", DOCS, ids=lambda k: k.name)
def test_validate_slo_check_and_report_take_or_refuse_every_document(kind, tmp_path):
    path = kind.make(tmp_path)
    runs = {
        "validate": ["validate", str(path)],
        "slo check": ["slo", "check", str(path), "--slo", SLO],
        "report": ["report", str(path), "-o", str(tmp_path / "r.html")],
    }
    for name, args in runs.items():
        result = CliRunner().invoke(cli, args)
        _one_line(result, f"{name} {kind.name}")
        if kind.code == ExitCode.INVALID_DOCUMENT:
            assert result.exit_code == ExitCode.INVALID_DOCUMENT, (name, result.output)
    if kind.code == ExitCode.INVALID_DOCUMENT:
        assert not (tmp_path / "r.html").exists()


def test_notify_and_slo_files_that_are_no_such_thing(tmp_path):
    outbox = tmp_path / "data" / "boardsnap" / "outbox"
    outbox.mkdir(parents=True)
    (outbox / "broken.json").write_bytes(b"\xff\xfe not json")
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    for args in (["notify", "pending"], ["notify", "resend"]):
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    doc = tmp_path / "b.json"
    doc.write_text('{"schema": "boardsnap.board/1", "source": "x.jpg"}')
    for content in (b"", b"\x00\x01binary", b"- [unclosed", b"just: a mapping\n"):
        slo = tmp_path / "slo.yaml"
        slo.write_bytes(content)
        result = CliRunner().invoke(cli, ["slo", "check", str(doc), "--slo", str(slo)])
        _one_line(result, repr(content))
        assert result.exit_code == ExitCode.INVALID_DOCUMENT, result.output
