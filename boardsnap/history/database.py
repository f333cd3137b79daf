"""Where the review history lives, and one small connection type over SQLite and PostgreSQL.

The history is one SQLite file by default, or a PostgreSQL database a team shares. The store
(`history.py`) and its migrations (`migrations.py`) write their SQL once, with `?` placeholders
and portable types; `Database` runs it on either engine:

- SQLite: WAL journal (readers never block the writer), a busy timeout so a second writer waits
  instead of failing, `BEGIN IMMEDIATE` for every write so the wait happens at the start of the
  transaction (never half-way, where SQLite could only give up), foreign keys on, and
  `synchronous=FULL` so a saved review survives a power cut.
- PostgreSQL (psycopg 3): every write transaction first takes one advisory lock, so writers are
  serialised exactly as on SQLite and "is this photo saved already?" cannot race.

Every failure to reach or use the database becomes a `DatabaseError` with one line that names
the location (never its password) and says how to fix it.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from boardsnap.errors import DatabaseError, InvalidDocument, NotFound
from boardsnap.fileio import make_folder

ENV_VAR = "BOARDSNAP_DB"
PG_SCHEMES = ("postgresql", "postgres")
# The advisory lock every PostgreSQL write transaction takes (any constant; "BSNP" in ASCII).
PG_WRITE_LOCK = 0x42534E50


def default_location() -> Path:
    """$XDG_DATA_HOME/boardsnap/history.db, else ~/.local/share/boardsnap/history.db."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    folder = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return folder / "boardsnap" / "history.db"


def resolve_location(location: str | Path | None) -> tuple[str | Path, bool]:
    """The location to open and whether it is the default one (whose folder may be created):
    the argument, else $BOARDSNAP_DB, else the XDG data folder."""
    if location is not None and str(location) != "":
        return location, False
    env = os.environ.get(ENV_VAR, "")
    if env:
        return env, False
    return default_location(), True


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[-1]}"))


def connect(location: str | Path | None, busy_timeout: float = 30.0, connect_timeout: int = 10):
    """Open the history database at `location` (see `resolve_location`)."""
    where, is_default = resolve_location(location)
    text = str(where)
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in PG_SCHEMES:
        return PostgresDatabase(text, connect_timeout)
    if scheme == "sqlite":
        path = urlsplit(text).path
        if not path:
            raise DatabaseError(
                "an sqlite:// URL needs a file path", path=text, fix="e.g. sqlite:///data/h.db"
            )
        return SqliteDatabase(Path(path), busy_timeout, create_folder=False)
    if scheme:
        raise DatabaseError(
            f"unsupported database URL scheme {scheme!r}",
            path=redact(text),
            fix="give a file path for SQLite, or postgresql://user@host/dbname",
        )
    return SqliteDatabase(Path(where), busy_timeout, create_folder=is_default)


