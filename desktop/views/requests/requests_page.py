"""Requests tab: a transfer request form (optionally linked to the call just watched) and, for a
chosen request, the steps its policy requires: the call-back on the directory number (shown, never
typed), the one-time code, the code phrase, then release. The engine decides and refuses; the page
shows what is missing and the engine's one-line refusals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QTextBrowser, QVBoxLayout,
                               QWidget)

from desktop.views.approvals.approvals_page import detail_html, show_detail, show_plain
from desktop.views.decision_dialog import DecisionDialog
from desktop.views.request_list import RequestList
from desktop.views.requests.request_form import FormRefused, RequestForm
from desktop.views.sign_in import SignedInState, SignInBar
from desktop.views.step_checklist import StepChecklist
from verification.errors import CallShieldError
from verification.workflow.confirmations import CALLBACK_OUTCOMES, CONFIRMABLE
from verification.workflow.directory import Entry
from verification.workflow.plain_words import what_words
from verification.workflow.roles import User

#: the call just watched, as the engine's call summary (None: no call to link)
CallProvider = Callable[[], Mapping[str, Any] | None]


W = TypeVar("W", bound=QWidget)


def _named(widget: W, name: str) -> W:
    widget.setAccessibleName(name)
    return widget


@dataclass(frozen=True)
class _Open:
    """One reading of what the page shows: the directory and the open requests with their views."""

    entries: list[Entry]
    views: list[dict[str, Any]]

    def view(self, request_id: int) -> dict[str, Any] | None:
        return next((v for v in self.views if v["id"] == request_id), None)


class RequestsPage(QWidget):
    def __init__(self, state: SignedInState, call_provider: CallProvider | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.call_provider = call_provider or (lambda: None)
        self.sign_in_bar = SignInBar(state)

        # --- new request form (its inputs stay reachable here by their old names) ---
        self.form_box = RequestForm()
        form = self.form_box
        self.kind, self.counterparty, self.amount, self.currency = form.kind, form.counterparty, form.amount, form.currency
        self.iban, self.bic, self.beneficiary_name = form.iban, form.bic, form.beneficiary_name
        self.claimed_contact, self.note, self.link_call, self.checks = (form.claimed_contact, form.note, form.link_call,
                                                                        form.checks)
        self.create_button = form.create_button
        self.create_button.clicked.connect(self.create)

        # --- requests and their steps ---
        self.requests = _named(RequestList(), "Open requests")
        self.requests.currentItemChanged.connect(lambda _new, _old: self._show_selected())
        self.detail = _named(QTextBrowser(), "Request status")
        self.checklist = StepChecklist()
        self.callback_number = QLabel("")
        _named(self.callback_number, "Directory number to call back")
        self.callback_number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answered_by = _named(QLineEdit(), "Who answered the call-back")
        self.outcome = _named(QComboBox(), "Call-back outcome")
        self.outcome.addItems(list(CALLBACK_OUTCOMES))
        self.confirmed = {c: _named(QCheckBox(c.replace("_", " ")), f"Confirmed {c.replace('_', ' ')}")
                          for c in CONFIRMABLE}
        self.callback_button = _named(QPushButton("Record call-&back"), "Record call-back")
        self.callback_button.clicked.connect(self.record_callback)
        self.issue_button = _named(QPushButton("&Issue one-time code"), "Issue one-time code")
        self.issue_button.clicked.connect(self.issue_code)
        self.code = _named(QLineEdit(), "Code read back")
        self.code_button = _named(QPushButton("Check &code"), "Check code")
        self.code_button.clicked.connect(self.verify_code)
        self.phrase = _named(QLineEdit(), "Code phrase")
        self.phrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.phrase_button = _named(QPushButton("Check &phrase"), "Check code phrase")
        self.phrase_button.clicked.connect(self.verify_phrase)
        self.release_button = _named(QPushButton("&Release"), "Release request")
        self.release_button.clicked.connect(self.release)
        self.result = _named(QLabel(""), "Request result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        steps = QGroupBox("Out-of-band steps")
        grid = QGridLayout(steps)
        grid.addWidget(QLabel("Call back on"), 0, 0)
        grid.addWidget(self.callback_number, 0, 1, 1, 3)
        grid.addWidget(QLabel("Answered by"), 1, 0)
        grid.addWidget(self.answered_by, 1, 1)
        grid.addWidget(self.outcome, 1, 2)
        grid.addWidget(self.callback_button, 1, 3)
        confirmed_row = QHBoxLayout()
        confirmed_row.addWidget(QLabel("Confirmed:"))
        for box in self.confirmed.values():
            confirmed_row.addWidget(box)
        grid.addLayout(confirmed_row, 2, 0, 1, 4)
        grid.addWidget(self.issue_button, 3, 0)
        grid.addWidget(self.code, 3, 1, 1, 2)
        grid.addWidget(self.code_button, 3, 3)
        self.phrase_label = QLabel("Code phrase")
        grid.addWidget(self.phrase_label, 4, 0)
        grid.addWidget(self.phrase, 4, 1, 1, 2)
        grid.addWidget(self.phrase_button, 4, 3)
        grid.addWidget(self.release_button, 5, 3)

        right = QVBoxLayout()
        right.addWidget(QLabel("Open requests"))
        right.addWidget(self.requests, 2)
        right.addWidget(self.detail, 3)
        right.addWidget(self.checklist, 4)
        right.addWidget(steps)
        right.addWidget(self.result)
        body = QHBoxLayout()
        body.addWidget(self.form_box, 1)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sign_in_bar)
        layout.addLayout(body, 1)

        self._controls: list[QWidget] = [self.create_button, self.callback_button, self.issue_button,
                                         self.code_button, self.phrase_button, self.release_button]
        state.keep(self)
        state.changed.connect(self.refresh)
        state.data_changed.connect(self.follow)
        self._shown: _Open | None = None
        self.decision: DecisionDialog | None = None  # the last Release dialog opened
        self.refresh()

    def selected_id(self) -> int | None:
        return self.requests.selected_id()

    def _fetch(self) -> _Open:
        """The database reads behind the page (any thread)."""
        return _Open(self.state.session.entries(), self.state.session.live_requests())

    def follow(self) -> None:
        """The database moved: read it on the task runner, then show it."""
        self.state.reload(self, self._fetch, self._show)

    def refresh(self) -> None:
        """Read now (after a sign-in or this page's own action) and show."""
        signed_in = self.state.session.signed_in
        for widget in self._controls:
            widget.setEnabled(signed_in)
        if not signed_in:
            self._shown = None
            self.requests.clear()
            self.checklist.show_view(None)
            self._show_phrase(False)
            self.counterparty.clear()
            self.callback_number.setText("")
            self.callback_number.setProperty("phone_id", None)
            show_plain(self.detail, "Sign in to create requests and record their steps.")
            return
        try:
            found = self._fetch()
        except CallShieldError as error:
            self.result.setText(str(error))
            return
        self._show(found)

    def _show(self, found: _Open) -> None:
        """Counterparties, open requests, and the selected one's status and steps (the selection and
        the counterparty chosen stay)."""
        self._shown = found
        keep = self.selected_id()
        names = [entry.name for entry in found.entries]
        if names != [self.counterparty.itemText(i) for i in range(self.counterparty.count())]:
            chosen = self.counterparty.currentText()
            self.counterparty.clear()
            self.counterparty.addItems(names)
            if chosen in names:
                self.counterparty.setCurrentText(chosen)
        self.requests.fill(((view["id"], f"#{view['id']} {view['state'].upper()} {what_words(view)} "
                                         f"to {view['counterparty']}") for view in found.views),
                           keep)
        if not self.requests.count():
            show_plain(self.detail, "No open requests.")
            self._show_phrase(False)
            self.checklist.show_view(None)
            self.callback_number.setText("")
            self.callback_number.setProperty("phone_id", None)
            self.release_button.setEnabled(False)
        else:
            self._show_selected()

    def select(self, request_id: int) -> bool:
        return self.requests.select(request_id)

    @staticmethod
    def _phone_for(found: _Open, counterparty: str) -> tuple[int, str] | None:
        entry = next((e for e in found.entries if e.name == counterparty), None)
        if entry is None or not entry.phones:
            return None
        phone = entry.phones[0]
        return phone.id, f"{phone.number} ({phone.label}; source: {phone.source})"

    def _show_selected(self) -> None:
        """From the last reading of the database (kept current by `follow`): no read here."""
        request_id = self.selected_id()
        found = self._shown
        view = found.view(request_id) if found is not None and request_id is not None else None
        if found is None or view is None:
            return
        phone = self._phone_for(found, str(view["counterparty"]))
        show_detail(self.detail, detail_html(view))
        self.checklist.show_view(view)
        entry = next((e for e in found.entries if e.name == view["counterparty"]), None)
        self._show_phrase(entry is not None and entry.has_phrase)
        self.callback_number.setText(phone[1] if phone else "no active directory number: ask an admin")
        self.callback_number.setProperty("phone_id", phone[0] if phone else None)
        self.release_button.setEnabled(view["state"] == "approved" and not view["hold_remaining_minutes"])

    @property
    def from_speech(self) -> set[str]:
        return self.form_box.from_speech

    def pretick_from_speech(self, items: list[str]) -> None:
        self.form_box.pretick_from_speech(items)

    def _show_phrase(self, enrolled: bool) -> None:
        """The code-phrase check only where the counterparty has a phrase enrolled (nothing to say otherwise)."""
        for widget in (self.phrase_label, self.phrase, self.phrase_button):
            widget.setVisible(enrolled)

    def create(self) -> None:
        call = self.call_provider() if self.link_call.isChecked() else None
        if self.link_call.isChecked() and call is None:
            self.result.setText("No finished call to link: watch the call first, or untick the link.")
            return
        try:
            args = self.form_box.request_args()
            request_id = self.state.session.create_transfer(
                args["amount"], args["currency"], self.counterparty.currentText(), args["beneficiary"],
                {k: box.isChecked() for k, box in self.checks.items()}, self.claimed_contact.text().strip() or None,
                self.form_box.note_with_speech(), call, kind=args["kind"])
        except (FormRefused, CallShieldError) as error:
            self.result.setText(str(error))
            return
        self.result.setText(f"Request {request_id} created and held until its steps are done.")
        self.form_box.clear()  # the next request starts empty: no IBAN, number or tick carried over
        self.refresh()
        self.select(request_id)

    def _step(self, action: Callable[[int], str | None], done: str) -> None:
        request_id = self.selected_id()
        if request_id is None:
            self.result.setText("Choose a request first.")
            return
        try:
            extra = action(request_id)
        except CallShieldError as error:
            self._finish(request_id, str(error))  # the engine's refusal, as its one line
        else:
            self._finish(request_id, extra or done.format(id=request_id))

    def _finish(self, request_id: int, line: str) -> None:
        self.result.setText(line)
        self.refresh()
        self.select(request_id)

    def record_callback(self) -> None:
        phone_id = self.callback_number.property("phone_id")
        if phone_id is None:
            self.result.setText("No directory number to call back on.")
            return
        confirmed = [c for c, box in self.confirmed.items() if box.isChecked()]
        self._step(lambda rid: self.state.session.record_callback(
            rid, int(phone_id), self.outcome.currentText(), self.answered_by.text().strip(), confirmed),
            "Call-back recorded for request {id}.")

    def _slow_step(self, action: Callable[[int], str | None], done: str, busy: str, button: QWidget) -> None:
        """A step that runs a slow hash (one-time codes are scrypt hashes): on the task runner, not here."""
        request_id = self.selected_id()
        if request_id is None:
            self.result.setText("Choose a request first.")
            return
        button.setEnabled(False)
        self.result.setText(busy)
        self.state.runner.run(
            lambda: action(request_id),
            lambda extra: self._finish(request_id, extra or done.format(id=request_id)),
            lambda message: self._finish(request_id, message), name="callshield-desktop-code")

    def issue_code(self) -> None:
        self._slow_step(lambda rid: "One-time code (give it to the counterparty by another channel; they read it "
                                    f"back on the call-back): {self.state.session.issue_code(rid)}", "",
                        "Issuing a one-time code…", self.issue_button)

    def verify_code(self) -> None:
        code = self.code.text().strip()
        self.code.clear()
        self._slow_step(lambda rid: self.state.session.verify_code(rid, code), "Code confirmed for request {id}.",
                        "Checking the code…", self.code_button)

    def verify_phrase(self) -> None:
        """The phrase is compared by its slow hash (scrypt): checked on the task runner, not here."""
        request_id = self.selected_id()
        if request_id is None:
            self.result.setText("Choose a request first.")
            return
        phrase = self.phrase.text()
        self.phrase.clear()
        self.phrase_button.setEnabled(False)
        self.result.setText("Checking the code phrase…")
        self.state.runner.run(
            lambda: self.state.session.verify_phrase(request_id, phrase),
            lambda _request: self._finish(request_id, f"Code phrase confirmed for request {request_id}."),
            lambda message: self._finish(request_id, message), name="callshield-desktop-phrase")

    def release(self) -> None:
        """Asks first (what, to whom, what was confirmed) and takes the password again; the engine
        decides with the freshly opened key."""
        request_id = self.selected_id()
        view = self._shown.view(request_id) if self._shown is not None and request_id is not None else None
        if request_id is None or view is None:
            self.result.setText("Choose a request first.")
            return
        self.decision = DecisionDialog(self.state, view, "Release", self)
        dialog = self.decision
        dialog.accepted.connect(lambda: self._release_as(request_id, dialog.fresh))
        dialog.open()

    def _release_as(self, request_id: int, signer: User | None) -> None:
        if signer is None:
            return
        try:
            line = self.state.session.release(request_id, signer)
        except CallShieldError as error:
            line = str(error)  # the engine's refusal, as its one line
        self._finish(request_id, line)
