"""Output safety, one rule in `fileio.check_output` (issue 17): outputs are regular files; the
input, a device, a named pipe, a socket, a folder, a link to one of those or a broken link is
refused with exit 7 before anything is written; a link to a regular file is followed (the file
it names is replaced, the link kept); names too long for the system are exit 7, not a crash."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from boardsnap.cli import cli
from boardsnap.errors import ExitCode, OutputError
from boardsnap.fileio import atomic_write_text, check_output, open_regular


@pytest.fixture
def place(tmp_path) -> Path:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "real.json").write_text("old")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    (tmp_path / "devlink").symlink_to("/dev/null")
    (tmp_path / "broken").symlink_to(tmp_path / "nowhere")
    (tmp_path / "pipelink").symlink_to(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    "name, says",
    [
        ("/dev/null", "a character device"),
        ("pipe", "a named pipe"),
        ("pipelink", "a link to a named pipe"),
        ("devlink", "a link to a character device"),
        ("broken", "a broken link"),
        ("folder", "a folder"),
        ("missing/x.json", "folder does not exist"),
        ("x" * 300 + ".json", "too long"),
    ],
)
def test_what_is_not_a_regular_file_is_refused_untouched(place, name, says):
    target = place / name
    with pytest.raises(OutputError, match=says) as info:
        atomic_write_text(target, "new")  # a FIFO would block an open for writing: not opened
    assert info.value.exit_code == ExitCode.OUTPUT_ERROR
    assert not [p for p in place.iterdir() if p.name.endswith(".tmp")]
    assert Path("/dev/null").is_char_device()


def test_a_link_to_a_regular_file_is_followed_and_kept(place):
    atomic_write_text(place / "link.json", "new")
    assert (place / "link.json").is_symlink()
    assert (place / "real.json").read_text() == "new"


def test_the_input_is_never_the_output(place):
    with pytest.raises(OutputError, match="is the input"):
        check_output(place / "link.json", inputs=[place / "real.json"])
    with pytest.raises(OutputError, match="is the input"):
        check_output(place / "real.json", inputs=[place / "link.json"])
    assert check_output(place / "new.json", inputs=[place / "real.json"]) == place / "new.json"


def test_open_regular_refuses_a_pipe_and_a_socket_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "p.jpg")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "s.jpg"))
    try:
        for name in ("p.jpg", "s.jpg"):
            with pytest.raises(Exception, match="not a regular file|No such device"):
                open_regular(tmp_path / name).close()
    finally:
        sock.close()
    (tmp_path / "ok.jpg").write_bytes(b"abc")
    with open_regular(tmp_path / "ok.jpg") as f:
        assert f.read() == b"abc"


def test_batch_output_folder_too_long_is_exit_7(tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"")
    result = CliRunner().invoke(cli, ["batch", str(photo), "-o", str(tmp_path / ("o" * 300))])
    assert result.exit_code == ExitCode.OUTPUT_ERROR, result.output
    assert "too long" in result.output


def test_report_never_writes_over_its_photo(tmp_path):
    photo = tmp_path / "board.jpg"
    photo.write_bytes(
        (Path(__file__).resolve().parents[1] / "samples" / "sample-01-payments.jpg").read_bytes()
    )
    before = photo.read_bytes()
    (tmp_path / "link.html").symlink_to(photo)
    for out in (photo, tmp_path / "link.html"):
        result = CliRunner().invoke(cli, ["report", str(photo), "-o", str(out), "-f", "html"])
        assert result.exit_code == ExitCode.OUTPUT_ERROR, result.output
        assert "is the input" in result.output
    assert photo.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board.jpg", "link.html"]
