"""Change your own password: the current one, the new one twice. The engine seals a fresh key with the
new password and registers it with the old key (users.set_password, slow: on the task runner); the
session then holds the person signed in again with the new key.

Someone signing in with a password an admin set is asked to do this first: approvals and confirmations
count only with a key its owner made."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from verification.workflow.roles import User

if TYPE_CHECKING:
    from desktop.views.sign_in import SignedInState

ADMIN_SET = ("<b>An admin set your password, so choose your own now:</b> approvals and confirmations count only "
             "when signed with a key that you made yourself.")


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class ChangePasswordDialog(QDialog):
    """`changed` is True once the engine took the new password."""

    def __init__(self, state: "SignedInState", reason: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.changed = False
        self.setWindowTitle("Change your password")
        self.setMinimumWidth(440)
        self.reason = QLabel(reason or "")
        self.reason.setAccessibleName("Why change your password")
        self.reason.setWordWrap(True)
        self.reason.setVisible(bool(reason))
        self.current = _password_field("Current password")
        self.new = _password_field("New password")
        self.repeat = _password_field("New password again")
        self.error = QLabel("")
        self.error.setAccessibleName("Password change problem")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Current password", self.current)
        form.addRow("&New password", self.new)
        form.addRow("New password &again", self.repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Change password")
        self.ok_button.setAccessibleName("Change password")
        buttons.accepted.connect(self.change)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def change(self) -> None:
        if not self.ok_button.isEnabled():
            return
        current, new = self.current.text(), self.new.text()
        if new != self.repeat.text():
            self.error.setText("The two new passwords differ.")
            return
        for field in (self.current, self.new, self.repeat):
            field.clear()
        self.ok_button.setEnabled(False)
        self.error.setText("Changing…")
        me = weakref.ref(self)

        def done(user: User) -> None:
            dialog = me()
            if dialog is not None:
                dialog._done(user)

        def failed(message: str) -> None:
            dialog = me()
            if dialog is not None:
                dialog.ok_button.setEnabled(True)
                dialog.error.setText(message)  # the engine's one line (wrong password, too short)

        self.state.runner.run(lambda: self.state.session.change_password(current, new), done, failed,
                              name="callshield-desktop-password")

    def _done(self, user: User) -> None:
        self.changed = True
        self.ok_button.setEnabled(True)
        self.state.password_changed(user)
        self.accept()
