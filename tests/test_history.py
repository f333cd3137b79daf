"""The review history: migrations, saving, linking, the audit trail, concurrency and crashes,
on real SQLite files and (under `make test`) a real PostgreSQL server."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sqlite3
import uuid
from datetime import date

import pytest
from history_story import DATES, SERVICE, board, open_at_once, save_and_hang, save_many

from boardsnap.config import HistoryConfig
from boardsnap.document import Board
from boardsnap.errors import DatabaseError, InvalidDocument, NotFound
from boardsnap.history.database import SqliteDatabase, connect, default_location
from boardsnap.history.migrations import LATEST, current_version, migrate
from boardsnap.history.store import History, normalise_text, text_similarity

PG_URL = os.environ.get("BOARDSNAP_TEST_PG", "")


def pg_or_skip() -> str:
    if PG_URL:
        return PG_URL
    if os.environ.get("BOARDSNAP_REQUIRE_PG") == "1":
        pytest.fail(
            "BOARDSNAP_REQUIRE_PG=1 but no BOARDSNAP_TEST_PG server (scripts/with-postgres.sh)"
        )
    pytest.skip("no PostgreSQL server; `make test` starts one (scripts/with-postgres.sh)")


@pytest.fixture
def pg_url():
    """A fresh database on the test server, dropped afterwards."""
    import psycopg

    admin = pg_or_skip()
    name = "boardsnap_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "history.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(location):
    with History(location) as h:
        yield h


def doc(n: int, **changes) -> Board:
    data = board(n)
    data.update(changes)
    return Board.from_dict(data)


# ---- migrations ------------------------------------------------------------------------------


def test_an_empty_file_is_migrated_to_the_latest_schema_in_wal_mode(tmp_path):
    path = tmp_path / "h.db"
    History(path).close()
    conn = sqlite3.connect(path)
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]
    assert versions == list(range(1, LATEST + 1))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"reviews", "metric_results", "actions", "action_events", "review_actions"} <= tables
    History(path).close()  # opening again applies nothing twice
    assert conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == LATEST


def test_schema_v1_with_data_is_migrated_and_keeps_everything(location):
    db = connect(location)
    assert migrate(db, target=1) == [1]
    # what a BoardSnap of schema v1 wrote: a review and an action already in progress
    with db.write():
        review = db.insert(
            "INSERT INTO reviews (service, service_key, review_date, title, source, "
            "photo_sha256, document_sha256, document, saved_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (SERVICE, "payments api", "2026-08-15", None, "old.jpg", None, "d1", "{}", "t0"),
        )
        db.execute(
            "INSERT INTO actions (review_id, service_key, metric, metric_key, text, owner, due, "
            "status, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                review,
                "payments api",
                "Error rate",
                "error rate",
                "Retry budget, ledger writes!",
                "raj",
                "2026-09-01",
                "in_progress",
                "t1",
            ),
        )
    db.close()
    with History(location) as h:
        assert current_version(h.db) == LATEST
        [action] = h.actions()
        assert action.status == "in_progress" and action.reviews == (review,)
        [event] = h.action_events(action.id)
        assert event.origin == "migration" and event.status == "in_progress" and event.at == "t1"
        # the backfilled text key lets a later board carry the old action forward
        result = h.save(doc(2))
        assert result.actions_linked == 1
        assert [a.id for a in h.actions() if a.metric and a.metric.lower() == "error rate"] == [
            action.id
        ]


def test_a_failed_migration_leaves_the_previous_version_whole(tmp_path, monkeypatch):
    from boardsnap.history import migrations

    db = SqliteDatabase(tmp_path / "h.db", 5)
    migrate(db, target=1)
    broken = migrations.Migration(2, "broken", migrations.V2 + ("CREATE TABLE reviews (x INT)",))
    monkeypatch.setattr(migrations, "MIGRATIONS", (migrations.MIGRATIONS[0], broken))
    with pytest.raises(DatabaseError):
        migrate(db)
    assert current_version(db) == 1
    assert not db.table_exists("action_events")  # the half of v2 that ran is rolled back
    db.close()


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "h.db"
    History(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x')")
    conn.commit()
    with pytest.raises(DatabaseError, match="newer"):
        History(path)


# ---- saving ----------------------------------------------------------------------------------


def test_a_review_is_saved_whole_and_not_twice(store):
    first = store.save(doc(1), photo_sha256="aa")
    assert first.created and first.actions_new == 3
    assert store.save(doc(1)).created is False  # the same document
    again = store.save(doc(1, source="renamed.jpg"), photo_sha256="aa")  # the same photo
    assert again == type(first)(first.review_id, False)
    [review] = store.reviews(SERVICE)
    assert review.review_date == DATES[0] and review.photo_sha256 == "aa"
    assert [m.name for m in review.metrics] == ["Uptime", "P95 latency", "Error rate"]
    p95 = review.metrics[1]
    assert (p95.target_op, p95.target_value, p95.actual_value, p95.status) == (
        "<",
        200.0,
        260.0,
        "breach",
    )
    assert p95.budget_used == pytest.approx(1.3)
    assert store.services() == [SERVICE]
    assert store.reviews("payments  API")[0].id == review.id  # case and spacing do not matter


def test_a_corrected_document_of_a_saved_photo_is_kept_and_flagged(store, caplog):
    store.save(doc(1), photo_sha256="aa")
    corrected = board(1)
    corrected["metrics"][1]["actual"]["text"] = "265ms"
    # the CLI's tests leave the "boardsnap" logger not propagating: listen on ours directly
    logger = logging.getLogger("boardsnap.history.store")
    caplog.set_level(logging.WARNING, logger=logger.name)
    logger.addHandler(caplog.handler)
    try:
        result = store.save(Board.from_dict(corrected))
    finally:
        logger.removeHandler(caplog.handler)
    assert result.created and len(store.reviews()) == 2
    assert "review 1 holds the same service, date and photo name" in caplog.text


def test_a_board_without_a_service_is_refused(store):
    with pytest.raises(InvalidDocument, match="service"):
        store.save(doc(1, service=None))
    assert store.reviews() == []


def test_a_repeated_action_is_carried_forward_not_duplicated(store):
    store.save(doc(1))
    result = store.save(doc(2))
    assert (result.actions_new, result.actions_linked) == (1, 1)
    retry = [a for a in store.actions(SERVICE) if "retry" in a.text.lower()]
    assert len(retry) == 1
    assert retry[0].reviews == (1, 2) and retry[0].due == "2026-10-30"  # the latest board's date


def test_linking_needs_the_same_metric_and_similar_text(store):
    base = board(1)
    store.save(Board.from_dict(base))
    later = dict(base, source="later.jpg", review_date="2026-10-01")
    later["actions"] = [
        dict(base["actions"][1], metric="Uptime"),  # another metric
        dict(base["actions"][2], text="rewrite the incident process"),  # unlike text
    ]
    result = store.save(Board.from_dict(later))
    assert (result.actions_new, result.actions_linked) == (2, 0)


def test_a_done_action_written_again_keeps_its_id_and_stays_done(store):
    base = board(1)
    store.save(Board.from_dict(base))
    store.set_action_status(1, "done", "breaker live")  # the circuit breaker
    later = dict(base, source="later.jpg", review_date="2026-10-01")
    again = dict(base["actions"][0], status="in_progress")  # a board never moves it back
    later["actions"] = [again, dict(base["actions"][1])]
    later_board = Board.from_dict(later)
    context = store.report_context(later_board)  # before it is saved: the report's view
    assert [a.id if a else None for a in context.board_actions] == [1, 2]
    assert context.board_actions[0].status == "done"
    result = store.save(later_board)
    assert (result.actions_new, result.actions_linked, result.actions_done) == (0, 2, 1)
    done = store.action(1)
    assert done.status == "done" and done.reviews == (1, 2)
    assert [e.status for e in store.action_events(1)] == ["open", "done"]  # nothing reopened
    assert 1 not in {a.id for a in store.actions(SERVICE, open_only=True)}
    store.set_action_status(1, "open", "came back")  # reopening is a person's act
    assert store.action(1).status == "open"


def test_the_similarity_threshold_is_a_setting(tmp_path):
    assert (
        text_similarity(
            normalise_text("Retry budget for ledger-writes"),
            normalise_text("retry budget ledger writes"),
        )
        == 1.0
    )
    assert (
        text_similarity(normalise_text("add retry budget"), normalise_text("retry budget add"))
        == 1.0
    )
    assert (
        text_similarity(normalise_text("cache card tokens"), normalise_text("update runbook")) < 0.5
    )
    reworded = board(2)
    reworded["actions"][0]["text"] = "retry budgets on ledger write"
    for threshold, linked in ((0.8, 1), (1.0, 0)):
        with History(tmp_path / f"h{threshold}.db", HistoryConfig(action_match=threshold)) as h:
            h.save(doc(1))
            assert h.save(Board.from_dict(reworded)).actions_linked == linked


def test_a_board_marking_an_action_done_moves_it_and_a_plain_relisting_does_not(store):
    store.save(doc(1))
    store.set_action_status(2, "in_progress", "started")
    relisted = store.save(doc(2))  # lists it again as "open": stays in progress
    assert relisted.actions_linked == 1
    assert store.action(2).status == "in_progress"
    marked = board(3)
    marked["actions"] = [dict(board(2)["actions"][0], status="done")]
    store.save(Board.from_dict(marked))
    assert store.action(2).status == "done"
    assert [e.origin for e in store.action_events(2)] == ["board", "cli", "board"]


# ---- the audit trail -------------------------------------------------------------------------


def test_every_status_change_is_kept_in_order(store):
    store.save(doc(1))
    for status, note in (("in_progress", "started"), ("open", "blocked"), ("done", "shipped")):
        record = store.set_action_status(1, status, note)
        assert record.status == status and record.note == note
    events = store.action_events(1)
    assert [(e.status, e.note) for e in events] == [
        ("open", "recorded from the board"),
        ("in_progress", "started"),
        ("open", "blocked"),
        ("done", "shipped"),
    ]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert events[0].review_id == 1 and events[1].origin == "cli"


def test_unknown_action_is_not_found(store):
    with pytest.raises(NotFound, match="no action 42"):
        store.set_action_status(42, "done")
    with pytest.raises(NotFound):
        store.action_events(42)


def test_open_and_overdue_filters(store):
    store.save(doc(1))
    store.set_action_status(1, "done")
    assert [a.id for a in store.actions(open_only=True)] == [2, 3]
    on = date(2026, 9, 25)  # the runbook (due 09-20) is late, the retry budget (10-10) is not
    assert [a.id for a in store.actions(overdue=True, today=on)] == [3]
    assert store.action(3, today=on).overdue and not store.action(1, today=date(2027, 1, 1)).overdue
    assert store.actions(service="Other service") == []


# ---- what the report shows -------------------------------------------------------------------


def test_no_context_without_an_earlier_review(store):
    assert store.report_context(doc(1)) is None
    store.save(doc(1))
    assert store.report_context(doc(1)) is None  # its own review is not "earlier"


def test_report_context_of_the_third_review(store):
    store.save(doc(1))
    store.set_action_status(1, "done")
    store.save(doc(2))
    store.set_action_status(2, "done")
    store.set_action_status(4, "done")
    ctx = store.report_context(doc(3))
    assert ctx.previous.review_date == DATES[1] and ctx.reviews_shown == 3
    assert {a.id: a.status for a in ctx.previous_actions} == {2: "done", 3: "open", 4: "done"}
    assert [a.id for a in ctx.previous_actions if a.overdue] == [3]
    p95 = next(t for t in ctx.trends if t.name == "P95 latency")
    assert [p.actual_value for p in p95.points] == [260, 230, 170]
    assert p95.change == -60 and p95.direction == "better"
    errors = next(t for t in ctx.trends if t.name == "Error rate")
    assert errors.direction == "worse"
    verdicts = {r.action.id: r.verdict for r in ctx.remediation}
    assert verdicts == {1: "improved", 2: "worse", 4: "improved"}
    # the same once the third review is saved: its own review is left out of "earlier"
    store.save(doc(3))
    saved = store.report_context(doc(3))
    assert {r.action.id: r.verdict for r in saved.remediation} == verdicts
    assert saved.previous.review_date == DATES[1]


# ---- concurrency and crashes -----------------------------------------------------------------


@pytest.mark.parametrize("same", [False, True], ids=["distinct", "same-photos"])
def test_two_processes_saving_at_once_both_succeed(location, same):
    """Two writers start together; both finish. Saving the same photos at once stores them once."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    firsts = (0, 0) if same else (0, 100)
    workers = [
        ctx.Process(target=save_many, args=(location, first, 15, barrier, out)) for first in firsts
    ]
    for w in workers:
        w.start()
    ids = [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    expected = 15 if same else 30
    assert len(set(ids[0]) | set(ids[1])) == expected
    with History(location) as h:
        assert len(h.reviews()) == expected
        if h.db.dialect == "sqlite":
            assert h.db.integrity_check() == "ok"


def test_many_processes_opening_a_new_history_at_once_all_succeed(tmp_path):
    """Switching a new SQLite file to WAL needs a lock SQLite does not wait for (its busy
    handler is not called there): opened by several processes at once, none may fail."""
    ctx = multiprocessing.get_context("spawn")
    for round_ in range(4):
        location = str(tmp_path / f"new-{round_}.db")
        barrier, out = ctx.Barrier(6), ctx.Queue()
        workers = [
            ctx.Process(target=open_at_once, args=(location, barrier, out)) for _ in range(6)
        ]
        for w in workers:
            w.start()
        outcomes = [out.get(timeout=120) for _ in workers]
        for w in workers:
            w.join(timeout=60)
        assert outcomes == ["ok"] * 6, outcomes


@pytest.mark.parametrize("stage", ["review", "actions"])
def test_a_process_killed_mid_save_leaves_all_or_nothing(location, stage):
    with History(location) as h:
        h.save(doc(2))  # an earlier, unrelated review stays
    ctx = multiprocessing.get_context("spawn")
    reached = ctx.Event()
    worker = ctx.Process(target=save_and_hang, args=(location, stage, reached))
    worker.start()
    assert reached.wait(60), "the saving process never reached the fault point"
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(10)
    assert worker.exitcode == -signal.SIGKILL
    with History(location) as h:
        if h.db.dialect == "sqlite":
            assert h.db.integrity_check() == "ok"
        assert [r.review_date for r in h.reviews()] == [DATES[1]]
        for table in ("metric_results", "root_causes", "actions", "review_actions"):
            orphans = h.db.one(
                f"SELECT COUNT(*) FROM {table} WHERE review_id NOT IN (SELECT id FROM reviews)"
            )
            assert orphans[0] == 0, table
        assert h.db.one("SELECT COUNT(*) FROM metric_results")[0] == 3
        assert h.save(doc(1), photo_sha256="killed").created  # the lock was released


# ---- where the history lives -----------------------------------------------------------------


def test_location_from_the_environment_and_the_xdg_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("BOARDSNAP_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_location() == tmp_path / "xdg" / "boardsnap" / "history.db"
    with History() as h:
        h.save(doc(1))
    assert (tmp_path / "xdg" / "boardsnap" / "history.db").is_file()
    monkeypatch.setenv("BOARDSNAP_DB", str(tmp_path / "env.db"))
    with History() as h:
        assert h.reviews() == []
    assert (tmp_path / "env.db").is_file()


@pytest.mark.parametrize(
    "where, message",
    [
        ("mysql://u@h/db", "unsupported database URL scheme"),
        ("{tmp}/missing/h.db", "folder does not exist"),
        ("{tmp}/junk.db", "not a BoardSnap history database"),
        ("postgresql://nobody:secret@127.0.0.1:1/none", "cannot connect"),
    ],
)
def test_bad_locations_are_one_line_database_errors(tmp_path, where, message):
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match=message) as err:
        History(where.format(tmp=tmp_path))
    assert "\n" not in str(err.value) and "secret" not in str(err.value)
