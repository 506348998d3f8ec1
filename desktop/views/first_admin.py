"""A new database has no users, so nobody can sign in: this small form creates the first admin
through the engine's own bootstrap (the same as `callshield users init`), which refuses once any
user exists. The password is stored as a slow hash (scrypt), computed on the task runner."""

from __future__ import annotations

import weakref

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.tasks import TaskRunner
from desktop.controllers.workflow_session import WorkflowSession
from verification.workflow.roles import User

INTRO = ("<b>Create the first admin of this database.</b><br>Only possible while it has no users. "
         "The admin then adds everyone else (Admin → Users and roles), and a second admin must confirm "
         "any further admin.")


class FirstAdminDialog(QDialog):
    def __init__(self, session: WorkflowSession, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.created: User | None = None
        self.setWindowTitle("Create the first admin")
        self.setMinimumWidth(440)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setAccessibleName("First admin user name")
        self.display_name = QLineEdit()
        self.display_name.setAccessibleName("First admin display name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("First admin password")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName("First admin password again")
        self.error = QLabel("")
        self.error.setAccessibleName("First admin problem")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&User name", self.name)
        form.addRow("&Display name", self.display_name)
        form.addRow("&Password", self.password)
        form.addRow("Password &again", self.repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create admin")
        self.create_button.setAccessibleName("Create the first admin")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel creating the first admin")
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def create(self) -> None:
        if not self.create_button.isEnabled():
            return
        if self.password.text() != self.repeat.text():
            self.error.setText("The two passwords differ.")
            return
        name, display, password = self.name.text(), self.display_name.text().strip(), self.password.text()
        self.create_button.setEnabled(False)
        self.error.setText("Creating…")
        me = weakref.ref(self)  # a dialog closed meanwhile is not kept alive by the task

        def done(user: User) -> None:
            dialog = me()
            if dialog is not None:
                dialog._created(user)

        def failed(message: str) -> None:
            dialog = me()
            if dialog is not None:
                dialog._failed(message)

        self.runner.run(lambda: self.session.create_first_admin(name, password, display), done, failed,
                        name="callshield-desktop-first-admin")

    def _created(self, user: User) -> None:
        self.created = user
        self.create_button.setEnabled(True)
        self.accept()

    def _failed(self, message: str) -> None:
        self.create_button.setEnabled(True)
        self.error.setText(message)  # the engine's rule, as its one line (name, password, users exist)
