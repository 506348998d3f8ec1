"""Open the database (SQLite file or PostgreSQL server), migrate it, and run short transactions.

Concurrency: every write transaction on SQLite starts with BEGIN IMMEDIATE, so writers queue on
the database lock before reading what they will change; on PostgreSQL writers lock the rows they
change with SELECT ... FOR UPDATE (callers use `.with_for_update()`, which SQLite ignores). Either
way two approvers or two releases are serialised and the loser sees the winner's result.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from sqlalchemy import Connection, Engine, create_engine, event, exc, make_url
from sqlalchemy.engine import URL

from verification.errors import StoreError
from verification.store.migrate import upgrade_schema

SQLITE_BUSY_MS = 30_000
_READ_ONLY = "callshield_read_only"
_AFTER_COMMIT = "callshield_after_commit"


def after_commit(connection: Connection, callback: Callable[[], None]) -> bool:
    """Run `callback` once this `Database.transaction()` has committed (never when it rolls back or the
    commit fails). False, and nothing scheduled, outside such a transaction."""
    pending = connection.info.get(_AFTER_COMMIT)
    if pending is None:
        return False
    pending.append(callback)
    return True


def _forget_after_commit(connection: Connection) -> None:
    try:
        connection.info.pop(_AFTER_COMMIT, None)
    except exc.SQLAlchemyError:
        pass  # the connection was lost: its info goes with it


def _first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def _connection_lost(error: BaseException | None) -> bool:
    """The server or the connection to it failed (as opposed to the database refusing the change)."""
    return isinstance(error, exc.DBAPIError) and (
        error.connection_invalidated or isinstance(error, (exc.OperationalError, exc.InterfaceError)))


def _use_wal(cursor: Any) -> None:
    """WAL is a property of the file, set once. Switching a new file to it needs an exclusive lock, and
    SQLite answers "database is locked" at once (no busy wait) while another first connection holds
    one: wait for it here, up to the busy timeout, instead of failing the open."""
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see below)
        cursor = dbapi_connection.cursor()
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=FULL")  # a committed approval survives power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class Database:
    """A migrated database; `transaction()` for writes, `reading()` for consistent reads."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self.url = url

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    @property
    def display_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @property
    def engine(self) -> Engine:
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic unit: commits on success, rolls back on any error (nothing half done)."""
        committing = False
        try:
            with self._guard():
                pending: list[Callable[[], None]] = []
                with self._engine.begin() as connection:
                    connection.info[_AFTER_COMMIT] = pending
                    try:
                        yield connection
                    finally:
                        _forget_after_commit(connection)
                    committing = True  # leaving the block sends COMMIT
        except StoreError as error:
            # A server lost after COMMIT was sent may have committed it: say so, never "nothing was committed".
            # (SQLite is in-process: a failed COMMIT there is rolled back, so its message stays true.)
            lost = error.__cause__
            if committing and self.dialect == "postgresql" and _connection_lost(lost):
                raise StoreError(f"database {self.display_url} was lost while committing: the change may or may "
                                 f"not have been saved; look at it before doing it again: "
                                 f"{_first_line(lost)}") from lost
            raise
        for callback in pending:  # reached only after a successful commit
            callback()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only snapshot (no write lock on SQLite; REPEATABLE READ on PostgreSQL)."""
        with self._guard():
            with self._engine.connect() as connection:
                options: dict[str, Any] = {_READ_ONLY: True}
                if self.dialect == "postgresql":
                    options["isolation_level"] = "REPEATABLE READ"  # one snapshot for the whole read
                connection.execution_options(**options)
                with connection.begin():
                    yield connection

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except exc.DBAPIError as error:
            if _connection_lost(error):
                raise StoreError(f"database {self.display_url} failed, nothing was committed: "
                                 f"{_first_line(error)}") from error
            raise StoreError(f"database {self.display_url} refused the change: {_first_line(error)}") from error
        except OverflowError as error:  # an id beyond what the database can store: no such row
            raise StoreError(f"database {self.display_url} refused a value: {error}") from error

    def dispose(self) -> None:
        self._engine.dispose()


def open_database(url: str, migrate: bool = True) -> Database:
    """Connect, check the server answers, and migrate the schema to the newest revision."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        raise StoreError(f"not a database URL: {url!r}") from error
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        _configure_sqlite(engine)
    elif parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    else:
        raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql")
    database = Database(engine, parsed)
    try:
        with database.transaction() as connection:
            if migrate:
                upgrade_schema(connection)
    except StoreError as error:
        engine.dispose()
        raise StoreError(f"cannot open database {database.display_url}: "
                         f"{_first_line(error.__cause__ or error)}") from error
    except ModuleNotFoundError as error:
        engine.dispose()
        raise StoreError(f"database driver missing for {database.display_url}: {error.name}") from error
    return database
