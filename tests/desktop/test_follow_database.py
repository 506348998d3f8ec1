"""The workflow views follow the database: a request approved from outside the app (another
connection to the same SQLite file, as the CLI or another machine would) shows up in the Requests
list and detail, leaves the Approvals inbox and appears in the Audit log without anyone pressing
Refresh; countdowns move on with the clock; nothing is polled while no workflow page is on screen."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.tasks import TaskRunner
from desktop.views.admin.admin_page import AdminPage
from desktop.views.approvals.approvals_page import ApprovalsPage
from desktop.views.audit.audit_page import AuditPage
from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState
from tests.desktop.workflow_world import LOW_CALL, DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD, make_context
from verification.workflow import confirmations, directory, lifecycle, users
from verification.workflow.roles import Role

POLL_MS = 100


def _outside(world: DeskWorld, tmp_path: Path):  # noqa: ANN202 - the engine's Context
    """A second engine on the same database file: its own connections, as the CLI opens it."""
    return make_context(f"sqlite:///{tmp_path / 'callshield.db'}", world.data_dir, world.clock)


def test_a_change_made_elsewhere_reaches_every_view(qtbot: QtBot, desk_world: DeskWorld, tmp_path: Path) -> None:
    request_id = desk_world.held_request(call=LOW_CALL)  # only the approval is missing
    state = SignedInState(desk_world.session(), poll_ms=POLL_MS)
    requests, approvals, audit = RequestsPage(state), ApprovalsPage(state), AuditPage(state, TaskRunner())
    for page in (requests, approvals, audit):
        qtbot.addWidget(page)
        page.show()
    state.sign_in("rita", PASSWORD)
    assert requests.requests.item(0).text().startswith(f"#{request_id} HELD")
    assert requests.checklist.status_of("approval") == ["MISSING"]
    assert approvals.selected_id() == request_id
    records = audit.model.rowCount()

    outside = _outside(desk_world, tmp_path)
    confirmations.approve(outside, desk_world.approver, request_id, "checked on the call-back")
    outside.database.dispose()

    qtbot.waitUntil(lambda: requests.requests.item(0).text().startswith(f"#{request_id} APPROVED"), timeout=5_000)
    assert requests.selected_id() == request_id  # the selection stays; the request box follows it
    assert "State APPROVED" in requests.detail.toPlainText()
    assert requests.checklist.status_of("approval") == ["done"]
    qtbot.waitUntil(lambda: approvals.inbox.count() == 0, timeout=5_000)
    assert "No requests are waiting" in approvals.detail.toPlainText()
    qtbot.waitUntil(lambda: audit.model.rowCount() > records, timeout=5_000)
    assert audit.visible_rows()[0][2] == "alan"  # newest first


def test_countdowns_tick_and_hidden_pages_do_not_poll(qtbot: QtBot, desk_world: DeskWorld) -> None:
    state = SignedInState(desk_world.session(), poll_ms=POLL_MS, tick_ms=POLL_MS)
    requests = RequestsPage(state)
    qtbot.addWidget(requests)
    state.sign_in("rita", PASSWORD)
    request = lifecycle.create_request(desk_world.ctx, desk_world.requester, "transfer", "900000", "EUR",
                                       desk_world.counterparty, {"iban": "GB33BUKB20201555555555"}, call=LOW_CALL,
                                       checklist={"urgency": True})
    polls: list[int] = []
    state.follower.changed.connect(lambda: polls.append(1))
    qtbot.wait(5 * POLL_MS)
    assert polls == [] and requests.requests.count() == 0  # not on screen: not polled, not reloaded

    requests.show()
    qtbot.waitUntil(lambda: requests.selected_id() == request.id, timeout=5_000)  # caught up when shown
    hold = requests.checklist.status_of("hold")  # 900,000 EUR: a 60-minute cooling-off hold
    assert hold[0] in ("waiting: 1:00:00 left", "waiting: 59:59 left"), hold
    desk_world.clock.advance(minutes=7)  # nothing written: only the clock moves
    qtbot.waitUntil(lambda: requests.checklist.status_of("hold")[0].startswith(("waiting: 53:00", "waiting: 52:5")),
                    timeout=5_000)


def test_a_reading_started_for_one_user_never_lands_after_sign_out(qtbot: QtBot, desk_world: DeskWorld) -> None:
    desk_world.held_request()
    state = SignedInState(desk_world.session(), poll_ms=60_000)
    requests, approvals = RequestsPage(state), ApprovalsPage(state)
    for page in (requests, approvals):
        qtbot.addWidget(page)
    state.sign_in("rita", PASSWORD)
    assert requests.requests.count() == 1 and approvals.inbox.count() == 1
    requests.follow()  # read on the task runner…
    approvals.follow()
    state.sign_out()  # …while the user signs out
    assert state.runner.wait(5.0)
    qtbot.wait(50)  # the readings' results are delivered on the event loop, and dropped
    assert requests.requests.count() == 0 and approvals.inbox.count() == 0
    assert "Sign in" in requests.detail.toPlainText() and "Sign in" in approvals.detail.toPlainText()


def test_the_admin_lists_follow_changes_made_elsewhere(qtbot: QtBot, desk_world: DeskWorld, tmp_path: Path) -> None:
    state = SignedInState(desk_world.session(), poll_ms=POLL_MS)
    admin = AdminPage(state, state.runner, lambda: [])
    qtbot.addWidget(admin)
    admin.show()
    state.sign_in("ada", PASSWORD)
    admin.users.new_name.setText("half typed")  # a form being filled in stays as it is
    outside = _outside(desk_world, tmp_path)
    users.add_user(outside, desk_world.admin, "carol", [Role.APPROVER], PASSWORD)
    directory.add_entry(outside, desk_world.admin, "Globex", "counterparty", "Globex plc")
    outside.database.dispose()
    qtbot.waitUntil(lambda: any(row[0] == "carol" for row in admin.users.rows()), timeout=5_000)
    qtbot.waitUntil(lambda: any(row[0].startswith("Globex") for row in admin.directory.rows()), timeout=5_000)
    assert admin.users.new_name.text() == "half typed"
