"""A whole form built from a JSON schema, so a field added to the policy schema appears in the
editor with its title and description and no hand-written form code.

Objects become group boxes of their fields (the root's groups become tabs), maps (an object with
`additionalProperties`, such as tiers per currency) keyed sections with Add and Remove, arrays of
objects repeated sections with Add and Remove; single values use `schema_fields`. The form only
shapes the JSON: validation is the engine's."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea,
                               QTabWidget, QVBoxLayout, QWidget)

from desktop.controllers.policy_diff import resolve
from desktop.views.admin.schema_fields import (BoolEditor, Changed, ConstEditor, Editor, EnumEditor, FormError,
                                               IntEditor, ListEditor, NumberEditor, StringEditor)

__all__ = ["Editor", "FormError", "SchemaForm", "default_value"]

SIMPLE = ("boolean", "integer", "number", "string")


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in schema.get("anyOf", []) if b.get("type") != "null"]


def default_value(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """What a new map entry or list item starts as: the schema's defaults, else the smallest value."""
    node = resolve(schema, defs)
    if "default" in node:
        return node["default"]
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return node["enum"][0]
    branches = _branches(node)
    if branches:
        return default_value(branches[0], defs)
    kind = node.get("type")
    if kind == "object":
        return {name: default_value(child, defs) for name, child in node.get("properties", {}).items()}
    return {"array": [], "boolean": False, "integer": node.get("minimum", 0), "number": node.get("minimum", 0),
            "string": ""}.get(str(kind))


def _described(box: QGroupBox, layout: QVBoxLayout, description: str) -> None:
    if description:
        box.setToolTip(description)
        note = QLabel(description)
        note.setWordWrap(True)
        font = note.font()
        font.setItalic(True)
        note.setFont(font)
        layout.addWidget(note)


class ObjectEditor(Editor):
    """Fixed fields in schema order; the root lays its nested groups out as tabs."""

    def __init__(self, path: str, title: str, description: str, spoken: str, node: dict[str, Any],
                 form: "SchemaForm", root: bool = False) -> None:
        super().__init__(path, title, description, spoken)
        self.children: dict[str, Editor] = {}
        fields = QFormLayout()
        tabs = QTabWidget() if root else None
        groups = QVBoxLayout()
        for name, child_schema in node.get("properties", {}).items():
            child = form.build(child_schema, f"{path}.{name}" if path else name, name, spoken)
            self.children[name] = child
            if isinstance(child, (ObjectEditor, MapEditor, ObjectListEditor)):
                if tabs is not None:
                    if isinstance(child.widget, QGroupBox):
                        child.widget.setTitle("")  # the tab already says it
                    page = QWidget()
                    page_layout = QVBoxLayout(page)
                    page_layout.addWidget(child.widget)
                    page_layout.addStretch(1)  # fields sit at the top, not spread over the tab
                    scroll = QScrollArea()
                    scroll.setWidgetResizable(True)
                    scroll.setWidget(page)
                    tabs.addTab(scroll, child.title)
                    tabs.setTabToolTip(tabs.count() - 1, child.description)
                else:
                    groups.addWidget(child.widget)
            elif child.label_in_widget:
                fields.addRow(child.widget)
            else:
                fields.addRow(child.title, child.widget)
        if root:
            self.tabs = tabs
            self.widget = QWidget()
            layout = QVBoxLayout(self.widget)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addLayout(fields)
            if tabs is not None:
                tabs.setAccessibleName(f"{title} sections")
                layout.addWidget(tabs, 1)
            return
        box = QGroupBox(title)
        box.setAccessibleName(spoken)
        layout = QVBoxLayout(box)
        _described(box, layout, description)
        layout.addLayout(fields)
        layout.addLayout(groups)
        self.widget = box

    def value(self) -> dict[str, Any]:
        return {name: child.value() for name, child in self.children.items()}

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        for name, child in self.children.items():
            if name in value:
                child.set_value(value[name])

    def find(self, path: str) -> Editor | None:
        if path == self.path:
            return self
        for child in self.children.values():
            if path == child.path or path.startswith(f"{child.path}."):
                return child.find(path)
        return None


