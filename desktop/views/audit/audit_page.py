"""Audit tab: the audit log in a searchable table, "Verify integrity" (run off the GUI thread, the
result said in plain words with the first broken record named), and evidence pack export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QTableView, QVBoxLayout, QWidget)

from desktop.controllers.workflow_session import AuditRow, describe_check
from desktop.tasks import TaskRunner
from desktop.views.audit.machine_bar import MachineBar
from desktop.views.local_time import local_time
from desktop.views.sign_in import SignedInState, SignInBar
from verification.audit.anchored_check import AnchoredCheck
from verification.errors import CallShieldError

COLUMNS = ("Record", "Time", "Who", "Action", "About")


class AuditPage(QWidget):
    def __init__(self, state: SignedInState, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.runner = runner
        self.sign_in_bar = SignInBar(state)

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: user, action, request:12 …")
        self.filter.setAccessibleName("Filter audit log")
        self.filter.setClearButtonEnabled(True)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh audit log")
        self.refresh_button.clicked.connect(self.refresh)

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setAccessibleName("Audit log")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setCornerButtonEnabled(False)
        for corner in self.table.findChildren(QAbstractButton):  # the table's corner "select all" button
            corner.setAccessibleName("Select all audit records")
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

        self.note = QLabel("")
        self.note.setAccessibleName("Audit log note")
        self.note.setWordWrap(True)

        self.verify_button = QPushButton("&Verify integrity")
        self.verify_button.setAccessibleName("Verify audit log integrity")
        self.verify_button.clicked.connect(self.verify)
        self.pin_button = QPushButton("&Pin current head")
        self.pin_button.setAccessibleName("Accept the current audit head as this machine's anchor")
        self.pin_button.setToolTip("Only after comparing the head record with a machine or record you trust")
        self.pin_button.clicked.connect(self.pin)
        self.pin_button.setVisible(False)
        self.verify_result = QLabel("")
        self.verify_result.setAccessibleName("Integrity result")
        self.verify_result.setWordWrap(True)
        self.verify_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.pack_id = QSpinBox()
        self.pack_id.setRange(1, 2_000_000_000)
        self.pack_id.setAccessibleName("Request id for the evidence pack")
        self.export_button = QPushButton("&Export evidence pack…")
        self.export_button.setAccessibleName("Export evidence pack")
        self.export_button.clicked.connect(self._choose_pack_file)
        self.export_result = QLabel("")
        self.export_result.setAccessibleName("Evidence pack result")
        self.export_result.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.refresh_button)
        actions = QHBoxLayout()
        actions.addWidget(self.verify_button)
        actions.addWidget(self.pin_button)
        actions.addStretch(1)
        actions.addWidget(QLabel("Request"))
        actions.addWidget(self.pack_id)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sign_in_bar)
        self.machine = MachineBar(state)
        layout.addWidget(self.machine)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.verify_result)
        layout.addWidget(self.export_result)

        state.keep(self)
        state.changed.connect(self.refresh)
        state.data_changed.connect(self.follow)
        self.refresh()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.filter, self.refresh_button, self.verify_button, self.pack_id, self.export_button):
            widget.setEnabled(enabled)

    def follow(self) -> None:
        """The database moved: read the log on the task runner, then show what was appended."""
        self.state.reload(self, self.state.session.audit_rows, self._show)

    def refresh(self) -> None:
        """Read the log now (after a sign-in, or Refresh) and show it."""
        signed_in = self.state.session.signed_in
        self._set_enabled(signed_in)
        if not signed_in:
            self.model.removeRows(0, self.model.rowCount())
            self._say("Sign in to see the audit log.")
            return
        try:
            rows = self.state.session.audit_rows()
        except CallShieldError as error:
            self._say(f"Could not read the audit log: {error}")
            return
        self._show(rows)

    def _show(self, rows: list[AuditRow]) -> None:
        """Records appended since the last look are added on top (the table is rebuilt only when it
        no longer matches what was read)."""
        self._say("")
        shown = self.model.rowCount()
        if shown and shown <= len(rows) and self._newest_seq() == rows[shown - 1].seq:
            rows = rows[shown:]  # only what was appended
        else:
            self.model.removeRows(0, shown)
        for row in rows:  # newest first: each new record goes on top
            seq = QStandardItem()
            seq.setData(row.seq, Qt.ItemDataRole.DisplayRole)
            self.model.insertRow(0, [seq, *(QStandardItem(v) for v in (local_time(row.at), row.actor, row.action,
                                                                         row.subject))])
        if rows:
            self.table.resizeColumnsToContents()

    def _say(self, line: str) -> None:
        self.note.setText(line)
        self.note.setVisible(bool(line))

    def _newest_seq(self) -> int | None:
        """The newest record shown (the model keeps the order records arrived in: newest in row 0)."""
        if not self.model.rowCount():
            return None
        return int(self.model.item(0, 0).data(Qt.ItemDataRole.DisplayRole))

    def visible_rows(self) -> list[list[str]]:
        """What the table shows after the filter (for tests and screen readers' sake)."""
        return [[str(self.proxy.index(r, c).data()) for c in range(len(COLUMNS))] for r in range(self.proxy.rowCount())]

    def verify(self) -> None:
        if not self.state.session.signed_in:
            return
        self.verify_button.setEnabled(False)
        self.verify_result.setText("Verifying the audit log…")
        self.runner.run(self.state.session.verify_audit, self._verified, self._verify_failed,
                        name="callshield-desktop-audit-verify")

    def pin(self) -> None:
        """Accept the head as this machine's anchor: offered only after an unanchored result."""
        if not self.state.session.signed_in:
            return
        self.pin_button.setVisible(False)
        self.verify_button.setEnabled(False)
        self.verify_result.setText("Verifying the audit log and pinning its head…")
        self.runner.run(lambda: self.state.session.verify_audit(pin=True), self._verified, self._verify_failed,
                        name="callshield-desktop-audit-pin")

    def _verified(self, result: AnchoredCheck) -> None:
        self.verify_button.setEnabled(self.state.session.signed_in)
        self.pin_button.setVisible(result.unanchored)
        self.verify_result.setText(describe_check(result))
        self.verify_result.setStyleSheet("" if result.ok else "color: #b00020; font-weight: bold;")

    def _verify_failed(self, message: str) -> None:
        self.verify_button.setEnabled(self.state.session.signed_in)
        self.verify_result.setText(f"Could not verify the audit log: {message}")

    def _choose_pack_file(self) -> None:
        request_id = self.pack_id.value()
        name, _ = QFileDialog.getSaveFileName(self, "Export evidence pack", f"evidence-request-{request_id}.json",
                                              "Evidence pack (*.json)")
        if name:
            self.export_to(request_id, Path(name))

    def export_to(self, request_id: int, path: Path) -> bool:
        try:
            done = self.state.session.export_pack(request_id, path)
        except (CallShieldError, OSError) as error:
            self.export_result.setText(f"Evidence pack not exported: {error}")
            return False
        verdict = "verifies" if done.ok else f"does NOT verify: {done.problem}"
        self.export_result.setText(f"Evidence pack for request {request_id} saved to {done.path} "
                                   f"(readable copy {done.html.name}); {done.records} signed records; it {verdict}.")
        return True
