"""Policy editor: the form built from the policy schema and loaded with the policy in force, the
engine's verdict on the edited document in one line, a field-by-field diff against the active
policy with the engine's weakenings marked, and the two-admin flow: propose and sign; a change
that weakens stays pending until a second, different admin signs it."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout,
                               QWidget)

from desktop.controllers.admin_policy import PendingChange, PolicyAdmin, describe_change
from desktop.controllers.policy_diff import DiffRow
from desktop.views.admin.schema_form import FormError, SchemaForm
from desktop.views.admin.signing_key import SigningKeyBar
from desktop.views.local_time import local_time
from desktop.views.sign_in import SignedInState
from desktop.views.table_corner import name_corner_button
from verification.errors import CallShieldError
from verification.policy.active import ActivePolicy

DIFF_COLUMNS = ("Field", "Active", "Edited", "")
RECHECK_MS = 150  # typing in a field re-checks once the typing pauses
FIELD_IN_ERROR = re.compile(r"^policy field ([\w.]+):")
WEAK = QColor("#b00020")


def diff_lines(rows: list[DiffRow]) -> str:
    return "\n".join(f"{r.title}: {r.old} → {r.new}{'  (weakening)' if r.weakening else ''}" for r in rows)


class PolicyPage(QWidget):
    def __init__(self, state: SignedInState, admin: PolicyAdmin, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.admin = admin
        self.active: ActivePolicy | None = None
        self.pending: list[PendingChange] = []
        self.key_bar = SigningKeyBar(state.session)
        self.key_bar.said.connect(self._say)

        self.form = SchemaForm(admin.schema, self._schedule_check)
        self._blank = self.form.value()  # the form as built: what it shows when nobody is signed in
        self.error = QLabel("")
        self.error.setAccessibleName("Policy problem")
        self.error.setStyleSheet(f"color: {WEAK.name()};")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reload_button = QPushButton("Re&load active policy")
        self.reload_button.setAccessibleName("Reload the active policy into the form")
        self.reload_button.clicked.connect(self.refresh)
        self.propose_button = QPushButton("&Propose and sign")
        self.propose_button.setAccessibleName("Propose and sign the edited policy")
        self.propose_button.clicked.connect(self.propose)

        self.diff_title = QLabel("Changes against the active policy")
        self.diff = QTableWidget(0, len(DIFF_COLUMNS))
        self.diff.setHorizontalHeaderLabels(list(DIFF_COLUMNS))
        self.diff.setAccessibleName("Changes against the active policy")
        self.diff.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.diff.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.diff.verticalHeader().setVisible(False)
        name_corner_button(self.diff, "Select every change")
        self.diff.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.weakens = QLabel("")
        self.weakens.setAccessibleName("What the engine says the edit weakens")
        self.weakens.setWordWrap(True)

        self.pending_list = QListWidget()
        self.pending_list.setAccessibleName("Policy changes waiting for a signature")
        self.pending_list.setWordWrap(True)
        self.pending_list.currentRowChanged.connect(lambda _row: self._show_pending())
        self.pending_detail = QTextBrowser()
        self.pending_detail.setAccessibleName("The selected pending change")
        self.sign_button = QPushButton("&Approve and sign selected")
        self.sign_button.setAccessibleName("Approve and sign the selected pending policy change")
        self.sign_button.clicked.connect(self.sign_selected)
        self.result = QLabel("")
        self.result.setAccessibleName("Policy result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.form.widget, 1)
        left_layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reload_button)
        buttons.addStretch(1)
        buttons.addWidget(self.propose_button)
        left_layout.addLayout(buttons)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.diff_title)
        right_layout.addWidget(self.diff, 2)
        right_layout.addWidget(self.weakens)
        right_layout.addWidget(QLabel("Pending changes"))
        right_layout.addWidget(self.pending_list, 1)
        right_layout.addWidget(self.pending_detail, 1)
        right_layout.addWidget(self.sign_button)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.key_bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.result)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECHECK_MS)
        self._timer.timeout.connect(self.recheck)

    def _say(self, line: str) -> None:
        self.result.setText(line)

    def _schedule_check(self) -> None:
        self._timer.start()

    def refresh(self) -> None:
        """Load the policy in force into the form, and the pending changes."""
        signed_in = self.state.session.signed_in
        for widget in (self.form.widget, self.propose_button, self.reload_button, self.sign_button, self.key_bar):
            widget.setEnabled(signed_in)
        if not signed_in:
            self.active = None
            self.form.set_value(self._blank)  # no policy values (nor edits) left for the next user
            self.diff.setRowCount(0)
            self.pending_list.clear()
            self.error.setText("Sign in as an admin to edit the policy.")
            return
        try:
            self.active = self.admin.active()
            self.pending = self.admin.pending()
        except CallShieldError as error:
            self.error.setText(str(error))
            return
        kind = "built-in default" if self.active.version == 0 else "signed"
        self.diff_title.setText(f"Changes against the active policy (version {self.active.version}, {kind})")
        self.form.set_value(self.admin.active_document())
        self._timer.stop()
        self.recheck()
        self._fill_pending()

    def read_for_follow(self) -> tuple[ActivePolicy, list[PendingChange]]:
        """What `follow` shows (any thread)."""
        return self.admin.active(), self.admin.pending()

    def follow(self, active: ActivePolicy, pending: list[PendingChange]) -> None:
        """The database moved: new pending changes are listed; a new active policy replaces the form
        only when the form holds no edits (edits stay, checked against the new active policy)."""
        if self.active is None:
            self.refresh()
            return
        if active.version != self.active.version:
            if self.diff.rowCount() == 0:
                self.refresh()
                return
            self.active = active
            self.recheck()
        if [c.version for c in pending] != [c.version for c in self.pending] or \
                [c.signed_by for c in pending] != [c.signed_by for c in self.pending]:
            keep = self.selected_pending()
            self.pending = pending
            self._fill_pending()
            if keep is not None:
                self.select_pending(keep.version)

    def document(self) -> dict[str, Any]:
        return self.form.value()

    def recheck(self) -> bool:
        """The engine's verdict on the edited form: one line, the diff, the weakenings. True if valid."""
        if self.active is None:
            return False
        try:
            check = self.admin.check(self.document(), self.active)
        except (FormError, CallShieldError) as error:
            self.error.setText(str(error))
            found = FIELD_IN_ERROR.match(str(error))
            self.form.mark_only(found.group(1) if found else None)
            self.propose_button.setEnabled(False)
            return False
        self.error.setText("")
        self.form.mark_only(None)
        self._fill_diff(check.rows)
        if check.weakens:
            self.weakens.setText("The engine says this weakens the active policy, so a second admin must sign:\n"
                                 + "\n".join(check.weakens))
        else:
            self.weakens.setText("Weakens nothing: your signature alone activates it." if check.rows else "")
        self.propose_button.setEnabled(bool(check.rows))
        return True

    def _fill_diff(self, rows: list[DiffRow]) -> None:
        self.diff.setRowCount(0)
        bold = QFont()
        bold.setBold(True)
        for row in rows:
            index = self.diff.rowCount()
            self.diff.insertRow(index)
            cells = (row.title, row.old, row.new, "weakening" if row.weakening else "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(row.path)
                if row.weakening:
                    item.setForeground(QBrush(WEAK))
                    if column == 3:
                        item.setFont(bold)
                self.diff.setItem(index, column, item)
        self.diff.resizeColumnsToContents()

    def diff_rows(self) -> list[list[str]]:
        """What the diff table shows (tests and screen readers)."""
        return [[self.diff.item(r, c).text() for c in range(len(DIFF_COLUMNS))] for r in range(self.diff.rowCount())]

    def _fill_pending(self) -> None:
        self.pending_list.clear()
        for change in self.pending:
            item = QListWidgetItem(change.line(local_time))
            item.setData(Qt.ItemDataRole.UserRole, change.version)
            self.pending_list.addItem(item)
        if self.pending:
            self.pending_list.setCurrentRow(0)
        else:
            self.pending_detail.setPlainText("No policy change is waiting for a signature.")
        self.sign_button.setEnabled(bool(self.pending))

    def selected_pending(self) -> PendingChange | None:
        row = self.pending_list.currentRow()
        return self.pending[row] if 0 <= row < len(self.pending) else None

    def _show_pending(self) -> None:
        change = self.selected_pending()
        if change is None or self.active is None:
            return
        try:
            check = self.admin.check(change.document, self.active)
        except CallShieldError as error:
            self.pending_detail.setPlainText(f"{change.line(local_time)}\n\n{error}")
            return
        self.pending_detail.setPlainText(f"{change.line(local_time)}\n\nChanges against the active policy:\n"
                                         f"{diff_lines(check.rows) or 'none'}")

    def select_pending(self, version: int) -> bool:
        for row, change in enumerate(self.pending):
            if change.version == version:
                self.pending_list.setCurrentRow(row)
                return True
        return False

    def propose(self) -> None:
        try:
            document = self.document()
            key = self.key_bar.key()
            change = self.admin.propose(document, key)
        except (FormError, CallShieldError) as error:
            self.result.setText(str(error))  # the engine's refusal, as its one line
            return
        message = describe_change(change)
        self.refresh()
        self.result.setText(message)

    def sign_selected(self) -> None:
        change = self.selected_pending()
        if change is None:
            self.result.setText("Choose a pending change first.")
            return
        try:
            done = self.admin.sign(change.version, self.key_bar.key())
        except CallShieldError as error:
            self.result.setText(str(error))
            return
        message = describe_change(done)
        self.refresh()
        self.result.setText(message)
