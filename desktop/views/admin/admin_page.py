"""The Admin tab: policy, directory, users, installations and models, each its own page. The main window shows
the tab only to users the engine calls admins; every action is still checked by the engine,
which refuses anyone else in one line (the pages never decide who may do what)."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from desktop.controllers.admin_directory import DirectoryAdmin
from desktop.controllers.admin_installations import InstallationsAdmin
from desktop.controllers.admin_models import ModelRow
from desktop.controllers.admin_policy import PolicyAdmin
from desktop.controllers.admin_users import UsersAdmin
from desktop.tasks import TaskRunner
from desktop.views.admin.directory_page import DirectoryPage
from desktop.views.admin.installations_page import InstallationsPage
from desktop.views.admin.models_page import ModelsPage
from desktop.views.admin.policy_page import PolicyPage
from desktop.views.admin.users_page import UsersPage
from desktop.views.sign_in import SignedInState, SignInBar
from verification.errors import CallShieldError


class AdminPage(QWidget):
    def __init__(self, state: SignedInState, runner: TaskRunner, model_rows: Callable[[], list[ModelRow]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        session = state.session
        self.sign_in_bar = SignInBar(state)
        self.note = QLabel("")
        self.note.setAccessibleName("Admin area note")
        self.policy = PolicyPage(state, PolicyAdmin(session))
        self.directory = DirectoryPage(state, DirectoryAdmin(session))
        self.users = UsersPage(state, UsersAdmin(session))
        self.installations = InstallationsPage(state, InstallationsAdmin(session))
        self.models = ModelsPage(runner, model_rows)
        self.sections = QTabWidget()
        self.sections.setAccessibleName("Admin sections")
        for title, page in (("Policy", self.policy), ("Directory", self.directory), ("Users and roles", self.users),
                            ("Installations", self.installations), ("Models", self.models)):
            self.sections.addTab(page, title)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sign_in_bar)
        layout.addWidget(self.note)
        layout.addWidget(self.sections, 1)
        state.keep(self, shared=[self.models])  # the models list shows nothing of a user
        state.changed.connect(self.refresh)
        state.data_changed.connect(self.follow)
        self.refresh()

    def follow(self) -> None:
        """The database moved: read users, directory and policy on the task runner, then the lists
        follow; forms being edited stay as they are. A part the engine refuses keeps what it shows."""
        if self.state.session.signed_in:
            self.state.reload(self, self._read, self._show)

    def _read(self) -> list[Any]:
        parts: list[Callable[[], Any]] = [self.users.admin.reading, self.directory.admin.reading,
                                          self.policy.read_for_follow]
        out: list[Any] = []
        for read in parts:
            try:
                out.append(read())
            except CallShieldError as error:
                out.append(error)
        return out

    def _show(self, parts: list[Any]) -> None:
        users, entries, policy = parts
        if not isinstance(users, CallShieldError):
            self.users.show_reading(users)
        if not isinstance(entries, CallShieldError):
            self.directory.show_entries(*entries)
        if not isinstance(policy, CallShieldError):
            self.policy.follow(*policy)

    def refresh(self) -> None:
        if not self.state.session.signed_in:
            self.note.setText("Sign in as an admin to change the policy, the directory and users.")
        elif not self.state.is_admin:
            self.note.setText("You are not an admin: CallShield will refuse changes made here.")
        else:
            self.note.setText("")
        self.note.setVisible(bool(self.note.text()))
        for page in (self.policy, self.directory, self.users, self.installations):
            page.refresh()
        if self.state.is_admin and not self.models.loaded:
            self.models.load()  # hashes every model file: only for someone who will see it