class _Repeated(Editor):
    """Sections of one schema, each with a Remove button; subclasses key them by name or position."""

    def __init__(self, path: str, title: str, description: str, spoken: str, item_schema: dict[str, Any],
                 form: "SchemaForm") -> None:
        super().__init__(path, title, description, spoken)
        self.item_schema = item_schema
        self.form = form
        self.entries: list[tuple[str, Editor, QWidget]] = []
        box = QGroupBox(title)
        box.setAccessibleName(spoken)
        self.layout = QVBoxLayout(box)
        _described(box, self.layout, description)
        self.sections = QVBoxLayout()
        self.layout.addLayout(self.sections)
        self.widget = box

    def _section(self, key: str, caption: str, value: Any) -> None:
        editor = self.form.build(self.item_schema, f"{self.path}.{key}", caption, self.spoken, caption)
        editor.set_value(value)
        holder = QWidget()
        row = QVBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor.widget)
        remove = QPushButton(f"Remove {caption}")
        remove.setAccessibleName(f"Remove {caption} from {self.spoken}")
        remove.clicked.connect(lambda _checked=False, h=holder: self._remove(h))
        row.addWidget(remove, 0, Qt.AlignmentFlag.AlignRight)
        self.sections.addWidget(holder)
        self.entries.append((key, editor, holder))

    def _remove(self, holder: QWidget) -> None:
        index = next(i for i, (_k, _e, h) in enumerate(self.entries) if h is holder)
        values = [e.value() for _k, e, _h in self.entries]
        keys = [k for k, _e, _h in self.entries]
        del values[index], keys[index]
        self._rebuild(keys, values)
        self.form.changed()

    def _clear(self) -> None:
        for _key, _editor, holder in self.entries:
            holder.setParent(None)
            holder.deleteLater()
        self.entries = []

    def _rebuild(self, keys: list[str], values: list[Any]) -> None:
        raise NotImplementedError

    def find(self, path: str) -> Editor | None:
        if path == self.path:
            return self
        for _key, editor, _holder in self.entries:
            if path == editor.path or path.startswith(f"{editor.path}."):
                return editor.find(path)
        return None


class MapEditor(_Repeated):
    """An object keyed by free names (currencies): one section per key, and a key to add."""

    def __init__(self, path: str, title: str, description: str, spoken: str, item_schema: dict[str, Any],
                 form: "SchemaForm") -> None:
        super().__init__(path, title, description, spoken, item_schema, form)
        self.new_key = QLineEdit()
        self.new_key.setPlaceholderText("new key")
        self.new_key.setAccessibleName(f"New key for {spoken}")
        self.add_button = QPushButton("Add")
        self.add_button.setAccessibleName(f"Add to {spoken}")
        self.add_button.clicked.connect(self.add_key)
        self.new_key.returnPressed.connect(self.add_key)
        adder = QHBoxLayout()
        adder.addWidget(self.new_key, 1)
        adder.addWidget(self.add_button)
        self.layout.addLayout(adder)

    def add_key(self) -> None:
        key = self.new_key.text().strip()
        if not key or any(k == key for k, _e, _h in self.entries):
            return  # nothing to add, or already there
        self._section(key, key, default_value(self.item_schema, self.form.defs))
        self.new_key.clear()
        self.form.changed()

    def _rebuild(self, keys: list[str], values: list[Any]) -> None:
        self._clear()
        for key, value in zip(keys, values):
            self._section(key, key, value)

    def value(self) -> dict[str, Any]:
        return {key: editor.value() for key, editor, _h in self.entries}

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        self._rebuild(list(value), list(value.values()))


