"""Approvals tab on a real SQLite workflow database: held requests with the call verdict and steps,
approve and reject through the engine, and the engine's refusals shown as its own line."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.views.approvals.approvals_page import ApprovalsPage
from desktop.views.sign_in import SignedInState
from tests.desktop.decisions import confirm
from tests.desktop.workflow_world import LOW_CALL, DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.workflow.views import request_view


def _page(qtbot: QtBot, w: DeskWorld, name: str) -> ApprovalsPage:
    state = SignedInState(w.session())
    page = ApprovalsPage(state)
    qtbot.addWidget(page)
    state.sign_in(name, PASSWORD)
    return page


def _state(w: DeskWorld, request_id: int) -> str:
    with w.ctx.database.reading() as connection:
        return str(request_view(connection, request_id, w.clock, w.ctx.pins)["state"])


def test_inbox_shows_request_verdict_and_steps(qtbot: QtBot, desk_world: DeskWorld) -> None:
    request_id = desk_world.held_request()
    page = _page(qtbot, desk_world, "sam")
    assert page.inbox.count() == 1
    assert page.inbox.item(0).text().startswith(f"#{request_id} 25000.00 EUR to Acme Supplies — call HIGH RISK")
    assert page.selected_id() == request_id
    detail = page.detail.toPlainText()
    assert "Call verdict: Call call-7: HIGH RISK, risk 91 of 100 — Synthetic voice: 93 of 100" in detail
    assert page.checklist.status_of("callback") == ["done"]
    assert next(row.by for row in page.checklist.rows if row.step == "callback").startswith("alan at ")
    assert "requested by rita" in detail


def test_approve_works(qtbot: QtBot, desk_world: DeskWorld) -> None:
    request_id = desk_world.held_request(call=LOW_CALL)
    page = _page(qtbot, desk_world, "sam")
    page.comment.setText("confirmed with J. Smith")
    page.approve_button.click()
    assert _state(desk_world, request_id) == "held"  # nothing happens before the password is typed again
    summary = page.decision.summary.text()
    assert "25000.00 EUR" in summary and "Acme Supplies" in summary and "GB33BUKB20201555555555" in summary
    assert "Call-back by alan at " in summary
    confirm(qtbot, page.decision, "wrong password!")
    assert page.decision.isVisible() and page.decision.error.text() == "authentication failed for user 'sam'"
    assert _state(desk_world, request_id) == "held"
    confirm(qtbot, page.decision)
    assert not page.decision.isVisible()
    assert page.result.text().startswith(f"Request {request_id} approved by sam; it is now approved")
    assert _state(desk_world, request_id) == "approved"
    assert page.inbox.count() == 0  # no longer held
    assert page.comment.text() == ""


def test_self_approval_is_refused_with_the_engines_message(qtbot: QtBot, desk_world: DeskWorld) -> None:
    request_id = desk_world.held_request(requester=desk_world.both, call=LOW_CALL)
    page = _page(qtbot, desk_world, "sam")
    assert page.inbox.item(0).text().endswith("(your request)")
    page.approve_button.click()
    confirm(qtbot, page.decision)
    assert page.result.text() == f"self-approval refused: 'sam' requested request {request_id}"
    assert _state(desk_world, request_id) == "held"
    assert page.selected_id() == request_id


def test_missing_steps_refusal_is_shown(qtbot: QtBot, desk_world: DeskWorld) -> None:
    request_id = desk_world.held_request()  # a high-risk call needs more steps before the approval
    page = _page(qtbot, desk_world, "sam")
    page.approve_button.click()
    confirm(qtbot, page.decision)
    assert page.result.text().startswith("approve after the other steps are done; missing ")
    assert _state(desk_world, request_id) == "held"
    assert page.checklist.status_of("one_time_code") == ["MISSING"]


def test_wrong_role_is_refused(qtbot: QtBot, desk_world: DeskWorld) -> None:
    desk_world.held_request()
    page = _page(qtbot, desk_world, "rita")
    page.approve_button.click()
    confirm(qtbot, page.decision)
    assert page.result.text() == "user 'rita' lacks the approver role"


def test_cancelling_the_dialog_decides_nothing(qtbot: QtBot, desk_world: DeskWorld) -> None:
    request_id = desk_world.held_request(call=LOW_CALL)
    page = _page(qtbot, desk_world, "sam")
    page.approve_button.click()
    page.decision.reject()
    assert _state(desk_world, request_id) == "held" and page.result.text() == ""


def test_reject_needs_a_comment_then_rejects(qtbot: QtBot, desk_world: DeskWorld) -> None:
    request_id = desk_world.held_request()
    page = _page(qtbot, desk_world, "alan")
    page.reject_button.click()
    assert page.result.text() == "Say why in the comment before rejecting."
    assert _state(desk_world, request_id) == "held"
    page.comment.setText("beneficiary changed on the call")
    page.reject_button.click()
    assert page.result.text() == f"Request {request_id} rejected by alan; it is now rejected."
    assert _state(desk_world, request_id) == "rejected"
    assert "No requests are waiting" in page.detail.toPlainText()


def test_sign_out_clears_the_inbox(qtbot: QtBot, desk_world: DeskWorld) -> None:
    desk_world.held_request()
    page = _page(qtbot, desk_world, "alan")
    assert page.inbox.count() == 1
    page.sign_in_bar.button.click()
    assert page.inbox.count() == 0 and not page.approve_button.isEnabled()
    assert page.sign_in_bar.label.text() == "Not signed in"
