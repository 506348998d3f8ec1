"""Release asks first and takes the password again, on a real database: the dialog shows what leaves,
to whom and what was confirmed; the freshly opened key signs. Evidence the engine will not count is
shown as NOT VALID, in red, beside who did each step."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import update

from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState
from tests.desktop.decisions import confirm
from tests.desktop.workflow_world import LOW_CALL, DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.errors import AuthError
from verification.store.tables import statements
from verification.workflow import confirmations
from verification.workflow.views import request_view


def _state(w: DeskWorld, request_id: int) -> str:
    with w.ctx.database.reading() as connection:
        return str(request_view(connection, request_id, w.clock, w.ctx.pins)["state"])


def _requests(qtbot: QtBot, w: DeskWorld, name: str) -> RequestsPage:
    state = SignedInState(w.session())
    page = RequestsPage(state, lambda: None)
    qtbot.addWidget(page)
    state.sign_in(name, PASSWORD)
    return page


def test_release_shows_what_leaves_and_signs_with_the_password_typed_again(qtbot: QtBot,
                                                                           desk_world: DeskWorld) -> None:
    request_id = desk_world.held_request(call=LOW_CALL)
    confirmations.approve(desk_world.ctx, desk_world.both, request_id, "checked")
    desk_world.clock.advance(days=1)  # past any cooling-off hold
    page = _requests(qtbot, desk_world, "rita")
    assert page.select(request_id) and page.release_button.isEnabled()
    page.release_button.click()
    summary = page.decision.summary.text()
    for part in ("Release request", "25000.00 EUR", "Acme Supplies", "GB33BUKB20201555555555",
                 "Call-back by alan at ", "Approval by sam at "):
        assert part in summary, part
    assert _state(desk_world, request_id) == "approved"  # nothing leaves before the password
    confirm(qtbot, page.decision, "not my password")
    assert page.decision.error.text() == "authentication failed for user 'rita'"
    assert _state(desk_world, request_id) == "approved"
    confirm(qtbot, page.decision)
    assert page.result.text() == f"Request {request_id} released; it is now released."
    assert _state(desk_world, request_id) == "released"


def test_a_step_whose_signature_fails_is_shown_not_valid_and_release_is_refused(qtbot: QtBot,
                                                                               desk_world: DeskWorld) -> None:
    request_id = desk_world.held_request(call=LOW_CALL)
    confirmations.approve(desk_world.ctx, desk_world.both, request_id, "checked")
    desk_world.clock.advance(days=1)
    with desk_world.ctx.database.transaction() as connection:  # someone edits the database behind our back
        connection.execute(update(statements).where(statements.c.request_id == request_id,
                                                    statements.c.kind == "callback").values(signature="AAAA"))
    page = _requests(qtbot, desk_world, "rita")
    assert page.select(request_id)
    shown = str(page.detail.property("shown_html"))
    assert "color:#b00020'><b>NOT VALID:</b>" in shown
    rows = {row.step: row for row in page.checklist.rows}  # only verified steps count
    assert rows["approval"].done and rows["approval"].by.startswith("sam at ")
    assert page.checklist.status_of("callback") == ["MISSING"] and rows["callback"].by == ""
    page.release()
    assert "NOT VALID" in page.decision.summary.text()
    confirm(qtbot, page.decision)
    assert page.result.text().startswith(f"request {request_id} cannot be released: ")
    assert _state(desk_world, request_id) != "released"


def test_a_decision_signs_only_as_the_person_signed_in(desk_world: DeskWorld) -> None:
    """Attack: a User opened with someone else's password (another approver at the same desk) must not
    sign a decision for the person signed in."""
    request_id = desk_world.held_request(call=LOW_CALL)
    session = desk_world.session()
    session.sign_in("sam", PASSWORD)
    other = session.check_credentials("alan", PASSWORD)
    try:
        session.approve(request_id, "", other)
    except AuthError as error:
        assert str(error) == "sign in again: the decision was confirmed by someone else's password"
    else:
        raise AssertionError("approved with another person's key")
    assert _state(desk_world, request_id) == "held"
    assert session.approve(request_id, "", session.recheck(PASSWORD)).startswith(
        f"Request {request_id} approved by sam")
