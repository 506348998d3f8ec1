"""A question that must be answered before something that cannot be undone: "no" is the default."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_first(parent: QWidget, icon: QMessageBox.Icon, title: str, text: str, yes: str, no: str,
              answered: Callable[[bool], None]) -> QMessageBox:
    """Opens the question window-modal (not blocking) and calls `answered(True)` only for `yes`."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.button(QMessageBox.StandardButton.Yes).setText(yes)
    box.button(QMessageBox.StandardButton.No).setText(no)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.finished.connect(lambda _code: answered(box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)))
    box.open()
    return box
