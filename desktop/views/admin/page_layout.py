"""The layout the directory and users pages share: a list on the left, forms stacked on the right,
and one selectable line under both for what the engine answered."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QTreeWidget,
                               QVBoxLayout, QWidget)


def result_line(accessible_name: str) -> QLabel:
    label = QLabel("")
    label.setAccessibleName(accessible_name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def record_list(columns: tuple[str, ...], accessible_name: str) -> QTreeWidget:
    """The list on the left: one record per row, whole rows selected."""
    tree = QTreeWidget()
    tree.setColumnCount(len(columns))
    tree.setHeaderLabels(list(columns))
    tree.setAccessibleName(accessible_name)
    tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    return tree


def list_beside_forms(page: QWidget, listing: QWidget, forms: list[QWidget], result: QLabel) -> None:
    side = QVBoxLayout()
    for form in forms:
        side.addWidget(form)
    side.addStretch(1)
    body = QHBoxLayout()
    body.addWidget(listing, 3)
    body.addLayout(side, 2)
    layout = QVBoxLayout(page)
    layout.addLayout(body, 1)
    layout.addWidget(result)


def form_box(title: str, rows: list[tuple[str, QWidget] | QWidget]) -> QGroupBox:
    """A titled form: (label, field) rows, or a lone widget spanning the row (buttons, checkboxes)."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    for row in rows:
        if isinstance(row, tuple):
            form.addRow(*row)
        else:
            form.addRow(row)
    return box