class Database:
    """The common interface; `?` placeholders in every statement."""

    dialect = ""
    where = ""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with _values(), self._errors():
            self._conn.execute(self._sql(sql), tuple(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with _values(), self._errors():
            return list(self._conn.execute(self._sql(sql), tuple(params)).fetchall())

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def insert(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an INSERT and return the new row's id (`RETURNING id`: SQLite >= 3.35, PG)."""
        with _values(), self._errors():
            row = self._conn.execute(self._sql(sql + " RETURNING id"), tuple(params)).fetchone()
        return int(row[0])

    def table_exists(self, name: str) -> bool:
        raise NotImplementedError

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction: everything in the block is committed together, or nothing."""
        raise NotImplementedError
        yield  # pragma: no cover

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        """A consistent snapshot for several queries."""
        raise NotImplementedError
        yield  # pragma: no cover

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.close()

    # ---- engine specifics --------------------------------------------------------------------
    _conn: Any

    def _sql(self, sql: str) -> str:
        return sql

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        yield


class SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: Path, busy_timeout: float, create_folder: bool = False):
        self.path = path
        self.where = str(path)
        self._checked = False  # quick_check done (once, before the first write)
        folder = path.parent
        if create_folder:
            fix = f"set {ENV_VAR} or --db to a writable place"
            make_folder(folder, "history folder", fix, error=DatabaseError)
        try:
            if path.is_dir():
                raise DatabaseError("is a folder", path=str(path), fix="give a database file name")
            if not folder.is_dir():
                raise DatabaseError(
                    "folder does not exist",
                    path=str(path),
                    fix=f"create it first (mkdir -p {folder}) or choose another path",
                )
            if path.exists():
                _refuse_empty(path)
            else:
                _create(path)
        except OSError as exc:  # a name too long for the system, a looping link...
            raise DatabaseError(
                f"cannot use this path ({exc.strerror or exc})",
                path=str(path)[:300],
                fix="give a shorter path to a database file",
            ) from None
        except ValueError:
            raise DatabaseError(
                "not a usable file name", path=repr(str(path))[:300], fix="give another --db"
            ) from None
        try:
            # isolation_level=None: no implicit transactions; write() and read() begin them.
            self._conn = sqlite3.connect(
                str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._conn.execute("PRAGMA foreign_keys = ON")
            mode = self._switch_to_wal(busy_timeout)
            self._conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as exc:
            raise self._translate(exc) from None
        if str(mode).lower() != "wal":
            raise DatabaseError(
                f"cannot switch the database to WAL mode (it stays in {mode!r} mode)",
                path=str(path),
                fix="put the history on a local disk (WAL needs shared memory)",
            )

    def _switch_to_wal(self, busy_timeout: float) -> str:
        """WAL mode, waiting for other processes that open the same new file at the same time:
        the switch needs a lock for which SQLite does not call its busy handler (it answers
        "database is locked" at once), so this waits here, up to the busy timeout."""
        deadline = time.monotonic() + busy_timeout
        while True:
            try:
                return str(self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                text = str(exc)
                if not ("locked" in text or "busy" in text) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.005, 0.05))

    def table_exists(self, name: str) -> bool:
        return bool(self.one("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)))

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        if not self._checked:  # opened for writing: never write into a damaged database
            self.check(quick=True)
            self._checked = True
        # IMMEDIATE takes the write lock now, waiting up to the busy timeout for another writer.
        self.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        self.execute("BEGIN")
        try:
            yield
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("COMMIT")

    def integrity_check(self) -> str:
        return str(self.one("PRAGMA integrity_check")[0])

    def check(self, quick: bool = False) -> None:
        """`DatabaseError` (exit 9, with the fix) unless SQLite finds the file sound:
        `quick_check` (the structure, in one pass) or the full `integrity_check` plus the
        foreign keys."""
        pragma = "quick_check" if quick else "integrity_check"
        lines = [
            line for r in self.query(f"PRAGMA {pragma}(20)") for line in str(r[0]).splitlines()
        ]
        rows = [line for line in lines if not line.startswith("*** in database")]  # a heading
        if not quick:
            rows += [
                f"row {r[1]} of {r[0]} names a missing {r[2]}"
                for r in self.query("PRAGMA foreign_key_check")
            ]
        if rows and rows != ["ok"]:
            more = f"; {len(rows) - 1} more" if len(rows) > 1 else ""
            raise DatabaseError(
                f"the history database is damaged ({rows[0][:160]}{more})",
                path=self.where,
                fix=DAMAGED_FIX,
            )

    def backup_to(self, dest: Path) -> None:
        """A consistent copy of the whole database in `dest` (SQLite's online backup API:
        writers may go on meanwhile), written to a temporary name and renamed when complete."""
        from boardsnap.fileio import atomic_path

        with atomic_path(dest, inputs=(self.path,)) as tmp:
            try:
                copy = sqlite3.connect(str(tmp))
                try:
                    with self._errors():
                        self._conn.backup(copy)
                    copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                finally:
                    copy.close()
            except sqlite3.Error as exc:
                raise DatabaseError(f"cannot copy ({exc})", path=str(dest)) from None

    def restore_from(self, source: Path) -> None:
        """Replace the whole database with `source`, a sound history (checked first)."""
        src = open_backup(source)
        try:
            with self._errors():
                src.backup(self._conn)
        finally:
            src.close()
        self._checked = False

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError):
                raise
            raise self._translate(exc) from None

    def _translate(self, exc: sqlite3.Error) -> DatabaseError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return DatabaseError(
                "the history database stayed locked by another writer",
                path=self.where,
                fix="retry; or raise [history] busy_timeout",
            )
        if "not a database" in text or "malformed" in text:
            return DatabaseError(
                f"not a BoardSnap history database, or a damaged one ({text})",
                path=self.where,
                fix="give another --db file; if it is your history, " + DAMAGED_FIX,
            )
        if "readonly" in text or "unable to open" in text:
            return DatabaseError(
                f"cannot open the history database ({text})",
                path=self.where,
                fix="check the file and its folder are writable",
            )
        return DatabaseError(f"database error ({text})", path=self.where)


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, connect_timeout: int):
        self.where = redact(url)
        try:
            import psycopg
        except ImportError:
            raise DatabaseError(
                "PostgreSQL support is not installed",
                path=self.where,
                fix="pip install 'boardsnap[postgres]' (psycopg 3)",
            ) from None
        self._psycopg = psycopg
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout)
        except psycopg.Error as exc:
            raise DatabaseError(
                f"cannot connect ({_first_line(exc)})",
                path=self.where,
                fix="check the server is running and the URL's host, port, user and database",
            ) from None
        except Exception as exc:  # noqa: BLE001 - psycopg raises ProgrammingError and others
            raise DatabaseError(
                f"bad PostgreSQL URL ({_first_line(exc)})",
                path=self.where,
                fix="use postgresql://user[:password]@host[:port]/dbname",
            ) from None

    def _sql(self, sql: str) -> str:
        # psycopg's placeholder is %s; no statement here holds a literal % or ?.
        return sql.replace("?", "%s")

    def table_exists(self, name: str) -> bool:
        return bool(self.one("SELECT to_regclass(?) IS NOT NULL", (name,))[0])

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        with self._errors(), self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_WRITE_LOCK,))
            yield

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with self._errors(), self._conn.transaction():
            self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        psycopg = self._psycopg
        try:
            yield
        except psycopg.DataError as exc:
            if "NUL" not in str(exc):
                raise
            raise InvalidDocument(
                "the text holds a NUL character, which PostgreSQL cannot store",
                fix="remove the NUL characters (\\u0000) from the document",
            ) from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            raise DatabaseError(
                f"database error ({_first_line(exc)})",
                path=self.where,
                fix="check the server is running and reachable",
            ) from None


DAMAGED_FIX = (
    "restore a backup with `boardsnap db restore BACKUP --db PATH` (a copy is made beside the "
    "file before every migration: PATH.v*.bak); `boardsnap db check` gives the full check"
)
EMPTY_GRACE = 2.0  # seconds another process may take to initialise a history file it created


def _create(path: Path) -> None:
    """A new history file, never empty: its header (WAL mode) is written under a temporary name
    that is then linked in place, so a process killed while creating it leaves no empty file
    that would later be refused as a truncated history. Another process creating it at the
    same moment wins; this one then opens theirs."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        conn = sqlite3.connect(str(tmp))
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot create the history ({exc})", path=str(path)) from None
    finally:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{tmp}{suffix}")


def _refuse_empty(path: Path) -> None:
    """An existing empty file is not taken for a new history (a truncated one would silently
    lose every review): unless another process is creating it right now, it is refused."""
    deadline = time.monotonic() + EMPTY_GRACE
    while path.stat().st_size == 0:
        if time.monotonic() > deadline:
            raise DatabaseError(
                "is an empty file, not a history (was it truncated?)",
                path=str(path),
                fix="restore a backup with `boardsnap db restore BACKUP --db PATH`, or delete "
                "the empty file to start a new history",
            )
        time.sleep(0.05)


def open_backup(source: Path) -> sqlite3.Connection:
    """A read-only connection to `source` once it is known to be a sound BoardSnap history."""
    if not Path(source).is_file():
        raise DatabaseError("no such file", path=str(source), fix="give the backup's path")
    try:
        src = sqlite3.connect(f"file:{Path(source).absolute()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open the backup ({exc})", path=str(source)) from None
    try:
        result = [str(r[0]) for r in src.execute("PRAGMA integrity_check(5)")]
        known = src.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
        ).fetchone()
    except sqlite3.Error as exc:
        src.close()
        raise DatabaseError(
            f"not a usable backup ({exc})", path=str(source), fix="give another backup"
        ) from None
    if result != ["ok"] or not known:
        src.close()
        what = "damaged" if result != ["ok"] else "not a BoardSnap history"
        raise DatabaseError(f"the backup is {what}", path=str(source), fix="give another backup")
    return src


def stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def restore(location: str | Path | None, source: Path, busy_timeout: float = 30.0) -> list[str]:
    """Make the SQLite history at `location` a copy of the backup `source`; returns lines that
    say what was kept. The history as it was is kept beside it first: copied when it can be
    read (PATH.before-restore-TIMESTAMP.bak), else (empty, damaged) moved aside whole with its
    WAL files (PATH.damaged-TIMESTAMP)."""
    open_backup(source).close()  # a bad backup is refused before anything is touched
    where = str(resolve_location(location)[0])
    if _is_postgres(location):
        raise DatabaseError(
            "restore works on an SQLite history",
            path=redact(where),
            fix="for PostgreSQL use pg_restore (from a dump made with pg_dump -Fc)",
        )
    path = Path(urlsplit(where).path) if where.lower().startswith("sqlite://") else Path(where)
    notes: list[str] = []
    try:
        db = SqliteDatabase(path, busy_timeout)
    except DatabaseError:
        db = None  # empty or not a database: moved aside whole below
    if db is not None:
        try:
            try:
                db.check(quick=True)
                sound = True
            except DatabaseError:
                sound = False  # damaged: moved aside whole below
            if sound:
                aside = path.with_name(f"{path.name}.before-restore-{stamp()}.bak")
                db.backup_to(aside)
                notes.append(f"the history as it was is copied to {aside}")
                db.restore_from(source)
                return notes
        finally:
            db.close()
    if path.exists():
        damaged = path.with_name(f"{path.name}.damaged-{stamp()}")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.replace(f"{path}{suffix}", f"{damaged}{suffix}")
        notes.append(f"the damaged history is moved to {damaged}")
    fresh = SqliteDatabase(path, busy_timeout)
    try:
        fresh.restore_from(source)
    finally:
        fresh.close()
    return notes


def check_history(location: str | Path | None) -> tuple[str, int]:
    """The full check of the history at `location` (SQLite: integrity_check and foreign keys,
    `DatabaseError` with the fix on damage; PostgreSQL: that it can be read); returns where it
    is (a URL without its password) and how many reviews it holds."""
    db = connect(location)
    try:
        if isinstance(db, SqliteDatabase):
            db.check(quick=False)
        known = db.table_exists("reviews")
        reviews = int(db.one("SELECT count(*) FROM reviews")[0]) if known else 0
        return db.where, reviews
    finally:
        db.close()


def backup(location: str | Path | None, dest: Path) -> None:
    """Copy the SQLite history at `location` to `dest`, consistently while others may be
    writing (SQLite's online backup API); a damaged history is refused, not copied."""
    db = connect(location)
    try:
        if not isinstance(db, SqliteDatabase):
            raise DatabaseError(
                "backup works on an SQLite history",
                path=db.where,
                fix="for PostgreSQL use pg_dump -Fc URL -f FILE",
            )
        db.check(quick=True)  # a copy of a damaged history would restore the damage
        db.backup_to(dest)
    finally:
        db.close()


def is_postgres(location: str | Path | None) -> bool:
    """Whether `location` names a PostgreSQL history (a postgresql:// URL)."""
    return _is_postgres(location)


def _is_postgres(location: str | Path | None) -> bool:
    text = str(resolve_location(location)[0])
    return "://" in text and text.split("://", 1)[0].lower() in PG_SCHEMES


@contextlib.contextmanager
def _values() -> Iterator[None]:
    """Values no database can take, as the documented errors: text that is not valid Unicode
    (a lone surrogate) is an invalid document; an id beyond 64 bits names nothing."""
    try:
        yield
    except UnicodeEncodeError:
        raise InvalidDocument(
            "the text holds a character that is not valid Unicode (a lone surrogate such as "
            "\\ud800)",
            fix="remove it from the document",
        ) from None
    except OverflowError:
        raise NotFound(
            "no such action or review: the number is beyond any id",
            fix="`boardsnap actions` lists them",
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return re.sub(r"\s+", " ", line)[:200]


__all__ = [
    "ENV_VAR",
    "backup",
    "check_history",
    "is_postgres",
    "restore",
    "Database",
    "SqliteDatabase",
    "PostgresDatabase",
    "connect",
    "default_location",
    "resolve_location",
    "redact",
]
