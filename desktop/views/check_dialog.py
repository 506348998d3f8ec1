"""First-run check (and Help > Check this computer): the same checks as `callshield doctor`, run
off the GUI thread, each with what was found and, in plain words, what to fix."""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QGridLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from desktop.tasks import TaskRunner
from desktop.views.level_style import level_pixmap
from verification.doctor import Check, worst_status

#: each check status drawn like a risk level: the same shapes and colours the user learns once
STATUS_LOOK = {"ok": ("low", "OK"), "warning": ("elevated", "CHECK"), "problem": ("high", "FIX")}
SUMMARY = {"ok": "This computer is ready to watch calls.",
           "warning": "Ready, with the limits marked CHECK below.",
           "problem": "Fix the lines marked FIX below, then press 'Check again'."}


class CheckDialog(QDialog):
    checks_done = Signal(object)  # list[Check]

    def __init__(self, run_checks: Callable[[], list[Check]], runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CallShield: check this computer")
        self.setAccessibleName("Check this computer")
        self.resize(720, 560)
        self._run_checks = run_checks
        self._runner = runner
        self.checks: list[Check] = []
        layout = QVBoxLayout(self)
        intro = QLabel("<h3>Can CallShield see and hear your calls?</h3>"
                       "These checks look at screen capture, audio, cameras, the detector models and the database. "
                       "Nothing leaves this computer. The same checks run with <code>callshield doctor</code>.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.summary = QLabel("Checking…")
        self.summary.setAccessibleName("Check summary")
        self.summary.setStyleSheet("font-weight: 700;")
        layout.addWidget(self.summary)
        self.rows = QWidget()
        self.grid = QGridLayout(self.rows)
        self.grid.setColumnStretch(2, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.rows)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox()
        self.again = QPushButton("Check &again")
        self.again.setAccessibleName("Run the checks again")
        self.again.clicked.connect(self.start)
        self.done_button = QPushButton("&Continue")
        self.done_button.setAccessibleName("Close the checks and continue")
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.accept)
        buttons.addButton(self.again, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.done_button, QDialogButtonBox.ButtonRole.AcceptRole)
        layout.addWidget(buttons)

    def open_and_run(self) -> None:
        self.show()
        self.raise_()
        self.start()

    def start(self) -> None:
        self.again.setEnabled(False)
        self.summary.setText("Checking… (looking for devices can take a few seconds)")
        self._runner.run(self._run_checks, self.show_checks, self._on_failed, name="callshield-desktop-checks")

    def _on_failed(self, message: str) -> None:
        self.again.setEnabled(True)
        self.summary.setText(f"The checks could not run: {message}")

    def show_checks(self, checks: Sequence[Check]) -> None:
        self.checks = list(checks)
        self.again.setEnabled(True)
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for row, check in enumerate(self.checks):
            level, word = STATUS_LOOK[check.status]
            mark = QLabel()
            mark.setPixmap(level_pixmap(level, 24))
            word_label = QLabel(f"<b>{word}</b>")
            text = f"<b>{check.title}</b><br>{check.found}"
            if check.fix:
                text += f"<br><i>What to do:</i> {check.fix}"
            body = QLabel(text)
            body.setWordWrap(True)
            body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                         | Qt.TextInteractionFlag.TextSelectableByKeyboard)
            body.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # Tab walks the findings, for screen readers
            body.setAccessibleName(f"{word}: {check.title}")
            body.setAccessibleDescription(f"{check.found} {('What to do: ' + check.fix) if check.fix else ''}")
            self.grid.addWidget(mark, row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(word_label, row, 1, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(body, row, 2)
        self.grid.setRowStretch(len(self.checks), 1)
        self.summary.setText(SUMMARY[worst_status(self.checks)])
        self.checks_done.emit(self.checks)
