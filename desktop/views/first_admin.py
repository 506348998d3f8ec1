"""A new database has no users, so nobody can sign in: this form is the set-up ceremony. Two people
become its first admins, each typing their own password (the other looks away); their keys are the
trust root every machine pins. One admin is allowed for a trial, with a plain warning: approver and
admin grants need two admins, so they could never be made. The engine's bootstrap (the same as
`callshield users init NAME --second NAME2`) refuses once any user exists; passwords are slow hashes,
computed on the task runner."""

from __future__ import annotations

import weakref

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from desktop.tasks import TaskRunner
from desktop.controllers.workflow_session import WorkflowSession
from verification.workflow.roles import User

INTRO = ("<b>Set up this database with its first two admins.</b><br>Both sit at this computer now; each types "
         "their own password while the other looks away. Their keys become the trust root: adding an approver "
         "or an admin, or resetting such a person's password, then takes one admin to ask and the other to "
         "confirm.")
ONE_ADMIN_WARNING = ("<b>Warning:</b> with a single admin, nobody can ever be made an approver or an admin "
                     "here, so no payment can be approved. Use this only for a trial.")


class _AdminFields(QGroupBox):
    def __init__(self, title: str, whose: str) -> None:
        super().__init__(title)
        self.name = QLineEdit()
        self.name.setAccessibleName(f"{whose} user name")
        self.display_name = QLineEdit()
        self.display_name.setAccessibleName(f"{whose} display name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(f"{whose} password")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName(f"{whose} password again")
        form = QFormLayout(self)
        form.addRow("User name", self.name)
        form.addRow("Display name", self.display_name)
        form.addRow("Password", self.password)
        form.addRow("Password again", self.repeat)

    def entry(self) -> tuple[str, str, str | None]:
        return self.name.text().strip(), self.password.text(), self.display_name.text().strip() or None

    def clear_passwords(self) -> None:
        self.password.clear()
        self.repeat.clear()


class FirstAdminDialog(QDialog):
    def __init__(self, session: WorkflowSession, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner
        self.created: list[User] = []
        self.setWindowTitle("Set up the first admins")
        self.setMinimumWidth(480)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.first = _AdminFields("First admin", "First admin")
        self.second = _AdminFields("Second admin", "Second admin")
        self.alone = QCheckBox("Set up with a single admin (a trial only)")
        self.alone.setAccessibleName("Set up with a single admin")
        self.alone.toggled.connect(self._alone_toggled)
        self.warning = QLabel(ONE_ADMIN_WARNING)
        self.warning.setAccessibleName("Single admin warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b00020;")
        self.warning.hide()
        self.error = QLabel("")
        self.error.setAccessibleName("First admin problem")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create admins")
        self.create_button.setAccessibleName("Create the first admins")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel creating the first admins")
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.first)
        layout.addWidget(self.second)
        layout.addWidget(self.alone)
        layout.addWidget(self.warning)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _alone_toggled(self, alone: bool) -> None:
        self.second.setVisible(not alone)
        self.warning.setVisible(alone)
        self.create_button.setText("Create the admin" if alone else "Create admins")
        self.adjustSize()

    def create(self) -> None:
        if not self.create_button.isEnabled():
            return
        people = [self.first] if self.alone.isChecked() else [self.first, self.second]
        for fields in people:
            if fields.password.text() != fields.repeat.text():
                self.error.setText(f"{fields.title()}: the two passwords differ.")
                return
        admins = [fields.entry() for fields in people]
        for fields in people:
            fields.clear_passwords()
        self.create_button.setEnabled(False)
        self.error.setText("Creating…")
        me = weakref.ref(self)  # a dialog closed meanwhile is not kept alive by the task

        def done(created: list[User]) -> None:
            dialog = me()
            if dialog is not None:
                dialog._created(created)

        def failed(message: str) -> None:
            dialog = me()
            if dialog is not None:
                dialog._failed(message)

        self.runner.run(lambda: self.session.bootstrap_admins(admins), done, failed,
                        name="callshield-desktop-first-admin")

    def _created(self, created: list[User]) -> None:
        self.created = created
        self.create_button.setEnabled(True)
        self.accept()

    def _failed(self, message: str) -> None:
        self.create_button.setEnabled(True)
        self.error.setText(message)  # the engine's rule, as its one line (name, password, users exist)
