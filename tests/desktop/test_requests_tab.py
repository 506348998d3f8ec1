"""Requests tab on a real SQLite workflow database: the form creates a held transfer request through
the engine, the call-back shows the directory number, codes and phrases are checked by the engine,
and its refusals are shown as its own line."""

from __future__ import annotations

import re

from pytestqt.qtbot import QtBot

from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState
from tests.desktop.decisions import confirm
from tests.desktop.workflow_world import CALL, DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD, engine_call
from verification.workflow import directory
from verification.workflow.views import request_view


def _page(qtbot: QtBot, w: DeskWorld, name: str = "rita", call: dict | None = None) -> RequestsPage:
    state = SignedInState(w.session())
    page = RequestsPage(state, lambda: engine_call(w.ctx, call) if call else None)  # as the app links it: signed
    qtbot.addWidget(page)
    state.sign_in(name, PASSWORD)
    return page


def _as(qtbot: QtBot, page: RequestsPage, name: str, request_id: int) -> RequestsPage:
    """The same page after `name` signs in instead, with the request chosen again."""
    page.state.sign_out()
    page.state.sign_in(name, PASSWORD)
    assert page.select(request_id)
    return page


def _view(w: DeskWorld, request_id: int) -> dict:
    with w.ctx.database.reading() as connection:
        return request_view(connection, request_id, w.clock, w.ctx.pins)


def _fill(page: RequestsPage, amount: str = "25000") -> None:
    page.amount.setText(amount)
    page.iban.setText("GB33BUKB20201555555555")
    page.beneficiary_name.setText("Acme Ltd")


def test_form_creates_a_held_request_linked_to_the_call(qtbot: QtBot, desk_world: DeskWorld) -> None:
    page = _page(qtbot, desk_world, call=CALL)
    assert page.counterparty.currentText() == "Acme Supplies"
    _fill(page)
    page.checks["urgency"].setChecked(True)
    page.link_call.setChecked(True)
    page.create_button.click()
    match = re.match(r"Request (\d+) created", page.result.text())
    assert match, page.result.text()
    request_id = int(match.group(1))
    view = _view(desk_world, request_id)
    assert view["state"] == "held" and view["verdict_level"] == "high" and view["checklist"]["urgency"]
    assert view["call"]["session"] == "call-7"
    # the form starts empty again: the next request carries nothing of this one but the counterparty
    assert (page.amount.text(), page.iban.text(), page.beneficiary_name.text()) == ("", "", "")
    assert not page.checks["urgency"].isChecked() and not page.link_call.isChecked()
    assert page.selected_id() == request_id
    assert "+44 20 7946 0000" in page.callback_number.text() or "+442079460000" in page.callback_number.text()
    assert "MISSING" in page.checklist.status_of("callback")


def test_link_without_a_call_and_bad_amount_are_refused(qtbot: QtBot, desk_world: DeskWorld) -> None:
    page = _page(qtbot, desk_world, call=None)
    _fill(page)
    page.link_call.setChecked(True)
    page.create_button.click()
    assert page.result.text().startswith("No finished call to link")
    page.link_call.setChecked(False)
    page.amount.setText("lots")
    page.create_button.click()
    assert page.requests.count() == 0
    assert page.result.text() and "created" not in page.result.text()


def test_steps_are_recorded_and_refusals_shown(qtbot: QtBot, desk_world: DeskWorld) -> None:
    directory.set_code_phrase(desk_world.ctx, desk_world.admin, "Acme Supplies", "blue heron at noon")
    page = _page(qtbot, desk_world, call=CALL)
    _fill(page)
    page.link_call.setChecked(True)
    page.create_button.click()
    request_id = page.selected_id()
    assert request_id is not None
    page.answered_by.setText("J. Smith")
    for item in ("identity", "request"):
        page.confirmed[item].setChecked(True)
    page.callback_button.click()  # segregation of duties: never the requester on their own request
    assert page.result.text().startswith("'rita' requested request")
    page = _as(qtbot, page, "alan", request_id)  # the approver does the out-of-band steps

    page.outcome.setCurrentText("confirmed")
    page.callback_button.click()
    assert page.result.text() == "a confirmed call-back must confirm at least 'identity' and 'request'"
    for item in ("identity", "request", "amount"):
        page.confirmed[item].setChecked(True)
    page.callback_button.click()
    assert page.result.text() == "say who answered the call-back"  # the engine's own line
    page.answered_by.setText("J. Smith")
    page.callback_button.click()
    assert page.result.text() == f"Call-back recorded for request {request_id}."
    assert any(s["kind"] == "callback" for s in _view(desk_world, request_id)["steps"])

    page.phrase.setText("blue heron at noon")
    page.phrase_button.click()  # hashed on the task runner: the result arrives on the event loop
    assert not page.phrase_button.isEnabled() and page.phrase.text() == ""
    qtbot.waitUntil(lambda: page.result.text() == f"Code phrase confirmed for request {request_id}.", timeout=5_000)
    assert page.phrase_button.isEnabled()
    assert not any("phrase" in m for m in _view(desk_world, request_id)["missing"])

    page.code.setText("000000")
    page.code_button.click()
    assert page.result.text() and "confirmed" not in page.result.text()

    page.release()
    # the release button is off until the engine says approved; the engine refuses anyway
    assert not page.release_button.isEnabled()
    confirm(qtbot, page.decision)
    assert page.result.text().startswith(f"request {request_id} cannot be released: missing one-time code")


def test_issue_code_then_verify_it(qtbot: QtBot, desk_world: DeskWorld) -> None:
    page = _page(qtbot, desk_world, call=CALL)
    _fill(page)
    page.link_call.setChecked(True)
    page.create_button.click()
    request_id = page.selected_id()
    assert request_id is not None
    page = _as(qtbot, page, "alan", request_id)
    page.issue_button.click()  # hashed (scrypt) on the task runner: the code arrives on the event loop
    qtbot.waitUntil(lambda: page.result.text().startswith("One-time code"), timeout=5_000)
    code = page.result.text().rsplit(": ", 1)[-1]
    assert code
    page.code.setText(code)
    page.code_button.click()
    assert not page.code_button.isEnabled()
    qtbot.waitUntil(lambda: page.result.text() == f"Code confirmed for request {request_id}.", timeout=5_000)
    assert page.code.text() == ""
    assert not any("one-time code" in m for m in _view(desk_world, request_id)["missing"])
