"""Directory editor: contacts with their call-back numbers and each number's provenance (who entered
it, from what source, when), and adding contacts, numbers and code phrases through the engine's
directory functions, which apply the CLI's rules and role checks and refuse in one line."""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QTreeWidgetItem, QWidget

from desktop.controllers.admin_directory import KINDS, DirectoryAdmin, NumberRow
from verification.workflow.directory import Entry
from desktop.views.local_time import local_time
from desktop.views.admin.page_layout import form_box, list_beside_forms, record_list, result_line
from desktop.views.sign_in import SignedInState
from verification.errors import CallShieldError

COLUMNS = ("Contact / number", "Label", "Source", "Entered by", "Entered at", "Enrolled")
PHONE_ID = Qt.ItemDataRole.UserRole
ENTRY_NAME = Qt.ItemDataRole.UserRole + 1


W = TypeVar("W", bound=QWidget)


def _named(widget: W, name: str) -> W:
    widget.setAccessibleName(name)
    return widget


class DirectoryPage(QWidget):
    def __init__(self, state: SignedInState, admin: DirectoryAdmin, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.admin = admin
        self.tree = record_list(COLUMNS, "Directory contacts and numbers")
        self.tree.currentItemChanged.connect(lambda _new, _old: self._selected_changed())

        self.entry_name = _named(QLineEdit(), "New contact name")
        self.entry_kind = _named(QComboBox(), "New contact kind")
        self.entry_kind.addItems(list(KINDS))
        self.entry_org = _named(QLineEdit(), "New contact organisation")
        self.add_entry_button = _named(QPushButton("Add &contact"), "Add contact")
        self.add_entry_button.clicked.connect(self.add_entry)
        contact_box = form_box("New contact", [("Name", self.entry_name), ("Kind", self.entry_kind),
                                               ("Organisation", self.entry_org), self.add_entry_button])

        self.for_contact = QLabel("Choose a contact in the list.")
        self.for_contact.setAccessibleName("Contact the number is for")
        self.number = _named(QLineEdit(), "Number")
        self.label = _named(QLineEdit("main"), "Number label")
        self.source = _named(QLineEdit(), "Where the number came from")
        self.source.setPlaceholderText("independent of any request: signed contract, vendor master data…")
        self.add_phone_button = _named(QPushButton("Add &number"), "Add number")
        self.add_phone_button.clicked.connect(self.add_phone)
        self.remove_phone_button = _named(QPushButton("&Withdraw selected number"), "Withdraw selected number")
        self.remove_phone_button.clicked.connect(self.remove_phone)
        self.phrase = _named(QLineEdit(), "Code phrase")
        self.phrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.phrase_button = _named(QPushButton("Set code &phrase"), "Set code phrase")
        self.phrase_button.clicked.connect(self.set_phrase)
        self.sign_button = _named(QPushButton("Si&gn contact as it stands"), "Sign contact as it stands")
        self.sign_button.setToolTip("For a contact not signed by an admin (made before contacts were signed): "
                                    "check its numbers against their sources first")
        self.sign_button.clicked.connect(self.sign_entry)
        number_box = form_box("Selected contact", [
            ("Contact", self.for_contact), ("Number", self.number), ("Label", self.label), ("Source", self.source),
            self.add_phone_button, self.remove_phone_button, ("Code phrase", self.phrase), self.phrase_button,
            self.sign_button])

        self.result = result_line("Directory result")
        list_beside_forms(self, self.tree, [contact_box, number_box], self.result)
        self._controls: list[QWidget] = [self.add_entry_button, self.add_phone_button, self.remove_phone_button,
                                         self.phrase_button, self.sign_button]
        self._shown: Any = None

    def refresh(self) -> None:
        """Follow the database; the same directory again leaves the tree and its selection alone."""
        signed_in = self.state.session.signed_in
        for widget in self._controls:
            widget.setEnabled(signed_in)
        if not signed_in:
            self.tree.clear()
            self._shown = None
            return
        try:
            entries, unsigned, secrets = self.admin.reading()
        except CallShieldError as error:
            self.tree.clear()
            self._shown = None
            self.result.setText(str(error))
            return
        self.show_entries(entries, unsigned, secrets)

    def show_entries(self, entries: list[tuple[Entry, list[NumberRow]]],
                     unsigned: dict[str, str] | None = None, secrets: dict[str, str] | None = None) -> None:
        """The directory as read (here or on the task runner); `unsigned`: contacts call-backs cannot use;
        `secrets`: contacts whose code phrase and TOTP checks the engine refuses."""
        keep = self.selected_entry()
        unsigned, secrets = unsigned or {}, secrets or {}
        if (entries, unsigned, secrets) == self._shown and self.tree.topLevelItemCount() == len(entries):
            return
        self._shown = (entries, unsigned, secrets)
        self.tree.clear()
        for entry, numbers in entries:
            enrolled = [what for what, on in (("code phrase", entry.has_phrase), ("TOTP", entry.has_totp)) if on]
            organisation = f", {entry.organisation}" if entry.organisation else ""
            top = QTreeWidgetItem([f"{entry.name} ({entry.kind}{organisation})", "", "", "", local_time(entry.created_at),
                                   ", ".join(enrolled) or "no code phrase or TOTP"])
            top.setData(0, ENTRY_NAME, entry.name)
            if entry.name in unsigned:  # the engine refuses call-backs to it: say so where the admin looks
                top.setText(0, f"{top.text(0)} — NOT SIGNED, no call-backs")
                top.setToolTip(0, unsigned[entry.name])
            elif entry.name in secrets:
                top.setText(0, f"{top.text(0)} — ENROLMENTS NOT SIGNED, no code phrase or TOTP checks")
                top.setToolTip(0, secrets[entry.name])
            for row in numbers:
                phone = row.phone
                child = QTreeWidgetItem([phone.number, phone.label, phone.source, row.entered_by, local_time(phone.entered_at), ""])
                child.setData(0, PHONE_ID, phone.id)
                child.setData(0, ENTRY_NAME, entry.name)
                child.setToolTip(0, row.provenance())
                top.addChild(child)
            if not numbers:
                top.addChild(QTreeWidgetItem(["no active number: call-backs are impossible"]))
            self.tree.addTopLevelItem(top)
            if entry.name == keep:
                self.tree.setCurrentItem(top)
        self.tree.expandAll()
        for column in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(column)
        self._selected_changed()

    def selected_entry(self) -> str | None:
        item = self.tree.currentItem()
        name = item.data(0, ENTRY_NAME) if item is not None else None
        return str(name) if name else None

    def selected_phone(self) -> int | None:
        item = self.tree.currentItem()
        phone_id = item.data(0, PHONE_ID) if item is not None else None
        return int(phone_id) if phone_id is not None else None

    def select_entry(self, name: str) -> bool:
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item.data(0, ENTRY_NAME) == name:
                self.tree.setCurrentItem(item)
                return True
        return False

    def rows(self) -> list[list[str]]:
        """Every row as shown, contacts followed by their numbers (tests and screen readers)."""
        out = []
        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            out.append([top.text(c) for c in range(len(COLUMNS))])
            out += [[top.child(i).text(c) for c in range(len(COLUMNS))] for i in range(top.childCount())]
        return out

    def _selected_changed(self) -> None:
        name = self.selected_entry()
        self.for_contact.setText(name or "Choose a contact in the list.")

    def _done(self, line: str, select: str | None = None) -> None:
        self.refresh()
        if select:
            self.select_entry(select)
        self.result.setText(line)

    def add_entry(self) -> None:
        try:
            entry = self.admin.add_entry(self.entry_name.text(), self.entry_kind.currentText(), self.entry_org.text())
        except CallShieldError as error:
            self.result.setText(str(error))
            return
        self.entry_name.clear()
        self.entry_org.clear()
        self._done(f"Added {entry.name!r}; add a call-back number and where it came from.", entry.name)

    def add_phone(self) -> None:
        name = self.selected_entry()
        if name is None:
            self.result.setText("Choose the contact the number belongs to.")
            return
        try:
            phone = self.admin.add_phone(name, self.number.text(), self.source.text(), self.label.text())
        except CallShieldError as error:
            self.result.setText(str(error))
            return
        self.number.clear()
        self.source.clear()
        self._done(f"Number {phone.number} added to {name!r} (source: {phone.source}).", name)

    def remove_phone(self) -> None:
        phone_id, name = self.selected_phone(), self.selected_entry()
        if phone_id is None:
            self.result.setText("Choose a number to withdraw.")
            return
        try:
            self.admin.remove_phone(phone_id)
        except CallShieldError as error:
            self.result.setText(str(error))
            return
        self._done(f"Number {phone_id} withdrawn; it can no longer be used for call-backs.", name)

    def sign_entry(self) -> None:
        name = self.selected_entry()
        if name is None:
            self.result.setText("Choose the contact to sign.")
            return
        try:
            self.admin.sign(name)
        except CallShieldError as error:
            self.result.setText(str(error))
            return
        self._done(f"Signed {name!r} as it stands: call-backs may use its numbers.", name)

    def set_phrase(self) -> None:
        """Stored as a slow hash (scrypt): hashed on the task runner, never on the GUI thread."""
        name = self.selected_entry()
        if name is None:
            self.result.setText("Choose the contact the code phrase is for.")
            return
        phrase = self.phrase.text()
        self.phrase.clear()
        self.phrase_button.setEnabled(False)
        self.result.setText("Storing the code phrase…")
        self.state.runner.run(lambda: self.admin.set_code_phrase(name, phrase),
                              lambda _none: self._done(f"Code phrase enrolled for {name!r} (kept as a slow hash only).",
                                                       name),
                              lambda message: self._done(message, name), name="callshield-desktop-set-phrase")
