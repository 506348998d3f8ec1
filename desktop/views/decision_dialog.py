"""Approve and Release ask first: the dialog shows what is being decided (amount, currency, beneficiary,
counterparty) and what was confirmed (each step, by whom, when), and takes the password again. The
engine checks it (a slow hash, on the task runner) and returns the person with their key opened: that
fresh key signs the decision, not one opened at sign-in an hour ago."""

from __future__ import annotations

import html
import weakref
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.views.local_time import local_time
from desktop.views.sign_in import SignedInState
from verification.workflow.plain_words import BENEFICIARY_WORDS, STEP_KIND_WORDS, what_words, words
from verification.workflow.roles import User


NOUNS = {"Approve": "approval", "Release": "release"}


def decision_summary(view: dict[str, Any], verb: str) -> str:
    e = html.escape
    beneficiary = view.get("beneficiary") or {}
    payee = ", ".join(f"{BENEFICIARY_WORDS.get(k, words(k))} {v}" for k, v in beneficiary.items()) or "none given"
    steps = [s for s in view.get("steps") or [] if s.get("outcome") == "ok"]
    done = "".join(f"<li>{e(STEP_KIND_WORDS.get(s['kind'], words(s['kind'])))} by {e(s['actor'])} at {e(local_time(s['at']))}</li>" for s in steps)
    problems = "".join(f"<p style='color:#b00020'><b>NOT VALID:</b> {e(p)}</p>" for p in view.get("problems") or [])
    missing = "; ".join(view.get("missing") or [])
    if missing:
        problems += f"<p><b>Still missing:</b> {e(missing)}</p>"
    return (f"<p><b>{e(verb)} request {view['id']}</b>: {e(what_words(view))}</p>"
            f"<p>Counterparty: <b>{e(view['counterparty'])}</b><br>Beneficiary: <b>{e(payee)}</b><br>"
            f"Requested by {e(view['requester'])}</p>"
            f"<p>Confirmed so far:</p><ul>{done or '<li>nothing yet</li>'}</ul>{problems}"
            f"<p>Type your password again to sign this {NOUNS.get(verb, verb.lower())} with your own key.</p>")


class DecisionDialog(QDialog):
    """`fresh` holds the re-authenticated user once the engine accepted the password."""

    def __init__(self, state: SignedInState, view: dict[str, Any], verb: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.fresh: User | None = None
        self.setWindowTitle(f"{verb} request {view['id']}")
        self.setMinimumWidth(460)
        self.summary = QLabel(decision_summary(view, verb))
        self.summary.setAccessibleName("What you are deciding")
        self.summary.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Your password again")
        self.error = QLabel("")
        self.error.setAccessibleName("Decision problem")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Password", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(verb)
        self.ok_button.setAccessibleName(f"{verb} with this password")
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def check(self) -> None:
        if not self.ok_button.isEnabled():
            return
        password = self.password.text()
        self.password.clear()
        self.ok_button.setEnabled(False)
        self.error.setText("Checking…")
        me = weakref.ref(self)

        def done(user: User) -> None:
            dialog = me()
            if dialog is not None:
                dialog.fresh = user
                dialog.ok_button.setEnabled(True)
                dialog.accept()

        def failed(message: str) -> None:
            dialog = me()
            if dialog is not None:
                dialog.ok_button.setEnabled(True)
                dialog.error.setText(message)

        self.state.runner.run(lambda: self.state.session.recheck(password), done, failed,
                              name="callshield-desktop-recheck")