class ObjectListEditor(_Repeated):
    """An array of objects (tiers): numbered sections, Add appends one made of the schema's defaults."""

    def __init__(self, path: str, title: str, description: str, spoken: str, item_schema: dict[str, Any],
                 form: "SchemaForm") -> None:
        super().__init__(path, title, description, spoken, item_schema, form)
        self.add_button = QPushButton(f"Add to {title}")
        self.add_button.setAccessibleName(f"Add to {spoken}")
        self.add_button.clicked.connect(self._add)
        self.layout.addWidget(self.add_button)

    def _add(self) -> None:
        values = [e.value() for _k, e, _h in self.entries] + [default_value(self.item_schema, self.form.defs)]
        self._rebuild([], values)
        self.form.changed()

    def _rebuild(self, keys: list[str], values: list[Any]) -> None:
        self._clear()
        for index, value in enumerate(values):
            self._section(str(index), f"{self.title} #{index + 1}", value)

    def value(self) -> list[Any]:
        return [editor.value() for _k, editor, _h in self.entries]

    def set_value(self, value: Any) -> None:
        self._rebuild([], list(value) if isinstance(value, list) else [])


class SchemaForm:
    """Builds the editors for `schema`; `on_change` runs after any edit."""

    def __init__(self, schema: dict[str, Any], on_change: Changed) -> None:
        self.schema = schema
        self.defs: dict[str, Any] = schema.get("$defs", {})
        self._on_change = on_change
        self._quiet = 0
        self._marked: list[Editor] = []
        root = resolve(schema, self.defs)
        # the root's spoken name is empty: a field is read as "Limits, Wrong codes allowed"
        self.root = ObjectEditor("", str(root.get("title", "")), str(root.get("description", "")), "", root, self,
                                 root=True)
        self.widget = self.root.widget

    def changed(self) -> None:
        if not self._quiet:
            self._on_change()

    def build(self, schema: dict[str, Any], path: str, name: str, parent_spoken: str,
              title: str | None = None) -> Editor:
        node = resolve(schema, self.defs)
        title = title or str(node.get("title", name))
        description = str(node.get("description", ""))
        spoken = f"{parent_spoken}, {title}" if parent_spoken else title
        args = (path, title, description, spoken)
        branches = _branches(node)
        if "const" in node:
            return ConstEditor(*args, node["const"])
        if "enum" in node:
            return EnumEditor(*args, list(node["enum"]), self.changed)
        if branches:
            numeric = next((b for b in branches if b.get("type") in ("number", "integer")), None)
            if numeric is not None:  # a Decimal: number or exact string
                text = any(b.get("type") == "string" for b in branches)
                return NumberEditor(*args, numeric, self.changed, as_text=text)
            return self.build({**branches[0], "title": title, "description": description}, path, name,
                              parent_spoken)
        kind = node.get("type")
        if kind == "boolean":
            return BoolEditor(*args, self.changed)
        if kind == "integer":
            return IntEditor(*args, node, self.changed)
        if kind == "number":
            return NumberEditor(*args, node, self.changed, as_text=False)
        if kind == "array":
            items = resolve(node.get("items", {}), self.defs)
            if items.get("type") in SIMPLE and "enum" not in items:
                return ListEditor(*args, str(items["type"]), self.changed)
            return ObjectListEditor(*args, node.get("items", {}), self)
        if kind == "object" and "properties" in node:
            return ObjectEditor(*args, node, self)
        if kind == "object" and isinstance(node.get("additionalProperties"), dict):
            return MapEditor(*args, node["additionalProperties"], self)
        return StringEditor(*args, node, self.changed)

    def value(self) -> dict[str, Any]:
        """The document as JSON; FormError (one line) when a value cannot be read."""
        return self.root.value()

    def set_value(self, document: dict[str, Any]) -> None:
        self._quiet += 1  # one change notice for the whole load, not one per field
        try:
            self.root.set_value(document)
        finally:
            self._quiet -= 1
        self.changed()

    def find(self, path: str) -> Editor | None:
        return self.root.find(path)

    def mark_only(self, path: str | None) -> None:
        """Outline the field an error names (and no other)."""
        for editor in self._marked:
            editor.mark(False)
        editor = self.find(path) if path else None
        self._marked = [editor] if editor is not None else []
        if editor is not None:
            editor.mark(True)
