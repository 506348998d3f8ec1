"""A table view's corner button ("select all") has no name of its own; screen readers need one."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QTableView


def name_corner_button(table: QTableView, name: str) -> None:
    for corner in table.findChildren(QAbstractButton):
        corner.setAccessibleName(name)
