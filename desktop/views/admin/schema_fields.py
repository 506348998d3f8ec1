"""Editors for single values of a JSON schema (pydantic's `model_json_schema()`), chosen by type:
boolean -> check box, integer/number -> spin box bounded by minimum/maximum, enum -> combo box,
string -> line edit, const -> a read-only label, array of simple items -> an editable list.

Each editor holds its widget, gives and takes plain JSON values, names the widget after the
schema's title (accessible name) and explains it with the schema's description (tooltip)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QSpinBox, QVBoxLayout, QWidget)

Changed = Callable[[], None]
#: JSON numbers without a maximum: a bound a spin box can hold that no amount in a policy reaches
NUMBER_LIMIT = 1e15
INT_LIMIT = 2**31 - 1
BAD_STYLE = "border: 2px solid #b00020;"


class FormError(ValueError):
    """A value the form cannot turn into JSON; str() is one line naming the field."""


class Editor:
    """One schema node: `path` is its dotted place in the document, `title` what people read."""

    label_in_widget = False  # True: the widget shows the title itself (a check box)

    def __init__(self, path: str, title: str, description: str, spoken: str) -> None:
        self.path = path
        self.title = title
        self.description = description
        self.spoken = spoken  # the titles from the root, for screen readers
        self.widget: QWidget = QWidget()

    def _describe(self, widget: QWidget) -> None:
        widget.setAccessibleName(self.spoken)
        if self.description:
            widget.setToolTip(self.description)
            widget.setWhatsThis(self.description)
            widget.setAccessibleDescription(self.description)

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def find(self, path: str) -> "Editor | None":
        return self if path == self.path else None

    def mark(self, bad: bool) -> None:
        self.widget.setStyleSheet(BAD_STYLE if bad else "")


class BoolEditor(Editor):
    label_in_widget = True

    def __init__(self, path: str, title: str, description: str, spoken: str, changed: Changed) -> None:
        super().__init__(path, title, description, spoken)
        self.box = QCheckBox(title)
        self._describe(self.box)
        self.box.toggled.connect(lambda _on: changed())
        self.widget = self.box

    def value(self) -> bool:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))


class IntEditor(Editor):
    def __init__(self, path: str, title: str, description: str, spoken: str, schema: dict[str, Any],
                 changed: Changed) -> None:
        super().__init__(path, title, description, spoken)
        self.spin = QSpinBox()
        self.spin.setRange(int(schema.get("minimum", -INT_LIMIT)), int(schema.get("maximum", INT_LIMIT)))
        self.spin.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel scrolls the form, not the value
        self._describe(self.spin)
        self.spin.valueChanged.connect(lambda _v: changed())
        self.widget = self.spin

    def value(self) -> int:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(int(value))


class NumberEditor(Editor):
    """A JSON number; `as_text` when the schema also allows a string (a Decimal): the value is then
    written as an exact decimal string, as the engine stores amounts."""

    def __init__(self, path: str, title: str, description: str, spoken: str, schema: dict[str, Any],
                 changed: Changed, as_text: bool) -> None:
        super().__init__(path, title, description, spoken)
        self.as_text = as_text
        self.spin = QDoubleSpinBox()
        self.spin.setDecimals(2)
        self.spin.setRange(float(schema.get("minimum", -NUMBER_LIMIT)), float(schema.get("maximum", NUMBER_LIMIT)))
        self.spin.setGroupSeparatorShown(True)
        self.spin.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._describe(self.spin)
        self.spin.valueChanged.connect(lambda _v: changed())
        self.widget = self.spin

    def value(self) -> str | float:
        number = self.spin.value()
        if not self.as_text:
            return number
        exact = Decimal(f"{number:.{self.spin.decimals()}f}").normalize()
        return format(exact, "f")

    def set_value(self, value: Any) -> None:
        try:
            self.spin.setValue(float(Decimal(str(value))))
        except (InvalidOperation, ValueError):
            self.spin.setValue(self.spin.minimum())


class EnumEditor(Editor):
    def __init__(self, path: str, title: str, description: str, spoken: str, choices: list[Any],
                 changed: Changed) -> None:
        super().__init__(path, title, description, spoken)
        self.combo = QComboBox()
        for choice in choices:
            self.combo.addItem(str(choice), choice)
        self._describe(self.combo)
        self.combo.currentIndexChanged.connect(lambda _i: changed())
        self.widget = self.combo

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value)
        self.combo.setCurrentIndex(max(index, 0))


class ConstEditor(Editor):
    """A value the schema fixes (schema_version): shown, never edited."""

    def __init__(self, path: str, title: str, description: str, spoken: str, const: Any) -> None:
        super().__init__(path, title, description, spoken)
        self.const = const
        self.label = QLabel(str(const))
        self._describe(self.label)
        self.widget = self.label

    def value(self) -> Any:
        return self.const

    def set_value(self, value: Any) -> None:
        self.label.setText(str(value))


class StringEditor(Editor):
    def __init__(self, path: str, title: str, description: str, spoken: str, schema: dict[str, Any],
                 changed: Changed) -> None:
        super().__init__(path, title, description, spoken)
        self.line = QLineEdit()
        if "maxLength" in schema:
            self.line.setMaxLength(int(schema["maxLength"]))
        self._describe(self.line)
        self.line.textChanged.connect(lambda _t: changed())
        self.widget = self.line

    def value(self) -> str:
        return self.line.text()

    def set_value(self, value: Any) -> None:
        self.line.setText("" if value is None else str(value))


def _convert(text: str, item_type: str, where: str) -> Any:
    if item_type == "integer":
        try:
            return int(text)
        except ValueError:
            raise FormError(f"{where}: {text!r} is not a whole number") from None
    if item_type == "number":
        try:
            return float(text)
        except ValueError:
            raise FormError(f"{where}: {text!r} is not a number") from None
    if item_type == "boolean":
        if text.strip().lower() not in ("true", "false", "yes", "no"):
            raise FormError(f"{where}: {text!r} is not yes or no")
        return text.strip().lower() in ("true", "yes")
    return text


class ListEditor(Editor):
    """An array of simple items: one editable row per item (F2 or double-click edits), Add, Remove."""

    def __init__(self, path: str, title: str, description: str, spoken: str, item_type: str,
                 changed: Changed) -> None:
        super().__init__(path, title, description, spoken)
        self.item_type = item_type
        self.changed = changed
        self.items = QListWidget()
        self._describe(self.items)
        self.items.itemChanged.connect(lambda _item: changed())
        self.add_button = QPushButton("Add")
        self.add_button.setAccessibleName(f"Add to {spoken}")
        self.add_button.clicked.connect(self._add)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove from {spoken}")
        self.remove_button.clicked.connect(self._remove)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.widget = QWidget()
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.items, 1)
        layout.addLayout(buttons)

    def _append(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.items.addItem(item)
        return item

    def _add(self) -> None:
        item = self._append("0" if self.item_type in ("integer", "number") else "")
        self.items.setCurrentItem(item)
        self.items.editItem(item)
        self.changed()

    def _remove(self) -> None:
        row = self.items.currentRow()
        if row >= 0:
            self.items.takeItem(row)
            self.changed()

    def value(self) -> list[Any]:
        return [_convert(self.items.item(i).text(), self.item_type, f"{self.title} item {i + 1}")
                for i in range(self.items.count())]

    def set_value(self, value: Any) -> None:
        self.items.blockSignals(True)
        self.items.clear()
        for item in value or []:
            self._append(str(item))
        self.items.blockSignals(False)

    def mark(self, bad: bool) -> None:
        self.items.setStyleSheet(BAD_STYLE if bad else "")
