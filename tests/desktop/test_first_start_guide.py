"""Guided first start on a fresh SQLite database, as a new organisation walks it: the two-admin
ceremony, then the guide (sign in as the first admin once more, the first counterparty with its number
on file and where that number came from, the first requester), each step refused by the engine's own
one-line rules where it must be, and at the end a requester who signs in and creates a first request
from the Requests tab. Every step can be skipped."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from desktop.controllers.workflow_session import WorkflowSession, default_context_factory
from desktop.views.first_admin import FirstAdminDialog
from desktop.views.first_start_guide import FirstStartGuide
from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState, SignInDialog
from verification.workflow.directory import list_entries
from verification.workflow.views import request_view

ADA, BEA = "correct horse battery staple", "another long passphrase"
RITA_FIRST, RITA_OWN = "first password for rita", "rita's very own passphrase"
TIMEOUT = 20_000


def _set_up_admins(qtbot: QtBot, tmp_path: Path) -> tuple[SignedInState, SignInDialog]:
    session = WorkflowSession(default_context_factory(f"sqlite:///{tmp_path / 'new.db'}", str(tmp_path / "data")))
    state = SignedInState(session)
    dialog = SignInDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.first_admin_button.isVisible(), timeout=TIMEOUT)

    def fill_in() -> None:
        form = QApplication.activeModalWidget()
        assert isinstance(form, FirstAdminDialog)
        for fields, name, password in ((form.first, "ada", ADA), (form.second, "bea", BEA)):
            fields.name.setText(name)
            fields.password.setText(password)
            fields.repeat.setText(password)
        form.create()

    QTimer.singleShot(0, fill_in)
    dialog.first_admin_button.click()
    assert isinstance(dialog.guide, FirstStartGuide)
    qtbot.waitUntil(lambda: dialog.guide is not None and dialog.guide.isVisible(), timeout=TIMEOUT)
    return state, dialog


def test_the_guide_ends_with_a_requester_creating_a_first_request(qtbot: QtBot, tmp_path: Path) -> None:
    state, dialog = _set_up_admins(qtbot, tmp_path)
    guide = dialog.guide
    assert guide is not None and guide.step is guide.admin_page

    guide.password.setText("not her password")
    guide.sign_in_admin()
    qtbot.waitUntil(lambda: guide.isEnabled() and "Working" not in guide.error.text()
                    and "Checking" not in guide.error.text(), timeout=TIMEOUT)
    assert guide.step is guide.admin_page and guide.error.text()  # the engine's refusal, as it says it
    guide.password.setText(ADA)
    guide.sign_in_admin()
    qtbot.waitUntil(lambda: guide.step is guide.directory_page, timeout=TIMEOUT)
    assert any("never from an email" in label.text() for label in guide.directory_page.findChildren(QLabel))

    guide.counterparty.setText("Acme Supplies")
    guide.organisation.setText("Acme Ltd")
    guide.number.setText("+44 20 7946 0000")
    guide.source.setText("x")  # the engine asks where the number came from
    guide.add_counterparty()
    qtbot.waitUntil(lambda: "where the number came from" in guide.error.text(), timeout=TIMEOUT)
    assert guide.step is guide.directory_page
    guide.source.setText("signed contract 2024-03, page 2")
    guide.add_counterparty()  # the entry went in before the number was refused: not added twice
    qtbot.waitUntil(lambda: guide.step is guide.requester_page, timeout=TIMEOUT)

    guide.requester_name.setText("rita")
    guide.requester_display.setText("Rita Requester")
    guide.requester_password.setText(RITA_FIRST)
    guide.requester_repeat.setText("something else")
    guide.add_requester()
    assert guide.error.text() == "The two passwords differ." and guide.step is guide.requester_page
    guide.requester_password.setText(RITA_FIRST)
    guide.requester_repeat.setText(RITA_FIRST)
    guide.add_requester()
    qtbot.waitUntil(lambda: guide.step is guide.summary_page, timeout=TIMEOUT)
    assert "Acme Supplies, call-backs on +442079460000" in guide.summary.text() and "rita" in guide.summary.text()

    guide.finish()
    assert not state.session.signed_in and dialog.name.text() == "rita"
    assert "rita can sign in" in dialog.error.text()
    dialog.password.setText(RITA_FIRST)
    with qtbot.waitSignal(dialog.accepted, timeout=TIMEOUT):
        dialog.try_sign_in()
    assert state.must_set_own_password  # an admin chose her first password
    state.password_changed(state.session.change_password(RITA_FIRST, RITA_OWN))

    page = RequestsPage(state)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.counterparty.currentText() == "Acme Supplies", timeout=TIMEOUT)
    page.amount.setText("25000")
    page.iban.setText("DE89370400440532013000")
    page.create_button.click()
    qtbot.waitUntil(lambda: "created" in page.result.text(), timeout=TIMEOUT)
    request_id = int(re.match(r"Request (\d+) created", page.result.text()).group(1))  # type: ignore[union-attr]
    ctx = state.session.ctx
    with ctx.database.reading() as connection:
        assert request_view(connection, request_id, ctx.clock, ctx.pins)["state"] == "held"
        assert [p.number for p in list_entries(connection)[0].phones] == ["+442079460000"]
    state.session.close()


def test_every_step_can_be_skipped(qtbot: QtBot, tmp_path: Path) -> None:
    state, dialog = _set_up_admins(qtbot, tmp_path)
    guide = dialog.guide
    assert guide is not None
    guide.password.setText(ADA)
    guide.sign_in_admin()
    qtbot.waitUntil(lambda: guide.step is guide.directory_page, timeout=TIMEOUT)
    guide._to_requester()  # Skip
    guide._to_summary()  # Skip
    assert "Nothing added" in guide.summary.text()
    guide.finish()
    assert not state.session.signed_in and dialog.name.text() == "ada"
    state.sign_in("ada", ADA)
    with state.session.ctx.database.reading() as connection:
        assert list_entries(connection) == []
    state.session.close()
