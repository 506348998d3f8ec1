"""After the set-up ceremony, what a new database still lacks before a first payment request: a
counterparty in the directory with the phone number call-backs go to (and where that number came
from), and a person with the requester role (admins cannot create requests). Each step is one
sentence of why, the fields, and Skip; everything is also on the Admin tab. The engine decides: its
directory and user functions run as the first admin, who signs in once more for it (their key signs
the changes), and its one-line refusals are shown as they are. No policy-signing key is asked for:
the engine applies its built-in policy until admins activate one they signed."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QStackedWidget, QVBoxLayout, QWidget)

from desktop.controllers.admin_directory import DirectoryAdmin
from desktop.controllers.admin_users import UsersAdmin
from verification.workflow.roles import Role

if TYPE_CHECKING:  # sign_in.py opens this guide
    from desktop.views.sign_in import SignedInState

WHY_ADMIN = ("Sign in as {name} once more to finish setting up: the changes are signed with your key. "
             "You can skip this and do it later on the Admin tab.")
WHY_DIRECTORY = ("Payments go only to counterparties in the directory, and call-backs only to the number on "
                 "file there, so take it from a contract or your supplier records, never from an email or "
                 "a call asking for money. Your key signs the entry: a number changed later in the database is "
                 "refused.")
WHY_REQUESTER = ("Admins cannot create payment requests: add the first person who will; they choose their "
                 "own password when they first sign in.")
WHY_POLICY = ("No policy signing key is needed yet: until two admins sign a policy of their own (Admin tab), "
              "the built-in policy decides what each request needs.")
NEXT = ("Approvers, who record call-backs and approve, are added on the Admin tab: one admin adds them and "
        "the other confirms.")


def _line(name: str, password: bool = False) -> QLineEdit:
    field = QLineEdit()
    field.setAccessibleName(name)
    if password:
        field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _why(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class FirstStartGuide(QDialog):
    """`finished_with` carries the requester's name ("" when that step was skipped)."""

    finished_with = Signal(str)

    def __init__(self, state: "SignedInState", admin_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.admin_name = admin_name
        self.requester = ""
        self.added: list[str] = []
        self._entry_added = ""  # an entry added before its number was refused is not added twice
        self.setWindowTitle("Finish setting up CallShield")
        self.setMinimumWidth(520)
        self.pages = QStackedWidget()
        self.error = QLabel("")
        self.error.setAccessibleName("Set-up problem")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.password = _line(f"{admin_name} password", password=True)
        self.admin_page = self._page("Step 1 of 3: sign in as the admin", WHY_ADMIN.format(name=admin_name),
                                     [("Password", self.password)], "Continue", self.sign_in_admin,
                                     "Skip set-up", self.finish)
        self.counterparty = _line("Counterparty name")
        self.organisation = _line("Counterparty organisation")
        self.number = _line("Phone number on file")
        self.source = _line("Where the number came from")
        self.source.setPlaceholderText("e.g. signed contract 2024-03, page 2")
        self.directory_page = self._page(
            "Step 2 of 3: your first counterparty", WHY_DIRECTORY,
            [("Counterparty", self.counterparty), ("Organisation", self.organisation),
             ("Phone number", self.number), ("Where it came from", self.source)],
            "Add to the directory", self.add_counterparty, "Skip", self._to_requester)
        self.requester_name = _line("Requester user name")
        self.requester_display = _line("Requester display name")
        self.requester_password = _line("Requester first password", password=True)
        self.requester_repeat = _line("Requester first password again", password=True)
        self.requester_page = self._page(
            "Step 3 of 3: the first requester", WHY_REQUESTER,
            [("User name", self.requester_name), ("Display name", self.requester_display),
             ("First password", self.requester_password), ("Password again", self.requester_repeat)],
            "Add requester", self.add_requester, "Skip", self._to_summary)
        self.summary = _why("")
        self.summary.setAccessibleName("Set-up summary")
        self.summary_page = QWidget()
        finish = QPushButton("&Finish")
        finish.setAccessibleName("Finish setting up")
        finish.clicked.connect(self.finish)
        summary_layout = QVBoxLayout(self.summary_page)
        summary_layout.addWidget(self.summary)
        summary_layout.addWidget(_why(WHY_POLICY))
        summary_layout.addWidget(_why(NEXT))
        summary_layout.addStretch(1)
        summary_layout.addWidget(finish)
        self.pages.addWidget(self.summary_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)

    def _page(self, title: str, why: str, fields: list[tuple[str, QLineEdit]], go: str,
              on_go: Callable[[], None], skip: str, on_skip: Callable[[], None]) -> QWidget:
        page = QWidget()
        page.setAccessibleName(title)
        heading = QLabel(f"<b>{title}</b>")
        form = QFormLayout()
        for label, field in fields:
            form.addRow(label, field)
        go_button, skip_button = QPushButton(go), QPushButton(skip)
        go_button.setAccessibleName(go)
        skip_button.setAccessibleName(f"{skip}: {title}")
        go_button.setDefault(True)
        go_button.clicked.connect(on_go)
        skip_button.clicked.connect(on_skip)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(skip_button)
        buttons.addWidget(go_button)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(_why(why))
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.pages.addWidget(page)
        return page

    @property
    def step(self) -> QWidget:
        return self.pages.currentWidget()

    def _show(self, page: QWidget) -> None:
        self.error.setText("")
        self.pages.setCurrentWidget(page)

    def _run(self, work: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """Engine calls (slow hashes, database writes) on the task runner; refusals as their one line."""
        self.setEnabled(False)
        self.error.setText("Working…")
        me = weakref.ref(self)

        def done(result: Any) -> None:
            guide = me()
            if guide is not None:
                guide.setEnabled(True)
                guide.error.setText("")
                then(result)

        def failed(message: str) -> None:
            guide = me()
            if guide is not None:
                guide.setEnabled(True)
                guide.error.setText(message)

        self.state.runner.run(work, done, failed, name="callshield-desktop-first-start")

    def sign_in_admin(self) -> None:
        password = self.password.text()
        self.password.clear()
        me = weakref.ref(self)

        def signed_in() -> None:
            guide = me()
            if guide is not None:
                guide.setEnabled(True)
                guide._show(guide.directory_page)

        def refused(message: str) -> None:
            guide = me()
            if guide is not None:
                guide.setEnabled(True)
                guide.error.setText(message)

        self.setEnabled(False)
        self.error.setText("Checking…")
        self.state.begin_sign_in(self.admin_name, password, signed_in, refused)

    def add_counterparty(self) -> None:
        name, organisation = self.counterparty.text().strip(), self.organisation.text().strip()
        number, source = self.number.text(), self.source.text()
        directory = DirectoryAdmin(self.state.session)
        already = self._entry_added == name

        def add() -> str:
            if not already:
                directory.add_entry(name, "counterparty", organisation)
                self._entry_added = name
            phone = directory.add_phone(name, number, source, "main")
            return f"{name}, call-backs on {phone.number} ({phone.source})"

        self._run(add, lambda line: (self.added.append(f"Counterparty: {line}"), self._to_requester()))

    def _to_requester(self) -> None:
        self._show(self.requester_page)

    def add_requester(self) -> None:
        if self.requester_password.text() != self.requester_repeat.text():
            self.error.setText("The two passwords differ.")
            return
        name, password = self.requester_name.text().strip(), self.requester_password.text()
        display = self.requester_display.text()
        self.requester_password.clear()
        self.requester_repeat.clear()
        admin = UsersAdmin(self.state.session)

        def added(user: Any) -> None:
            self.requester = user.name
            self.added.append(f"Requester: {user.name} (chooses their own password at first sign-in)")
            self._to_summary()

        self._run(lambda: admin.add_user(name, [Role.REQUESTER], password, display), added)

    def _to_summary(self) -> None:
        done = "<br>".join(self.added) or "Nothing added: everything can be done later on the Admin tab."
        self.summary.setText(f"<b>Set-up done.</b><br>{done}")
        self._show(self.summary_page)

    def finish(self) -> None:
        """The admin is signed out again: whoever comes next signs in as themselves."""
        if self.state.session.signed_in:
            self.state.sign_out()
        self.finished_with.emit(self.requester)
        self.accept()
