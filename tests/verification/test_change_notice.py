"""PostgreSQL tells listeners at once when the audit log grows: the notice comes with the commit of a
change made on another connection, never for a change rolled back, and a listener whose connection
was dropped says so in one line (its owner opens a new one)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tests.verification.conftest import World
from verification.errors import StoreError, WorkflowRefused
from verification.store.change_notice import ChangeListener, change_listener
from verification.workflow import directory, lifecycle

PG = pytest.mark.parametrize("db_kind", ["postgresql"], indirect=True)


def _listener(w: World) -> ChangeListener:
    listener = change_listener(w.database.url)
    assert listener is not None
    assert not listener.wait(0.05)  # nothing pending at the start
    return listener


@PG
def test_a_committed_change_wakes_the_listener_at_once(world: World) -> None:
    listener = _listener(world)
    try:
        started = time.monotonic()
        directory.add_entry(world.ctx, world.admin, "Globex", "counterparty", "Globex plc")
        assert listener.wait(2.0) and time.monotonic() - started < 2.0
        assert not listener.wait(0.1)  # one notice per change, not a stream
    finally:
        listener.close()


@PG
def test_a_refused_change_sends_nothing(world: World) -> None:
    listener = _listener(world)
    try:
        with pytest.raises(WorkflowRefused):
            lifecycle.create_request(world.ctx, world.requester, "transfer", "100", "EUR", world.counterparty, {})
        with pytest.raises(RuntimeError):
            with world.database.transaction() as connection:  # appended, then rolled back
                world.ctx.audit.append(connection, _event())
                raise RuntimeError("rolled back")
        assert not listener.wait(0.3)
    finally:
        listener.close()


@PG
def test_a_dropped_listener_says_so_in_one_line(world: World) -> None:
    listener = _listener(world)
    with world.database.transaction() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": listener.backend_pid})
    with pytest.raises(StoreError, match="lost the change listener") as lost:
        for _ in range(20):
            listener.wait(0.1)
    assert "\n" not in str(lost.value)
    listener.close()
    again = _listener(world)  # a new listener hears the next change
    try:
        directory.add_entry(world.ctx, world.admin, "Initech", "counterparty", "Initech Inc")
        assert again.wait(2.0)
    finally:
        again.close()


def test_sqlite_has_no_channel() -> None:
    from sqlalchemy import make_url

    assert change_listener(make_url("sqlite:///x.db")) is None


def _event():  # noqa: ANN202 - an AuditEvent
    from verification.audit.log import AuditEvent

    return AuditEvent(actor="system", action="test.rolled_back", subject="test")
