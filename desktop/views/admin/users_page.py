"""Users and roles: the users with their roles and state, what waits for a second admin (and who
asked), adding a user, changing roles, confirming what waits and disabling, all through the engine's
users module. Its rules (admin only, the last admin kept, a second admin for approver and admin grants
and for resetting such a person's password) are the engine's; its refusals are shown."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHeaderView, QLabel, QLineEdit, QListWidget,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from desktop.controllers.admin_users import LONE_ADMIN, UsersAdmin, UsersReading, describe_user, waits
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


def _state_text(user: User, waiting: set[str]) -> str:
    text = "active" if user.active else "disabled"
    return text + ("; waits for a second admin" if user.name in waiting else "")


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
        self.confirm_button = QPushButton("&Confirm what waits")
        self.confirm_button.setAccessibleName("Confirm what waits for a second admin about the selected user")
        self.confirm_button.clicked.connect(self.confirm_admin)
        self.disable_button = QPushButton("D&isable user")
        self.disable_button.setAccessibleName("Disable the selected user")
        self.disable_button.clicked.connect(self.disable)
        edit_box = form_box("Selected user", [self.selected_label, *self.roles.values(), self.roles_button,
                                              self.confirm_button, self.disable_button])

        self.waiting = QListWidget()
        self.waiting.setAccessibleName("Waiting for a second admin")
        self.waiting.setMaximumHeight(90)
        self.waiting.currentRowChanged.connect(self._waiting_chosen)
        self.lone_note = result_line("Only one admin")
        self.lone_note.setText(LONE_ADMIN)
        self.lone_note.setStyleSheet("color: #8a5a00;")
        self.lone_note.hide()
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.table, 1)
        listing_layout.addWidget(QLabel("Waiting for a second admin (choose one, then Confirm what waits):"))
        listing_layout.addWidget(self.waiting)
        listing_layout.addWidget(self.lone_note)

        self.result = result_line("Users result")
        list_beside_forms(self, listing, [add_box, edit_box], self.result)
        self._controls: list[QWidget] = [self.add_button, self.roles_button, self.confirm_button, self.disable_button]
        self._users: list[User] = []
        self._waiting: list[tuple[str, str]] = []  # (user, line) as shown

    def refresh(self) -> None:
        """Follow the database; the same users again leave the table, the selection and the ticks
        being edited alone."""
        signed_in = self.state.session.signed_in
        for widget in self._controls:
            widget.setEnabled(signed_in)
        reading = UsersReading([], [], False)
        if signed_in:
            try:
                reading = self.admin.reading()
            except CallShieldError as error:
                self.result.setText(str(error))
        self.show_reading(reading)

    def show_reading(self, reading: UsersReading) -> None:
        """The users and what waits, as read (here or on the task runner)."""
        lines = [(w.user, f"{w.user}: {w.what}, asked by {w.asked_by}") for w in reading.waiting]
        if lines != self._waiting:
            self._waiting = lines
            self.waiting.clear()
            self.waiting.addItems([line for _, line in lines] or ["Nothing waits."])
        self.lone_note.setVisible(reading.lone_admin and bool(reading.users))
        self.show_users(reading.users, {name for name, _ in lines})

    def _waiting_chosen(self, row: int) -> None:
        if 0 <= row < len(self._waiting):
            self.select(self._waiting[row][0])

    def show_users(self, users: list[User], waiting: set[str] | None = None) -> None:
        keep = self.selected_user()
        states = [_state_text(u, waiting or set()) for u in users]
        if users == self._users and self.table.rowCount() == len(users) and states == self._states():
            return
        self.table.setRowCount(0)
        self._users = users
        if not users:
            self._selected_changed()
            return
        for row, (user, state) in enumerate(zip(self._users, states)):
            self.table.insertRow(row)
            roles = ", ".join(sorted(r.value for r in user.roles)) or "none"
            for column, text in enumerate((user.name, user.display_name, roles, state)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if keep is not None:
            self.select(keep.name)
        self._selected_changed()

    def _states(self) -> list[str]:
        return [self.table.item(r, len(COLUMNS) - 1).text() for r in range(self.table.rowCount())]

    def waiting_lines(self) -> list[str]:
        return [line for _, line in self._waiting]

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

    def _act(self, action: Callable[[str], User], done: str, wanted: list[Role] | None = None) -> None:
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
        self.result.setText(done.format(user=describe_user(after), waits=waits(after, wanted or [])))

    def set_roles(self) -> None:
        wanted = [role for role, box in self.roles.items() if box.isChecked()]
        self._act(lambda name: self.admin.set_roles(name, wanted), "Roles changed: {user}{waits}.", wanted)

    def confirm_admin(self) -> None:
        self._act(self.admin.confirm_admin, "Confirmed by a second admin: {user}{waits}.")

    def disable(self) -> None:
        self._act(self.admin.disable, "Disabled: {user}.")

    def add_user(self) -> None:
        """The password is stored as a slow hash (scrypt): hashed on the task runner."""
        name, display, password = self.new_name.text(), self.new_display.text(), self.new_password.text()
        roles = [role for role, box in self.new_roles.items() if box.isChecked()]
        self.new_password.clear()
        self.add_button.setEnabled(False)
        self.result.setText(f"Adding {name.strip()!r}…")
        self.state.runner.run(lambda: self.admin.add_user(name, roles, password, display),
                              lambda user: self._added(user, roles), self._add_failed,
                              name="callshield-desktop-add-user")

    def _added(self, user: User, wanted: list[Role]) -> None:
        self.new_name.clear()
        self.new_display.clear()
        for box in self.new_roles.values():
            box.setChecked(False)
        self.refresh()
        self.select(user.name)
        self.result.setText(f"Added {describe_user(user)}{waits(user, wanted)}.")

    def _add_failed(self, message: str) -> None:
        self.add_button.setEnabled(self.state.session.signed_in)
        self.result.setText(message)
