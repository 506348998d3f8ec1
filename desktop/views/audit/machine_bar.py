"""Whether this computer may write the audit log: a new or replaced computer writes nothing until an admin
registers its audit key (the engine refuses otherwise). An admin can do that here, as with
`callshield audit register-installation`."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.views.sign_in import SignedInState
from verification.workflow.roles import Role

UNREGISTERED = ("This computer's audit key is not registered: nothing can be recorded from here until an admin "
                "registers it.")


class MachineBar(QWidget):
    def __init__(self, state: SignedInState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.note = QLabel(UNREGISTERED)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #b00020;")
        self.register_button = QPushButton("Register this &computer")
        self.register_button.setAccessibleName("Register this computer's audit key as an admin")
        self.register_button.clicked.connect(self.register)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note, 1)
        layout.addWidget(self.register_button)
        self.setVisible(False)
        state.changed.connect(self.check)
        self.check()

    def check(self) -> None:
        """Ask the engine (on the task runner) whether this computer is registered; show the bar if not."""
        if not self.state.session.signed_in:
            self.setVisible(False)
            return
        self.state.runner.run(self.state.session.machine_registered, self._known, lambda _message: None,
                              name="callshield-desktop-machine")

    def _known(self, registered: bool) -> None:
        user = self.state.session.user
        self.setVisible(not registered and user is not None)
        admin = user is not None and user.has(Role.ADMIN)
        self.register_button.setVisible(admin)
        self.note.setText(UNREGISTERED if admin else UNREGISTERED + " Ask an admin to sign in here once.")

    def register(self) -> None:
        self.register_button.setEnabled(False)
        self.state.runner.run(self.state.session.register_machine, self._registered, self._failed,
                              name="callshield-desktop-register-machine")

    def _registered(self, key_id: str) -> None:
        self.register_button.setEnabled(True)
        self.setVisible(False)
        self.state.changed.emit()  # pages re-read: this computer can write now

    def _failed(self, message: str) -> None:
        self.register_button.setEnabled(True)
        self.note.setText(f"Not registered: {message}")
