"""Models: every model of the manifest (the AI bill of materials) with its version, sha256 (short,
the full hash in the tooltip), whether the file here verifies, the execution provider in use and
the license; the selected model's card (measured quality, as its authors wrote it) at the side.
Hashing the files runs on the task runner."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)

from desktop.controllers.admin_models import ModelRow
from desktop.tasks import TaskRunner
from desktop.views.table_corner import name_corner_button

COLUMNS = ("Model", "Version", "SHA-256", "File", "Quality", "Provider", "License")
SHORT_HASH = 12
MAX_COLUMN_PX = 190  # long license texts would push the quality column out of sight
BAD = QColor("#b00020")


def card_markdown(row: ModelRow) -> str:
    if row.card_text is not None:
        return row.card_text
    lines = [f"# {row.id}", "", row.description, "", f"**License:** {row.license}", "",
             f"**Attribution:** {row.attribution}", "", f"**Quality:** {row.quality}."]
    return "\n".join(lines)


class ModelsPage(QWidget):
    def __init__(self, runner: TaskRunner, rows: Callable[[], list[ModelRow]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._source = rows
        self.models: list[ModelRow] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Models")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)  # one line a model; the whole text is in each cell's tooltip
        name_corner_button(self.table, "Select every model")
        self.table.currentCellChanged.connect(lambda *_cells: self._show_card())
        self.card = QTextBrowser()
        self.card.setAccessibleName("Model card")
        self.card.setOpenExternalLinks(False)
        self.check_button = QPushButton("C&heck model files")
        self.check_button.setAccessibleName("Check every model file's sha256 again")
        self.check_button.clicked.connect(self.load)
        self.status = QLabel("")
        self.status.setAccessibleName("Models status")
        self.status.setWordWrap(True)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.card)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    @property
    def loaded(self) -> bool:
        return bool(self.models)

    def load(self) -> None:
        self.check_button.setEnabled(False)
        self.status.setText("Checking the model files…")
        self.runner.run(self._source, self._fill, self._failed, name="callshield-desktop-models-list")

    def _failed(self, message: str) -> None:
        self.check_button.setEnabled(True)
        self.status.setText(f"Could not list the models: {message}")

    def _fill(self, rows: list[ModelRow]) -> None:
        self.check_button.setEnabled(True)
        self.models = rows
        self.table.setRowCount(0)
        for index, row in enumerate(rows):
            self.table.insertRow(index)
            cells = (row.id, row.version, row.sha256[:SHORT_HASH] + "…", row.state, row.quality, row.provider,
                     row.license)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # columns are narrowed below; the whole text stays reachable
                if column == 2:
                    item.setToolTip(row.sha256)
                    item.setData(Qt.ItemDataRole.UserRole, row.sha256)
                if column == 3 and row.state != "verified":
                    item.setForeground(QBrush(BAD))
                self.table.setItem(index, column, item)
        self.table.resizeColumnsToContents()
        for column in range(len(COLUMNS)):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), MAX_COLUMN_PX))
        bad = [r.id for r in rows if r.state != "verified"]
        self.status.setText(f"{len(rows)} models in the manifest; " + (
            f"{len(bad)} not usable here ({', '.join(bad)}): run `callshield models fetch`." if bad
            else "every file verifies."))
        if rows:
            self.table.setCurrentCell(0, 0)

    def _show_card(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.models):
            self.card.setMarkdown(card_markdown(self.models[row]))

    def shown(self) -> list[dict[str, str]]:
        """Each row as shown, with the full hash from the tooltip (tests and screen readers)."""
        return [{"id": self.table.item(r, 0).text(), "sha256": self.table.item(r, 2).toolTip(),
                 "short": self.table.item(r, 2).text(), "file": self.table.item(r, 3).text(),
                 "quality": self.table.item(r, 4).text(), "provider": self.table.item(r, 5).text(),
                 "license": self.table.item(r, 6).text()}
                for r in range(self.table.rowCount())]
