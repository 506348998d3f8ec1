"""Sign-in for the workflow tabs (audit, approvals): user name and password, checked by the engine's
own authentication, exactly as the CLI checks them. `SignedInState` tells every tab when it changes."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from desktop.controllers.workflow_session import WorkflowSession
from verification.errors import CallShieldError


class SignedInState(QObject):
    """The one workflow session of the app, with a signal for the tabs."""

    changed = Signal()

    def __init__(self, session: WorkflowSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session

    def sign_in(self, name: str, password: str) -> None:
        self.session.sign_in(name, password)
        self.changed.emit()

    def sign_out(self) -> None:
        self.session.sign_out()
        self.changed.emit()

    def who(self) -> str:
        user = self.session.user
        if user is None:
            return "Not signed in"
        roles = ", ".join(sorted(r.value for r in user.roles))
        return f"Signed in as {user.name} ({roles})"


class SignInDialog(QDialog):
    def __init__(self, state: SignedInState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setWindowTitle("Sign in to CallShield")
        self.name = QLineEdit()
        self.name.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.error = QLabel("")
        self.error.setAccessibleName("Sign-in problem")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&User", self.name)
        form.addRow("&Password", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def try_sign_in(self) -> bool:
        try:
            self.state.sign_in(self.name.text(), self.password.text())
        except CallShieldError as error:
            self.error.setText(str(error))
            self.password.clear()
            return False
        self.accept()
        return True


class SignInBar(QWidget):
    """Who is signed in, and a Sign in / Sign out button; shown at the top of each workflow tab."""

    def __init__(self, state: SignedInState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.label = QLabel()
        self.label.setAccessibleName("Signed-in user")
        self.button = QPushButton()
        self.button.clicked.connect(self._clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        state.changed.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.label.setText(self.state.who())
        signed_in = self.state.session.signed_in
        self.button.setText("Sign &out" if signed_in else "&Sign in…")
        self.button.setAccessibleName("Sign out" if signed_in else "Sign in")

    def _clicked(self) -> None:
        if self.state.session.signed_in:
            self.state.sign_out()
        else:
            SignInDialog(self.state, self).exec()
