"""A list of requests keyed by request id, shared by the Requests and Approvals tabs."""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem


class RequestList(QListWidget):
    def selected_id(self) -> int | None:
        item = self.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def rows(self) -> list[tuple[int, str]]:
        return [(int(self.item(r).data(Qt.ItemDataRole.UserRole)), self.item(r).text()) for r in range(self.count())]

    def fill(self, rows: Iterable[tuple[int, str]], keep: int | None) -> None:
        """Replace the rows; keep the selection on `keep` if still listed, else select the first.
        The same rows again change nothing (a reload every second must not reset the list)."""
        rows = list(rows)
        if rows == self.rows() and (keep is None or keep == self.selected_id()):
            if self.currentItem() is None and self.count():
                self.setCurrentRow(0)
            return
        self.clear()
        for request_id, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, request_id)
            self.addItem(item)
            if request_id == keep:
                self.setCurrentItem(item)
        if self.currentItem() is None and self.count():
            self.setCurrentRow(0)

    def select(self, request_id: int) -> bool:
        for row in range(self.count()):
            if int(self.item(row).data(Qt.ItemDataRole.UserRole)) == request_id:
                self.setCurrentRow(row)
                return True
        return False
