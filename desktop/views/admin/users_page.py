"""Users and roles: the users with their roles and state, adding a user, changing roles, confirming
an admin grant and disabling, all through the engine's users module. Its rules (admin only, the
last admin kept, a second admin confirms new admins) are the engine's; its refusals are shown."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QWidget)

from desktop.controllers.admin_users import UsersAdmin, describe_user
from desktop.views.admin.page_layout import form_box, list_beside_forms, result_line
from desktop.views.sign_in import SignedInState
from desktop.views.table_corner import name_corner_button
from verification.errors import CallShieldError
from verification.workflow.roles import Role, User

COLUMNS = ("User", "Display name", "Roles", "State")
ROLE_WORDS = {Role.REQUESTER: "Requester: creates requests", Role.APPROVER: "Approver: call-backs and approvals",
              Role.ADMIN: "Admin: users, directory, policy"}


def _role_boxes(whose: str) -> dict[Role, QCheckBox]:
    boxes = {role: QCheckBox(ROLE_WORDS[role]) for role in Role}
    for role, box in boxes.items():
        box.setAccessibleName(f"{whose} {role.value} role")
    return boxes


def _state_text(user: User) -> str:
    text = "active" if user.active else "disabled"
    return text + ("; admin grant waits for a second admin" if user.pending_admin_by else "")


class UsersPage(QWidget):
    def __init__(self, state: SignedInState, admin: UsersAdmin, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.admin = admin
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Users")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        name_corner_button(self.table, "Select every user")
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda *_cells: self._selected_changed())

        self.new_name = QLineEdit()
        self.new_name.setAccessibleName("New user name")
        self.new_display = QLineEdit()
        self.new_display.setAccessibleName("New user display name")
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setAccessibleName("New user password")
        self.new_roles = _role_boxes("New user")
        self.add_button = QPushButton("&Add user")
        self.add_button.setAccessibleName("Add user")
        self.add_button.clicked.connect(self.add_user)
        add_box = form_box("New user", [("User name", self.new_name), ("Display name", self.new_display),
                                        ("Password", self.new_password), *self.new_roles.values(), self.add_button])

        self.selected_label = QLabel("Choose a user in the list.")
        self.selected_label.setAccessibleName("Selected user")
        self.roles = _role_boxes("Selected user")
        self.roles_button = QPushButton("Set &roles")
        self.roles_button.setAccessibleName("Set the selected user's roles")
        self.roles_button.clicked.connect(self.set_roles)
        self.confirm_button = QPushButton("&Confirm admin grant")
        self.confirm_button.setAccessibleName("Confirm the selected user's admin grant")
        self.confirm_button.clicked.connect(self.confirm_admin)
        self.disable_button = QPushButton("D&isable user")
        self.disable_button.setAccessibleName("Disable the selected user")
        self.disable_button.clicked.connect(self.disable)
        edit_box = form_box("Selected user", [self.selected_label, *self.roles.values(), self.roles_button,
                                              self.confirm_button, self.disable_button])

        self.result = result_line("Users result")
        list_beside_forms(self, self.table, [add_box, edit_box], self.result)
        self._controls: list[QWidget] = [self.add_button, self.roles_button, self.confirm_button, self.disable_button]
        self._users: list[User] = []

    def refresh(self) -> None:
        """Follow the database; the same users again leave the table, the selection and the ticks
        being edited alone."""
        signed_in = self.state.session.signed_in
        for widget in self._controls:
            widget.setEnabled(signed_in)
        users: list[User] = []
        if signed_in:
            try:
                users = self.admin.users()
            except CallShieldError as error:
                self.result.setText(str(error))
        self.show_users(users)

    def show_users(self, users: list[User]) -> None:
        """The users as read (here or on the task runner)."""
        keep = self.selected_user()
        if users == self._users and self.table.rowCount() == len(users):
            return
        self.table.setRowCount(0)
        self._users = users
        if not users:
            self._selected_changed()
            return
        for row, user in enumerate(self._users):
            self.table.insertRow(row)
            roles = ", ".join(sorted(r.value for r in user.roles)) or "none"
            for column, text in enumerate((user.name, user.display_name, roles, _state_text(user))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if keep is not None:
            self.select(keep.name)
        self._selected_changed()

    def rows(self) -> list[list[str]]:
        return [[self.table.item(r, c).text() for c in range(len(COLUMNS))] for r in range(self.table.rowCount())]

    def selected_user(self) -> User | None:
        row = self.table.currentRow()
        return self._users[row] if 0 <= row < len(self._users) else None

    def select(self, name: str) -> bool:
        for row, user in enumerate(self._users):
            if user.name == name:
                self.table.setCurrentCell(row, 0)
                return True
        return False

    def _selected_changed(self) -> None:
        user = self.selected_user()
        self.selected_label.setText(describe_user(user) if user else "Choose a user in the list.")
        for role, box in self.roles.items():
            box.setChecked(user is not None and role in user.roles)

    def _act(self, action: Callable[[str], User], done: str) -> None:
        user = self.selected_user()
        if user is None:
            self.result.setText("Choose a user first.")
            return
        try:
            after = action(user.name)
        except CallShieldError as error:
            self.result.setText(str(error))  # the engine's refusal, as its one line
            return
        self.state.user_changed(after)  # one's own roles: the window follows (the Admin tab may go)
        self.refresh()
        self.select(after.name)
        self.result.setText(done.format(user=describe_user(after)))

    def set_roles(self) -> None:
        wanted = [role for role, box in self.roles.items() if box.isChecked()]
        self._act(lambda name: self.admin.set_roles(name, wanted), "Roles changed: {user}.")

    def confirm_admin(self) -> None:
        self._act(self.admin.confirm_admin, "Admin grant confirmed: {user}.")

    def disable(self) -> None:
        self._act(self.admin.disable, "Disabled: {user}.")

    def add_user(self) -> None:
        """The password is stored as a slow hash (scrypt): hashed on the task runner."""
        name, display, password = self.new_name.text(), self.new_display.text(), self.new_password.text()
        roles = [role for role, box in self.new_roles.items() if box.isChecked()]
        self.new_password.clear()
        self.add_button.setEnabled(False)
        self.result.setText(f"Adding {name.strip()!r}…")
        self.state.runner.run(lambda: self.admin.add_user(name, roles, password, display), self._added,
                              self._add_failed, name="callshield-desktop-add-user")

    def _added(self, user: User) -> None:
        self.new_name.clear()
        self.new_display.clear()
        for box in self.new_roles.values():
            box.setChecked(False)
        self.refresh()
        self.select(user.name)
        self.result.setText(f"Added {describe_user(user)}.")

    def _add_failed(self, message: str) -> None:
        self.add_button.setEnabled(self.state.session.signed_in)
        self.result.setText(message)
