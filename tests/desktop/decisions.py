"""Answering the Approve / Release dialog the way a person does: the password typed again, the button
pressed, and the engine's check (on the task runner) awaited."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.views.decision_dialog import DecisionDialog
from tests.verification.conftest import PASSWORD


def confirm(qtbot: QtBot, dialog: DecisionDialog | None, password: str = PASSWORD) -> DecisionDialog:
    assert dialog is not None and dialog.isVisible()
    dialog.password.setText(password)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=5_000)
    return dialog
