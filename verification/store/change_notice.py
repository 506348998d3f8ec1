"""Telling other processes at once that the database changed: PostgreSQL's LISTEN/NOTIFY.

Every change the engine makes appends an audit record, and the append sends `pg_notify` on CHANNEL in
the same transaction, so the notice is delivered only when the change commits (never for one rolled
back). A `ChangeListener` holds its own connection (LISTEN needs a session that stays open, outside
the pool) and waits for notices. SQLite has no such channel: its readers compare the audit head.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL

from verification.errors import StoreError

CHANNEL = "callshield_audit"
CONNECT_TIMEOUT_S = 5


def announce(connection: Connection, seq: int) -> None:
    """Queue a notice of audit record `seq`; PostgreSQL sends it when the transaction commits."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": str(seq)})


def _conninfo(url: URL) -> str:
    from psycopg.conninfo import make_conninfo

    parts: dict[str, Any] = {k: v for k, v in dict(url.query).items() if isinstance(v, str)}
    for key, value in (("host", url.host), ("port", url.port), ("user", url.username),
                       ("password", url.password), ("dbname", url.database)):
        if value is not None:
            parts[key] = str(value)
    return make_conninfo(connect_timeout=str(CONNECT_TIMEOUT_S), **parts)


class ChangeListener:
    """One dedicated PostgreSQL connection listening on CHANNEL. Not thread-safe: one thread uses it.
    `wait` raises StoreError (one line) when the connection is lost; the caller closes it and opens a
    new listener later, and meanwhile reads the audit head."""

    def __init__(self, url: URL) -> None:
        import psycopg

        self._display = url.render_as_string(hide_password=True)
        try:
            self._connection = psycopg.connect(_conninfo(url), autocommit=True)
        except psycopg.Error as error:
            raise StoreError(f"cannot listen for changes on {self._display}: {_line(error)}") from error
        try:
            self._connection.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as error:
            self.close()
            raise StoreError(f"cannot listen for changes on {self._display}: {_line(error)}") from error

    @property
    def backend_pid(self) -> int:
        return int(self._connection.info.backend_pid)

    def wait(self, timeout_s: float) -> bool:
        """True as soon as a notice arrives (several at once count as one), False after `timeout_s`."""
        import psycopg

        try:
            return any(True for _ in self._connection.notifies(timeout=timeout_s, stop_after=1))
        except psycopg.Error as error:
            raise StoreError(f"lost the change listener on {self._display}: {_line(error)}") from error

    def close(self) -> None:
        try:
            self._connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection: nothing more to do
            pass


def _line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def change_listener(url: URL) -> ChangeListener | None:
    """A listener for a PostgreSQL database; None for SQLite (no channel: poll the audit head)."""
    return ChangeListener(url) if url.get_backend_name() == "postgresql" else None
