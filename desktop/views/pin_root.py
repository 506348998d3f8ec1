"""A database with users, on a machine that never pinned its trust root: nobody's key can be checked
here until the root is pinned. The panel reads the file an admin exported, shows its fingerprint to
compare by phone (like a call-back: on a number you already know), and pins it only when confirmed;
the engine refuses a root of another database or one that differs from the database's own copy."""

from __future__ import annotations

import html
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from desktop.views.ask_first import ask_first
from verification.trust.root import TrustRoot

if TYPE_CHECKING:
    from desktop.views.sign_in import SignedInState


def confirm_text(root: TrustRoot) -> str:
    admins = ", ".join(html.escape(k.user_name) for k in root.keys)
    return (f"<p>Trust root of database {html.escape(root.database_id)}, first admins: {admins}.</p>"
            f"<p>Fingerprint: <b><code>{root.fingerprint}</code></b></p>"
            "<p>Call one of these admins on a number you already know and have them read out the fingerprint "
            "their machine shows (<code>callshield audit trust-root</code>). Pin only if every character "
            "matches.</p>")


class RootPinPanel(QWidget):
    pinned = Signal()

    def __init__(self, state: "SignedInState", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.problem = QLabel("")
        self.problem.setAccessibleName("Trust root problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.button = QPushButton("Pin the trust root from a &file…")
        self.button.setAccessibleName("Pin the trust root from a file")
        self.button.clicked.connect(self.choose_file)
        self.confirm: QMessageBox | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.problem)
        layout.addWidget(self.button)

    def show_problem(self, text: str) -> None:
        self.problem.setText(f"<b>This machine cannot check anyone's signature yet.</b> {html.escape(text)}")
        self.button.show()
        self.show()

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Trust root file", "", "Trust root (*.json);;All files (*)")
        if path:
            self.pin_from_file(Path(path))

    def pin_from_file(self, path: Path) -> None:
        me = weakref.ref(self)
        self.state.runner.run(lambda: self.state.session.read_root(path),
                              lambda root: (panel := me()) is not None and panel._ask(root),
                              lambda message: (panel := me()) is not None and panel._failed(message),
                              name="callshield-desktop-root-file")

    def _ask(self, root: TrustRoot) -> None:
        self.confirm = ask_first(self, QMessageBox.Icon.Question, "Pin this trust root?", confirm_text(root),
                                 "Fingerprint matches: pin it", "Do not pin", lambda yes: self._answered(yes, root))

    def _answered(self, yes: bool, root: TrustRoot) -> None:
        if not yes:
            self.problem.setText("Not pinned.")
            return
        me = weakref.ref(self)
        self.state.runner.run(lambda: self.state.session.pin_root(root),
                              lambda done: (panel := me()) is not None and panel._pinned(done),
                              lambda message: (panel := me()) is not None and panel._failed(message),
                              name="callshield-desktop-pin-root")

    def _pinned(self, root: TrustRoot) -> None:
        self.problem.setStyleSheet("")
        self.problem.setText(f"Trust root pinned on this machine (fingerprint {root.fingerprint}).")
        self.button.hide()
        self.pinned.emit()

    def _failed(self, message: str) -> None:
        self.problem.setText(html.escape(message))  # the engine's one line: unreadable, other database, differs
