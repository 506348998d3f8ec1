"""Live views on PostgreSQL: a change committed elsewhere (another connection, as the CLI or another
machine makes it) reaches the open Requests view within 2 s through LISTEN/NOTIFY, with the poll
slowed to a minute so that only the notice can bring it; the listener survives its connection being
dropped (it reconnects and catches up); and with no listener the poll still follows the database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from desktop.controllers.workflow_session import WorkflowSession
from desktop.tasks import TaskRunner
from desktop.views.database_follow import DatabaseFollower
from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState
from tests.verification.conftest import (PASSWORD, World, db_kind, make_context, pg_admin,  # noqa: F401
                                        pg_server, pg_template, postgresql_seed, world)
from verification.store.change_notice import ChangeListener
from verification.workflow import lifecycle
from verification.workflow.context import Context

pytestmark = pytest.mark.parametrize("db_kind", ["postgresql"], indirect=True)
MINUTE_MS = 60_000


def _outside(w: World, tmp_path: Path) -> Context:
    """Another engine on the same database, with its own connections."""
    return make_context(w.database.url.render_as_string(hide_password=False), w.data_dir, w.clock)


def _requests_page(qtbot: QtBot, w: World) -> tuple[SignedInState, RequestsPage]:
    state = SignedInState(WorkflowSession(lambda: (w.ctx, w.data_dir)), poll_ms=MINUTE_MS, tick_ms=MINUTE_MS)
    page = RequestsPage(state)
    qtbot.addWidget(page)
    page.show()
    state.sign_in("rita", PASSWORD)
    qtbot.waitUntil(lambda: state.follower.listening, timeout=5_000)
    _settled(qtbot, state)
    return state, page


def _settled(qtbot: QtBot, state: SignedInState) -> None:
    """The catch-up read made on connecting is over: what comes next can only come from a notice."""
    qtbot.wait(300)
    qtbot.waitUntil(lambda: not state.runner.busy, timeout=5_000)
    qtbot.wait(100)


def _create_outside(outside: Context, w: World) -> int:
    return lifecycle.create_request(outside, w.requester, "transfer", "25000", "EUR", w.counterparty,
                                    {"iban": "DE89370400440532013000"}).id


def _shown_within(qtbot: QtBot, page: RequestsPage, request_id: int) -> float:
    started = time.monotonic()
    qtbot.waitUntil(lambda: page.requests.count() > 0 and page.requests.item(0).text().startswith(f"#{request_id} "),
                    timeout=2_000)
    return time.monotonic() - started


def test_a_change_from_elsewhere_reaches_the_open_view_within_two_seconds(qtbot: QtBot, world: World,
                                                                       tmp_path: Path) -> None:
    state, page = _requests_page(qtbot, world)
    assert page.requests.count() == 0
    outside = _outside(world, tmp_path)
    try:
        assert _shown_within(qtbot, page, _create_outside(outside, world)) < 2.0
    finally:
        outside.database.dispose()
        state.follower.stop()


def test_the_listener_reconnects_after_its_connection_is_dropped(qtbot: QtBot, world: World,
                                                                 tmp_path: Path) -> None:
    state, page = _requests_page(qtbot, world)
    wakeup = state.follower.wakeup
    assert wakeup is not None and wakeup.connections == 1
    outside = _outside(world, tmp_path)
    try:
        with outside.database.transaction() as connection:
            dropped = connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN %'")).scalar_one()
        assert dropped == 1
        request_id = _create_outside(outside, world)  # made while nobody listens
        qtbot.waitUntil(lambda: wakeup.connections == 2 and state.follower.listening, timeout=5_000)
        qtbot.waitUntil(lambda: page.requests.count() == 1, timeout=2_000)  # caught up on reconnecting
        assert page.requests.item(0).text().startswith(f"#{request_id} ")
        assert _shown_within(qtbot, page, _create_outside(outside, world)) < 2.0  # and hears the next one
    finally:
        outside.database.dispose()
        state.follower.stop()


def test_without_a_listener_the_poll_still_follows(qtbot: QtBot, world: World, tmp_path: Path) -> None:
    session = WorkflowSession(lambda: (world.ctx, world.data_dir))
    session.sign_in("rita", PASSWORD)
    unreachable = world.database.url.set(port=1)  # nothing listens there: the listener cannot connect
    follower = DatabaseFollower(session.change_stamp, lambda: True, TaskRunner(), poll_ms=200,
                                open_listener=lambda: ChangeListener(unreachable))
    screen = RequestsPage(SignedInState(session))
    qtbot.addWidget(screen)
    screen.show()
    follower.watch(screen)
    changes: list[int] = []
    follower.changed.connect(lambda: changes.append(1))
    qtbot.waitUntil(lambda: len(changes) == 1, timeout=2_000)  # the first read
    outside = _outside(world, tmp_path)
    try:
        _create_outside(outside, world)
        qtbot.waitUntil(lambda: len(changes) == 2, timeout=2_000)
        assert not follower.listening and follower.wakeup is not None and follower.wakeup.connections == 0
    finally:
        outside.database.dispose()
        follower.stop()
