"""A history you can trust and restore (issue 17): an empty file is not a new history, a damaged
one is never written into, `boardsnap db check|backup|restore`, a copy before every migration.
Real SQLite files; damage made by overwriting pages of a real history."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_history import location, pg_url  # noqa: F401 - fixtures: SQLite and PostgreSQL

from boardsnap.cli import cli
from boardsnap.errors import ExitCode
from boardsnap.history.database import SqliteDatabase
from boardsnap.history.migrations import LATEST, current_version, migrate
from boardsnap.history.store import History

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
DOC_1 = SAMPLES / "sample-01-payments.truth.json"
DOC_2 = SAMPLES / "sample-02-checkout-status.truth.json"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reviews(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM reviews").fetchone()[0]


@pytest.fixture
def history(tmp_path) -> Path:
    """A history of two reviews, checkpointed into the main file (no WAL left)."""
    db = tmp_path / "h.db"
    for doc in (DOC_1, DOC_2):
        assert invoke("save", str(doc), "--db", str(db)).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def damage(path: Path) -> None:
    """Overwrite pages in the middle of the file, as a bad disk or a stray write would."""
    with open(path, "r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\xde\xad" * 4096)


def test_an_empty_existing_file_is_not_taken_for_a_new_history(tmp_path):
    db = tmp_path / "h.db"
    db.write_bytes(b"")
    for args in (("save", str(DOC_1)), ("history",), ("actions",)):
        result = invoke(*args, "--db", str(db))
        assert result.exit_code == ExitCode.DATABASE, result.output
        assert "is an empty file, not a history" in result.output
        assert "db restore" in result.output
    assert db.read_bytes() == b""  # left as found


def test_a_damaged_history_is_never_written_into(history):
    damage(history)
    before = digest(history)
    for args in (("save", str(DOC_1)), ("actions", "set", "1", "done")):
        result = invoke(*args, "--db", str(history))
        assert result.exit_code == ExitCode.DATABASE, result.output
        assert "damaged" in result.output and "db restore" in result.output
    assert digest(history) == before
    result = invoke("db", "check", "--db", str(history))
    assert result.exit_code == ExitCode.DATABASE and "damaged" in result.output


def test_db_check_backup_restore_round_trip(history, tmp_path):
    result = invoke("db", "check", "--db", str(history))
    assert result.exit_code == 0 and "ok, 2 reviews" in result.output
    backup = tmp_path / "backup.db"
    result = invoke("db", "backup", str(backup), "--db", str(history))
    assert result.exit_code == 0 and result.output.strip() == str(backup)
    assert reviews(backup) == 2 and not list(tmp_path.glob(".backup.db.*.tmp"))
    # the history is truncated: restore it
    history.write_bytes(b"")
    for wal in tmp_path.glob("h.db-*"):
        wal.unlink()
    result = invoke("db", "restore", str(backup), "--db", str(history))
    assert result.exit_code == 0, result.output
    assert reviews(history) == 2 and "moved to" in result.output
    assert [p.stat().st_size for p in tmp_path.glob("h.db.damaged-*")] == [0]
    assert invoke("save", str(DOC_1), "--db", str(history)).exit_code == 0
    # restoring over a sound history keeps a copy of it first
    result = invoke("db", "restore", str(backup), "--db", str(history))
    assert result.exit_code == 0 and "copied to" in result.output
    (kept,) = tmp_path.glob("h.db.before-restore-*.bak")
    assert reviews(kept) == 2 and reviews(history) == 2


def test_db_restore_refuses_a_bad_backup_and_touches_nothing(history, tmp_path):
    before = digest(history)
    (tmp_path / "notes.db").write_text("not a database\n")
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.commit()
    for bad, says in (
        ("notes.db", "not a usable backup"),
        ("plain.db", "not a BoardSnap history"),
        ("missing.db", "no such file"),
    ):
        result = invoke("db", "restore", str(tmp_path / bad), "--db", str(history))
        assert result.exit_code == ExitCode.DATABASE and says in result.output, result.output
    assert digest(history) == before


def test_db_backup_output_is_a_regular_file_and_not_the_history(history):
    for dest, says in (("/dev/null", "character device"), (str(history), "is the input")):
        result = invoke("db", "backup", dest, "--db", str(history))
        assert result.exit_code == ExitCode.OUTPUT_ERROR and says in result.output


def test_a_copy_is_made_before_every_migration(tmp_path):
    path = tmp_path / "old.db"
    db = SqliteDatabase(path, 5.0)
    migrate(db, target=1)
    db.execute(
        "INSERT INTO reviews (service, service_key, source, document_sha256, document, "
        "saved_at) VALUES ('S', 's', 'x.jpg', 'h', '{}', 'now')"
    )
    db.close()
    with History(path) as store:
        assert current_version(store.db) == LATEST
    (copy,) = tmp_path.glob("old.db.v1-*.bak")
    copied = SqliteDatabase(copy, 5.0)
    try:
        assert current_version(copied) == 1
        assert copied.one("SELECT service FROM reviews") == ("S",)
    finally:
        copied.close()
    with History(path):  # nothing to migrate: no new copy
        pass
    assert len(list(tmp_path.glob("old.db.v*.bak"))) == 1


def test_a_db_path_too_long_is_exit_9(tmp_path):
    long = str(tmp_path / ("x" * 300))
    for args in (("history",), ("db", "check"), ("save", str(DOC_1))):
        result = invoke(*args, "--db", long)
        assert result.exit_code == ExitCode.DATABASE, result.output
        assert "too long" in result.output


def test_values_no_database_takes_are_documented_errors(tmp_path):
    from boardsnap.errors import InvalidDocument, NotFound

    with History(tmp_path / "h.db") as store:
        with pytest.raises(NotFound, match="beyond any id"):
            store.db.query("SELECT id FROM reviews WHERE id = ?", (2**63,))
        with pytest.raises(InvalidDocument, match="lone surrogate"):
            store.db.query("SELECT id FROM reviews WHERE service = ?", ("a\ud800",))


def test_web_action_ids_beyond_64_bits_are_404(tmp_path):
    from fastapi.testclient import TestClient

    from boardsnap.web import Settings, create_app

    settings = Settings(data_dir=tmp_path / "web", db=str(tmp_path / "h.db"), warm=False)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        r = client.post(
            f"/api/actions/{2**63}/status",
            json={"status": "done", "note": ""},
            headers={"Authorization": "Bearer -"},
        )
    assert r.status_code == 404, r.text


def test_a_nul_character_is_stored_or_an_invalid_document(location):  # noqa: F811
    from boardsnap.document import Board
    from boardsnap.errors import InvalidDocument

    board = Board(source="x.jpg", service="Payments API", title="before\x00after")
    with History(location) as store:
        if store.db.dialect == "postgresql":  # PostgreSQL's text cannot hold NUL
            with pytest.raises(InvalidDocument, match="NUL"):
                store.save(board)
        else:
            assert store.save(board).created
