"""A look-alike beneficiary name is shown to the approver as a red flag, beside the steps it added."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.views.approvals.approvals_page import ApprovalsPage
from desktop.views.sign_in import SignedInState
from tests.desktop.workflow_world import CALL, DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import ALL_NO, PASSWORD
from verification.workflow import lifecycle


def test_lookalike_beneficiary_is_a_red_flag_for_the_approver(qtbot: QtBot, desk_world: DeskWorld) -> None:
    request = lifecycle.create_request(desk_world.ctx, desk_world.requester, "transfer", "25000", "EUR",
                                       "Acme Supplies", {"iban": "GB33BUKB20201555555555", "name": "\u0410cme Ltd"},
                                       call=CALL, checklist=ALL_NO)
    state = SignedInState(desk_world.session())
    page = ApprovalsPage(state)
    qtbot.addWidget(page)
    state.sign_in("sam", PASSWORD)
    assert page.selected_id() == request.id
    detail = page.detail.toPlainText()
    assert "Red flag: beneficiary name 'Аcme Ltd' mixes scripts with look-alike letters" in detail
    assert any("checklist: new beneficiary" in row.why for row in page.checklist.rows)  # the steps it added
