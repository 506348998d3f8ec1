"""Installations: the computers whose audit keys an admin registered, and retiring one (a stolen or lost
machine) as `callshield audit retire-installation` does. Nothing it signs after the retirement counts; the
engine checks the admin and the reason and refuses in one line, shown here as it is."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QMessageBox, QPushButton, QTreeWidgetItem, QWidget

from desktop.controllers.admin_installations import InstallationRow, InstallationsAdmin
from desktop.views.admin.page_layout import form_box, list_beside_forms, record_list, result_line
from desktop.views.ask_first import ask_first
from desktop.views.sign_in import SignedInState
from verification.errors import CallShieldError

COLUMNS = ("Computer", "Audit key", "Registered by")


class InstallationsPage(QWidget):
    def __init__(self, state: SignedInState, admin: InstallationsAdmin, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.admin = admin
        self.tree = record_list(COLUMNS, "Registered installations")
        self.tree.setRootIsDecorated(False)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Why the installation is retired")
        self.reason.setPlaceholderText("e.g. laptop stolen 2025-09-19")
        self.retire_button = QPushButton("&Retire this computer's audit key…")
        self.retire_button.setAccessibleName("Retire the selected installation's audit key")
        self.retire_button.clicked.connect(self.ask)
        self.confirm: QMessageBox | None = None
        self.result = result_line("Installations result")
        box = form_box("Stolen or lost computer", [("Reason", self.reason), self.retire_button])
        list_beside_forms(self, self.tree, [box], self.result)
        self._rows: list[InstallationRow] = []

    def refresh(self) -> None:
        self.retire_button.setEnabled(self.state.session.signed_in)
        rows: list[InstallationRow] = []
        if self.state.session.signed_in:
            try:
                rows = self.admin.reading()
            except CallShieldError as error:
                self.result.setText(str(error))
        self.show_rows(rows)

    def show_rows(self, rows: list[InstallationRow]) -> None:
        if rows == self._rows and self.tree.topLevelItemCount() == len(rows):
            return
        self._rows = rows
        self.tree.clear()
        for row in rows:
            label = row.label + (" (this computer)" if row.this_computer else "")
            self.tree.addTopLevelItem(QTreeWidgetItem([label, row.key_id, row.registered_by]))
        for column in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(column)

    def selected(self) -> InstallationRow | None:
        index = self.tree.indexOfTopLevelItem(self.tree.currentItem()) if self.tree.currentItem() else -1
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def ask(self) -> None:
        row = self.selected()
        if row is None:
            self.result.setText("Choose a computer in the list first.")
            return
        mine = " This is the computer you are using: it will record nothing more." if row.this_computer else ""
        self.confirm = ask_first(self, QMessageBox.Icon.Warning, "Retire this computer's audit key?",
                                 f"Retire the audit key {row.key_id} of {row.label!r}? Nothing it signs from now on "
                                 f"counts, and this cannot be undone.{mine}", "Retire it", "Keep it",
                                 lambda yes: self._answered(yes, row))

    def _answered(self, yes: bool, row: InstallationRow) -> None:
        if not yes:
            self.result.setText("Not retired.")
            return
        try:
            self.admin.retire(row.key_id, self.reason.text())
        except CallShieldError as error:
            self.result.setText(str(error))  # the engine's refusal, as its one line
            return
        self.reason.clear()
        self.refresh()
        self.result.setText(f"Retired the audit key {row.key_id} of {row.label!r}.")
