"""The required steps of a request as a checklist (Requests and Approvals tabs), on a real database:
each step with why the policy asks for it in plain words, done or missing as the engine judges it from
the verified statements, who did it when in local time, and the cooling-off hold counting down."""

from __future__ import annotations

import re

from pytestqt.qtbot import QtBot

from desktop.views.approvals.approvals_page import ApprovalsPage
from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState
from desktop.views.local_time import local_time
from tests.desktop.workflow_world import LOW_CALL, DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD, engine_call
from verification.workflow import lifecycle

INTERNAL = re.compile(r"one_time_code|code_phrase|hold_minutes|approval\(s\)|_")


def _cells(table, col: int) -> list[str]:
    return [table.item(n, col).text() for n in range(table.rowCount())]


def test_requests_tab_lists_each_required_step_with_why_and_who(qtbot: QtBot, desk_world: DeskWorld) -> None:
    request_id = desk_world.held_request()  # high-risk call; call-back done by alan
    state = SignedInState(desk_world.session())
    page = RequestsPage(state)
    qtbot.addWidget(page)
    state.sign_in("rita", PASSWORD)
    assert page.select(request_id)
    table = page.checklist
    steps = _cells(table, 0)
    assert "Call-back on the directory number" in steps and "One-time code read back" in steps
    assert table.status_of("callback") == ["done"] and table.status_of("one_time_code") == ["MISSING"]
    callback = next(row for row in table.rows if row.step == "callback")
    view = state.session.request_view(request_id)
    at = next(s["at"] for s in view["steps"] if s["kind"] == "callback")
    assert callback.by == f"alan at {local_time(at)}"
    assert "the call was judged high risk" in callback.why
    assert all(not INTERNAL.search(why) for why in _cells(table, 1)), _cells(table, 1)
    assert all(status == "MISSING" for status in table.status_of("approval"))
    assert "required because" not in page.detail.toPlainText().lower()  # the run-on prose is gone


def test_approvals_tab_shows_the_hold_counting_down(qtbot: QtBot, desk_world: DeskWorld) -> None:
    request = lifecycle.create_request(desk_world.ctx, desk_world.requester, "transfer", "900000", "EUR",
                                       desk_world.counterparty, {"iban": "GB33BUKB20201555555555"},
                                       call=engine_call(desk_world.ctx, LOW_CALL), checklist={"urgency": True})
    state = SignedInState(desk_world.session())
    page = ApprovalsPage(state)
    qtbot.addWidget(page)
    state.sign_in("alan", PASSWORD)
    assert page.select(request.id)
    hold = page.checklist.status_of("hold")
    assert hold and hold[0] in ("waiting: 1:00:00 left", "waiting: 59:59 left"), hold
    why = next(row.why for row in page.checklist.rows if row.step == "hold")
    assert "the amount is" in why and "EUR or more" in why, why
    qtbot.waitUntil(lambda: page.checklist.status_of("hold") != hold, timeout=3_000)  # ticks without a read
    assert page.checklist.status_of("hold")[0].startswith("waiting: 59:")
    assert page.checklist.status_of("checklist") == ["MISSING"]  # only "urgency" was answered


def test_the_detail_pane_keeps_only_what_the_table_cannot_show() -> None:
    from desktop.views.approvals.approvals_page import detail_html

    view = {"id": 4, "kind": "transfer", "amount": "10.00", "currency": "EUR", "counterparty": "Acme", "state": "held",
            "requester": "rita", "policy_version": 1,
            "missing": ["steps cannot be verified here: no pinned trust root", "code phrase",
                        "1 more approval(s) by an approver who is not the requester"]}
    html = detail_html(view)
    assert "steps cannot be verified here: no pinned trust root" in html
    assert "code phrase" not in html and "approval" not in html  # rows of the steps table instead
