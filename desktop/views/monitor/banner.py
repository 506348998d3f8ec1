"""A message strip above the preview: device lost, call ended, a source that could not open."""

from __future__ import annotations

from types import MappingProxyType

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

KINDS = MappingProxyType({
    "error": ("#fde3e1", "#b3261e", "Problem"),
    "warning": ("#fff1d1", "#9a5b00", "Note"),
    "info": ("#e4eefc", "#1d4f91", "Info"),
})


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Message")
        layout.addWidget(self.label, 1)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss message")
        self.dismiss.clicked.connect(self.hide)
        layout.addWidget(self.dismiss)
        self.kind = "info"
        self.hide()

    def show_message(self, kind: str, text: str) -> None:
        background, border, word = KINDS[kind]
        self.kind = kind
        self.setStyleSheet(f"#banner {{ background: {background}; border: 2px solid {border}; border-radius: 4px; }}")
        self.label.setText(f"<b>{word}:</b> {text}")
        self.setAccessibleDescription(f"{word}: {text}")
        self.show()

    def text(self) -> str:
        return self.label.text()
