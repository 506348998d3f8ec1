"""A second computer on the organisation's database: its new audit key writes nothing until an admin
registers it, which an admin can do from the Audit tab (the engine decides; the bar only offers it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.controllers.workflow_session import WorkflowSession
from desktop.tasks import TaskRunner
from desktop.views.audit.audit_page import AuditPage
from desktop.views.sign_in import SignedInState
from tests.desktop.workflow_world import DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import ALL_NO, PASSWORD, make_context
from verification.errors import AuditError
from verification.trust.root import PIN_FILE
from verification.workflow import lifecycle


def _second_computer(qtbot: QtBot, w: DeskWorld, tmp_path: Path, name: str) -> tuple[AuditPage, WorkflowSession]:
    other = tmp_path / "second-computer"
    other.mkdir(mode=0o700)
    shutil.copyfile(w.data_dir / PIN_FILE, other / PIN_FILE)  # the root was pinned there, as it must be
    ctx = make_context(w.ctx.database.url.render_as_string(hide_password=False), other, w.clock)
    session = WorkflowSession(lambda: (ctx, other))
    state = SignedInState(session)
    page = AuditPage(state, TaskRunner())
    qtbot.addWidget(page)
    state.sign_in(name, PASSWORD)
    return page, session


def test_an_admin_registers_a_new_computer_from_the_audit_tab(qtbot: QtBot, desk_world: DeskWorld,
                                                              tmp_path: Path) -> None:
    page, session = _second_computer(qtbot, desk_world, tmp_path, "ada")
    qtbot.waitUntil(lambda: not page.machine.isHidden(), timeout=10_000)
    assert "not registered" in page.machine.note.text() and not page.machine.register_button.isHidden()
    with pytest.raises(AuditError, match="not registered by an admin"):  # the engine refuses the write meanwhile
        lifecycle.create_request(session.ctx, desk_world.requester, "transfer", "9000", "EUR",
                                 desk_world.counterparty, {"iban": "GB33BUKB20201555555555"}, checklist=ALL_NO)
    page.machine.register_button.click()
    qtbot.waitUntil(lambda: page.machine.isHidden(), timeout=10_000)
    assert session.machine_registered()
    request = lifecycle.create_request(session.ctx, desk_world.requester, "transfer", "9000", "EUR",
                                       desk_world.counterparty, {"iban": "GB33BUKB20201555555555"}, checklist=ALL_NO)
    assert request.id > 0


def test_a_requester_is_told_to_ask_an_admin(qtbot: QtBot, desk_world: DeskWorld, tmp_path: Path) -> None:
    page, session = _second_computer(qtbot, desk_world, tmp_path, "rita")
    qtbot.waitUntil(lambda: not page.machine.isHidden(), timeout=10_000)
    assert page.machine.register_button.isHidden() and "Ask an admin" in page.machine.note.text()
    assert not session.machine_registered()


def test_a_registered_computer_shows_no_bar(qtbot: QtBot, desk_world: DeskWorld) -> None:
    state = SignedInState(desk_world.session())
    page = AuditPage(state, TaskRunner())
    qtbot.addWidget(page)
    state.sign_in("ada", PASSWORD)
    qtbot.wait(300)
    assert state.session.machine_registered() and page.machine.isHidden()
