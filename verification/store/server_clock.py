"""Where time comes from. With a database server (PostgreSQL) every client reads the server's clock,
so holds, freshness windows and audit times come from one clock that a client cannot move: a machine
whose clock is hours behind (by mistake or on purpose) no longer shortens a cooling-off hold. With
SQLite (one machine) the machine's own clock is the only one; the audit log refuses a time earlier
than its last record (see verification/audit/time_order.py), so a clock turned back is caught.

Concurrency: each reading borrows a pooled connection for one short query, outside the caller's
transaction, so it also works between transactions; a transaction that reads the clock holds one
connection and briefly borrows a second."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import exc, text

from verification.errors import StoreError
from verification.store.clock import Clock, utc_now
from verification.store.database import Database


class ServerClock:
    """A Clock that answers with the database server's `clock_timestamp()` (real time, not the
    transaction's start time), in UTC."""

    def __init__(self, database: Database) -> None:
        if database.dialect != "postgresql":
            raise StoreError(f"database {database.display_url} has no server clock")
        self._database = database

    def __call__(self) -> datetime:
        try:
            with self._database.engine.connect() as connection:
                moment = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
        except exc.DBAPIError as error:
            first = (str(getattr(error, "orig", None) or error).strip().splitlines() or ["no answer"])[0]
            raise StoreError(f"cannot read the clock of database {self._database.display_url}: {first}") from error
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise StoreError(f"database {self._database.display_url} answered the time as {moment!r}")
        return moment.astimezone(timezone.utc)


def database_clock(database: Database, local: Clock = utc_now) -> Clock:
    """The clock production uses: the server's where there is a server, else `local` (this machine's)."""
    if database.dialect == "postgresql":
        return ServerClock(database)
    return local
