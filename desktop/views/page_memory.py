"""What a workflow page showed when it was built, put back whenever the signed-in user changes.

One structural reset instead of clearing fields one by one: every input, tick, choice, list,
selection, detail pane and result line under the page is recorded as built, so a field added
later is forgotten at sign-out without anyone remembering to clear it. The page's own `refresh`
then fills in what the new user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QDoubleSpinBox,
                               QLabel, QLineEdit, QListWidget, QPlainTextEdit, QSpinBox,
                               QTableWidget, QTextEdit, QTreeWidget, QWidget)


@dataclass(frozen=True)
class _Saved:
    widget: QWidget
    restore: Callable[[], None]


def _inside_compound(widget: QWidget) -> bool:
    """The line edit inside a spin box or an editable combo box belongs to that widget."""
    parent = widget.parentWidget()
    return isinstance(parent, (QAbstractSpinBox, QComboBox))


def _remember_view(view: QAbstractItemView) -> Callable[[], None]:
    empty = view.model() is None or view.model().rowCount() == 0

    def restore() -> None:
        model = view.model()
        if empty:
            if isinstance(view, (QListWidget, QTreeWidget)):
                view.clear()
            elif isinstance(view, QTableWidget):
                view.setRowCount(0)
            elif isinstance(model, QSortFilterProxyModel) and isinstance(model.sourceModel(), QStandardItemModel):
                source = model.sourceModel()
                source.removeRows(0, source.rowCount())
            elif isinstance(model, QStandardItemModel):
                model.removeRows(0, model.rowCount())
        if view.selectionModel() is not None:
            view.selectionModel().clear()
        view.setCurrentIndex(QModelIndex())

    return restore


def _remember(widget: QWidget) -> Callable[[], None] | None:
    """How to put one widget back as it is now; None for what holds no data (layouts, frames, buttons)."""
    if isinstance(widget, QLineEdit):
        if _inside_compound(widget):
            return None
        text = widget.text()
        return lambda: widget.setText(text)
    if isinstance(widget, QAbstractButton):
        if not widget.isCheckable():
            return None
        checked = widget.isChecked()
        return lambda: widget.setChecked(checked)
    if isinstance(widget, QComboBox):
        index, count = widget.currentIndex(), widget.count()

        def restore_combo() -> None:
            if count == 0:
                widget.clear()  # filled from the database for whoever signs in
            elif index < widget.count():
                widget.setCurrentIndex(index)

        return restore_combo
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        value: Any = widget.value()
        return lambda: widget.setValue(value)
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        text = widget.toPlainText()
        return lambda: widget.setPlainText(text)
    if isinstance(widget, QLabel):
        if widget.pixmap() is not None and not widget.pixmap().isNull():
            return None
        text, style = widget.text(), widget.styleSheet()

        def restore_label() -> None:
            widget.setText(text)
            widget.setStyleSheet(style)

        return restore_label
    if isinstance(widget, QAbstractItemView):
        return _remember_view(widget)
    return None


class PageMemory:
    """Records `root` and everything under it now; `restore` puts it all back (GUI thread).
    `shared` parts show nothing of a user (the models list) and are left as they are."""

    def __init__(self, root: QWidget, shared: Sequence[QWidget] = ()) -> None:
        saved: list[_Saved] = []
        for widget in [root, *root.findChildren(QWidget)]:
            if any(part is widget or part.isAncestorOf(widget) for part in shared):
                continue
            restore = _remember(widget)
            if restore is not None:
                saved.append(_Saved(widget, restore))
        self._saved = saved

    def __len__(self) -> int:
        return len(self._saved)

    def restore(self) -> None:
        for item in self._saved:
            item.restore()
