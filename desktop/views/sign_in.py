"""Sign-in for the workflow tabs (audit, approvals): user name and password, checked by the engine's
own authentication, exactly as the CLI checks them. `SignedInState` tells every tab when it changes.

The password check is a deliberately slow scrypt hash (~0.1 s), so the dialog runs it on the task
runner and the GUI thread never hashes."""

from __future__ import annotations

import weakref
from typing import Callable, Sequence, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from desktop.controllers.workflow_session import WorkflowSession
from desktop.tasks import TaskRunner
from desktop.views.change_password import ADMIN_SET, ChangePasswordDialog
from desktop.views.first_admin import FirstAdminDialog
from desktop.views.first_start_guide import FirstStartGuide
from desktop.views.database_follow import POLL_MS, TICK_MS, DatabaseFollower
from desktop.views.page_memory import PageMemory
from desktop.views.pin_root import RootPinPanel
from verification.workflow.roles import Role, User


T = TypeVar("T")

NO_USERS = ("<b>This database has no users yet</b>, so nobody can sign in. Set up its first two admins here "
            "(or in a terminal: <code>callshield users init NAME --second NAME2</code> with the same "
            "<code>--db</code>); the admins then add everyone else.")


class SignedInState(QObject):
    """The one workflow session of the app, with signals for the tabs, and the task runner that
    runs its slow (hashing, database) calls.

    `switched` fires first whenever someone signs in or out: every page registered with `keep`
    goes back to how it was built, so nothing one user typed, ticked, chose or saw reaches the
    next. `changed` follows, and the pages fill in what the new user may see. `data_changed`
    fires when the database moved (see DatabaseFollower)."""

    switched = Signal()
    changed = Signal()
    data_changed = Signal()

    def __init__(self, session: WorkflowSession, parent: QObject | None = None,
                 runner: TaskRunner | None = None, poll_ms: int = POLL_MS, tick_ms: int = TICK_MS) -> None:
        super().__init__(parent)
        self.session = session
        self.runner = runner or TaskRunner(self)
        self._memories: list[PageMemory] = []
        self._generation = 0  # moves on at every sign-in and sign-out
        self._latest: dict[int, int] = {}  # per page: the newest reload asked for
        self.must_set_own_password = False  # signed in with a key an admin set (see change_password.py)
        self.follower = DatabaseFollower(session.change_stamp, lambda: session.signed_in, self.runner, self,
                                         poll_ms=poll_ms, tick_ms=tick_ms, open_listener=session.change_listener)
        self.follower.changed.connect(self.data_changed)

    def keep(self, page: QWidget, shared: Sequence[QWidget] = ()) -> PageMemory:
        """Record `page` as built (call it before the page's first refresh) to restore it for each new
        user, and keep it following the database while it is on screen."""
        memory = PageMemory(page, shared)
        self._memories.append(memory)
        self.switched.connect(memory.restore)
        self.follower.watch(page)
        return memory

    def reload(self, page: QObject, fetch: Callable[[], T], show: Callable[[T], None]) -> None:
        """`fetch` (database reads) on the task runner, `show` on the GUI thread: only the newest
        reload of `page`, and never after the user changed meanwhile (one user's rows must not land
        on the next user's screen)."""
        generation = self._generation
        number = self._latest.get(id(page), 0) + 1
        self._latest[id(page)] = number

        def arrived(data: T) -> None:
            if generation != self._generation or self._latest.get(id(page)) != number:
                return
            try:
                show(data)
            except RuntimeError:  # the page was closed and deleted meanwhile
                self._latest.pop(id(page), None)

        self.runner.run(fetch, arrived, lambda _message: None, name="callshield-desktop-reload")

    def _switch(self) -> None:
        self._generation += 1
        self.follower.forget()
        self.switched.emit()
        self.changed.emit()

    def sign_in(self, name: str, password: str) -> None:
        """On the calling thread (tests and scripts); the dialog uses `begin_sign_in`."""
        user = self.session.sign_in(name, password)
        self.must_set_own_password = self.session.must_set_own_password(user)
        self._switch()

    def password_changed(self, user: User) -> None:
        """The engine took the person's own new password: the session holds them with the new key."""
        self.must_set_own_password = False
        self.user_changed(user)

    def begin_sign_in(self, name: str, password: str, on_done: Callable[[], None],
                      on_error: Callable[[str], None], wanted: Callable[[], bool] = lambda: True) -> None:
        """Check the credentials on a worker; sign in and notify on the GUI thread, unless the
        person gave up meanwhile (`wanted` False: cancelled)."""

        def signed_in(found: tuple[User, bool]) -> None:
            if not wanted():
                return
            user, self.must_set_own_password = found
            self.session.accept(user)
            self._switch()
            on_done()

        def check() -> tuple[User, bool]:
            user = self.session.check_credentials(name, password)
            return user, self.session.must_set_own_password(user)

        self.runner.run(check, signed_in, on_error, name="callshield-desktop-sign-in")

    def user_changed(self, user: User) -> None:
        """The engine changed the signed-in user (roles, disabled): reflect it everywhere."""
        me = self.session.user
        if me is not None and me.id == user.id:
            self.session.accept(user)
            self.changed.emit()

    @property
    def is_admin(self) -> bool:
        """What the engine said about this user at sign-in; the engine re-checks on every action."""
        user = self.session.user
        return user is not None and user.has(Role.ADMIN)

    def sign_out(self) -> None:
        self.session.sign_out()
        self.must_set_own_password = False
        self._switch()

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
        self._cancelled = False
        self.change_password: ChangePasswordDialog | None = None  # opened after signing in with an admin's password
        self.guide: FirstStartGuide | None = None  # after the set-up ceremony
        self.setWindowTitle("Sign in to CallShield")
        self.name = QLineEdit()
        self.name.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.setMinimumWidth(460)  # room for the engine's whole message, wrapped
        self.error = QLabel("")
        self.error.setAccessibleName("Sign-in problem")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.no_users = QLabel(NO_USERS)
        self.no_users.setAccessibleName("No users yet")
        self.no_users.setWordWrap(True)
        self.no_users.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.first_admin_button = QPushButton("Set up the &first admins…")
        self.first_admin_button.setAccessibleName("Set up the first admins")
        self.first_admin_button.clicked.connect(self.create_first_admin)
        self.no_users.hide()
        self.first_admin_button.hide()
        self.root_panel = RootPinPanel(state)
        self.root_panel.hide()
        self.root_panel.pinned.connect(self.adjustSize)
        form = QFormLayout()
        form.addRow("&User", self.name)
        form.addRow("&Password", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Sign in")
        self.ok_button.setAccessibleName("Sign in")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel sign-in")
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.no_users)
        layout.addWidget(self.first_admin_button)
        layout.addWidget(self.root_panel)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._look_for_users()

    def _look_for_users(self) -> None:
        """Opening the database and counting users runs on the task runner, like the password check."""
        me = weakref.ref(self)

        def known(found: tuple[bool, str | None]) -> None:
            has_users, root_problem = found
            dialog = me()
            if dialog is not None:
                dialog.no_users.setVisible(not has_users)
                dialog.first_admin_button.setVisible(not has_users)
                if has_users and root_problem:
                    dialog.root_panel.show_problem(root_problem)
                dialog.adjustSize()  # room for the note's lines

        def failed(message: str) -> None:
            dialog = me()
            if dialog is not None:
                dialog.error.setText(f"The workflow database cannot be opened: {message}")
                dialog.adjustSize()

        session = self.state.session  # not the dialog: a closed one is not kept alive by the task

        def look() -> tuple[bool, str | None]:
            has_users = session.has_users()
            return has_users, session.root_problem() if has_users else None

        self.state.runner.run(look, known, failed, name="callshield-desktop-users")

    def create_first_admin(self) -> None:
        dialog = FirstAdminDialog(self.state.session, self.state.runner, self)
        if dialog.exec() and dialog.created:
            self.first_admin_created(dialog.created)

    def first_admin_created(self, created: list[User]) -> None:
        self.no_users.hide()
        self.first_admin_button.hide()
        self.name.setText(created[0].name)
        self.password.clear()
        self.password.setFocus()
        names = " and ".join(repr(u.name) for u in created)
        self.error.setText(f"First admin{'s' if len(created) > 1 else ''} {names} created: sign in with the "
                           f"password you chose.")
        # What a first request still needs (a counterparty, a requester), explained and skippable.
        self.guide = FirstStartGuide(self.state, created[0].name, self)
        self.guide.finished_with.connect(self._guided)
        self.guide.open()

    def _guided(self, requester: str) -> None:
        if requester:
            self.name.setText(requester)
            self.error.setText(f"Set-up done: {requester} can sign in with the first password an admin gave "
                               f"them, choose their own, and create a first request.")

    @property
    def checking(self) -> bool:
        return not self.ok_button.isEnabled()

    def try_sign_in(self) -> None:
        """Start the check; the dialog closes when the engine accepts, or says why it refused."""
        if self.checking:
            return
        self.ok_button.setEnabled(False)
        self.error.setText("Checking…")
        self._cancelled = False
        # The task holds only a weak reference: a dialog closed and gone meanwhile is not kept alive.
        me = weakref.ref(self)

        def accepted() -> None:
            dialog = me()
            if dialog is not None:
                dialog._accepted()

        def refused(message: str) -> None:
            dialog = me()
            if dialog is not None:
                dialog._refused(message)

        def wanted() -> bool:
            dialog = me()
            return dialog is not None and not dialog._cancelled

        self.state.begin_sign_in(self.name.text(), self.password.text(), accepted, refused, wanted)

    def reject(self) -> None:
        self._cancelled = True  # a check still running must not sign anyone in
        self.ok_button.setEnabled(True)
        super().reject()

    def _accepted(self) -> None:
        self.ok_button.setEnabled(True)
        self.error.setText("")
        self.accept()
        if self.state.must_set_own_password:  # asked at once, before any approval is attempted
            self.change_password = ChangePasswordDialog(self.state, ADMIN_SET, self.parentWidget())
            self.change_password.open()

    def _refused(self, message: str) -> None:
        self.ok_button.setEnabled(True)
        self.error.setText(message)
        self.password.clear()
        self.adjustSize()  # the whole message, however long


class SignInBar(QWidget):
    """Who is signed in, and a Sign in / Sign out button; shown at the top of each workflow tab."""

    def __init__(self, state: SignedInState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.label = QLabel()
        self.label.setAccessibleName("Signed-in user")
        self.button = QPushButton()
        self.button.clicked.connect(self._clicked)
        self.password_button = QPushButton("Change pass&word…")
        self.password_button.setAccessibleName("Change your password")
        self.password_button.clicked.connect(self.change_password)
        self.password_dialog: ChangePasswordDialog | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.password_button)
        layout.addWidget(self.button)
        state.changed.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.label.setText(self.state.who())
        signed_in = self.state.session.signed_in
        self.button.setText("Sign &out" if signed_in else "&Sign in…")
        self.button.setAccessibleName("Sign out" if signed_in else "Sign in")
        self.password_button.setVisible(signed_in)

    def change_password(self) -> None:
        reason = ADMIN_SET if self.state.must_set_own_password else None
        self.password_dialog = ChangePasswordDialog(self.state, reason, self)
        self.password_dialog.open()

    def _clicked(self) -> None:
        if self.state.session.signed_in:
            self.state.sign_out()
        else:
            SignInDialog(self.state, self).exec()
