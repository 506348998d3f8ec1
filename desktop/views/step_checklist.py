"""The required steps of the selected request as a table (see step_rows.py), with the cooling-off hold
counting down live between database reads."""

from __future__ import annotations

import math
import time
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from desktop.views.step_rows import StepRow, step_rows

HEADERS = ("Step", "Why it is required", "Status", "Done by")
_GREEN, _RED = QColor("#1b5e20"), QColor("#b00020")


def countdown(seconds: float) -> str:
    seconds = max(0, math.ceil(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d} left" if hours else f"{rest // 60}:{rest % 60:02d} left"


class StepChecklist(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setAccessibleName("Required steps")
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        self.setCornerButtonEnabled(False)
        for corner in self.findChildren(QAbstractButton):  # the table's select-all corner: no use here
            corner.setAccessibleName("Required steps corner")
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.rows: list[StepRow] = []
        self._hold_ends: float | None = None  # monotonic time the hold ends, from the engine's minutes left
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_hold)

    def show_view(self, view: dict[str, Any] | None) -> None:
        self.rows = step_rows(view) if view else []
        left = float(view.get("hold_remaining_minutes") or 0) * 60 if view else 0.0
        self._hold_ends = time.monotonic() + left if left > 0 else None
        self.setRowCount(len(self.rows))
        for n, row in enumerate(self.rows):
            status = QTableWidgetItem("done" if row.done else "MISSING")
            status.setForeground(_GREEN if row.done else _RED)
            for col, item in enumerate((QTableWidgetItem(row.what), QTableWidgetItem(row.why), status,
                                        QTableWidgetItem(row.by))):
                self.setItem(n, col, item)
        self._show_hold()
        self.resizeRowsToContents()
        if self._hold_ends is not None:
            self._tick.start()
        else:
            self._tick.stop()

    def status_of(self, step: str) -> list[str]:
        """The status cells of `step`'s rows, as shown (for tests and screen readers)."""
        return [self.item(n, 2).text() for n, row in enumerate(self.rows) if row.step == step]

    def _show_hold(self) -> None:
        for n, row in enumerate(self.rows):
            if row.step != "hold":
                continue
            item = self.item(n, 2)
            left = 0.0 if self._hold_ends is None else self._hold_ends - time.monotonic()
            item.setText(f"waiting: {countdown(left)}" if left > 0 else "over")
            item.setForeground(_RED if left > 0 else _GREEN)
            if left <= 0:
                self._tick.stop()
