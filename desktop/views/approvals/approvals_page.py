"""Approvals tab: an inbox of held requests with the request, the call's verdict summary and the
steps done; Approve / Reject with a comment. The engine decides: its refusal (self-approval, steps
missing, wrong role) is shown as its own one line."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from desktop.views.decision_dialog import DecisionDialog
from desktop.views.request_list import RequestList
from desktop.views.sign_in import SignedInState, SignInBar
from desktop.views.step_checklist import StepChecklist
from desktop.views.step_rows import shown_as_row
from verification.errors import CallShieldError
from verification.workflow.plain_words import BENEFICIARY_WORDS, risk_words, verdict_reason_words, what_words
from verification.workflow.roles import User

LEVEL_WORDS = {"low": "low risk", "elevated": "elevated risk", "high": "HIGH RISK", "unknown": "could not be judged",
               "no_call": "no call linked"}


def call_summary(call: dict[str, Any] | None) -> str:
    """The call's verdict in one line: level, risk, top reasons."""
    if not call:
        return "No call linked to this request."
    verdict = call.get("verdict") or {}
    level = str(verdict.get("level", "unknown"))
    risk = verdict.get("risk")
    risk_text = f", risk {risk_words(risk)}" if isinstance(risk, (int, float)) else ""
    reasons = "; ".join(verdict_reason_words(str(r)) for r in (verdict.get("reasons") or [])[:3]) or "no reasons given"
    return f"Call {call.get('session', '')}: {LEVEL_WORDS.get(level, level)}{risk_text} — {reasons}"


def detail_html(view: dict[str, Any]) -> str:
    e = html.escape
    rows = [f"<h3>Request {view['id']}: {e(('transfer ' if view['kind'] == 'transfer' else '') + what_words(view))} "
            f"to {e(view['counterparty'])}</h3>",
            f"<p>State <b>{e(view['state'].upper())}</b>; requested by {e(view['requester'])}; "
            f"policy v{view.get('policy_version')}</p>",
            f"<p><b>Call verdict:</b> {e(call_summary(view.get('call')))}</p>"]
    beneficiary = view.get("beneficiary") or {}
    if beneficiary:
        rows.append("<p><b>Beneficiary:</b> " + e(", ".join(f"{BENEFICIARY_WORDS.get(k, k.replace('_', ' '))} {v}"
                                                          for k, v in beneficiary.items())) + "</p>")
    if view.get("claimed_contact"):
        rows.append(f"<p><b>Red flag:</b> the caller offered the number {e(view['claimed_contact'])} "
                    f"(never used for the call-back)</p>")
    for flag in view.get("red_flags") or []:  # look-alike names (mixed scripts)
        rows.append(f"<p><b>Red flag:</b> {e(flag)}</p>")
    for problem in view.get("problems") or []:  # evidence the engine will not count at release
        rows.append(f"<p style='color:#b00020'><b>NOT VALID:</b> {e(problem)}</p>")
    others = [m for m in view.get("missing") or [] if not shown_as_row(m)]  # the steps table shows the rest
    if others:
        rows.append("<p><b>Still missing:</b> " + e("; ".join(others)) + "</p>")
    return "".join(rows)


def show_detail(browser: QTextBrowser, html_text: str) -> None:
    """Set the pane only when its text changed: a reload must not jump the reader back to the top."""
    if browser.property("shown_html") != html_text:
        browser.setProperty("shown_html", html_text)
        browser.setHtml(html_text)


def show_plain(browser: QTextBrowser, text: str) -> None:
    show_detail(browser, "<p>" + html.escape(text) + "</p>")


class ApprovalsPage(QWidget):
    def __init__(self, state: SignedInState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.sign_in_bar = SignInBar(state)
        self.inbox = RequestList()
        self.inbox.setAccessibleName("Held requests")
        self.inbox.currentItemChanged.connect(lambda _new, _old: self._show_selected())
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh held requests")
        self.refresh_button.clicked.connect(self.refresh)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName("Request details")
        self.checklist = StepChecklist()
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("Comment (required to reject)")
        self.comment.setAccessibleName("Comment")
        self.approve_button = QPushButton("&Approve")
        self.approve_button.setAccessibleName("Approve request")
        self.approve_button.clicked.connect(self.approve)
        self.reject_button = QPushButton("Re&ject")
        self.reject_button.setAccessibleName("Reject request")
        self.reject_button.clicked.connect(self.reject)
        self.result = QLabel("")
        self.result.setAccessibleName("Decision result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Held requests"))
        left_layout.addWidget(self.inbox, 1)
        left_layout.addWidget(self.refresh_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        right_layout.addWidget(self.checklist, 1)
        decide = QHBoxLayout()
        decide.addWidget(self.comment, 1)
        decide.addWidget(self.approve_button)
        decide.addWidget(self.reject_button)
        right_layout.addLayout(decide)
        right_layout.addWidget(self.result)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sign_in_bar)
        layout.addWidget(splitter, 1)

        state.keep(self)
        state.changed.connect(self.refresh)
        state.data_changed.connect(self.follow)
        self._views: dict[int, dict[str, Any]] = {}  # the last reading, by request id
        self.decision: DecisionDialog | None = None  # the last Approve dialog opened
        self.refresh()

    def selected_id(self) -> int | None:
        return self.inbox.selected_id()

    def follow(self) -> None:
        """The database moved: read it on the task runner, then show it."""
        self.state.reload(self, self.state.session.held_requests, self._show)

    def refresh(self) -> None:
        """Read now (after a sign-in or a decision made here) and show."""
        signed_in = self.state.session.signed_in
        for widget in (self.refresh_button, self.comment, self.approve_button, self.reject_button):
            widget.setEnabled(signed_in)
        if not signed_in:
            self._views = {}
            self.inbox.clear()
            self.checklist.show_view(None)
            show_plain(self.detail, "Sign in to see the requests waiting for approval.")
            return
        try:
            views = self.state.session.held_requests()
        except CallShieldError as error:
            self.result.setText(str(error))
            return
        self._show(views)

    def _show(self, views: list[dict[str, Any]]) -> None:
        """The inbox, and the selected request's details (the selection stays)."""
        keep = self.selected_id()
        self._views = {view["id"]: view for view in views}
        me = self.state.session.user
        rows = []
        for view in views:
            own = " (your request)" if me is not None and view["requester"] == me.name else ""
            level = LEVEL_WORDS.get(str(view.get("verdict_level")), str(view.get("verdict_level")))
            rows.append((view["id"], f"#{view['id']} {what_words(view)} to {view['counterparty']} "
                                     f"— call {level}{own}"))
        self.inbox.fill(rows, keep)
        if not self.inbox.count():
            show_plain(self.detail, "No requests are waiting for approval.")
            self.checklist.show_view(None)
        else:
            self._show_selected()

    def select(self, request_id: int) -> bool:
        return self.inbox.select(request_id)

    def _show_selected(self) -> None:
        """From the last reading of the database (kept current by `follow`): no read here."""
        view = self._views.get(self.selected_id() or 0)
        if view is not None:
            show_detail(self.detail, detail_html(view))
            self.checklist.show_view(view)

    def approve(self) -> None:
        """Asks first (what, to whom, what was confirmed) and takes the password again."""
        request_id = self.selected_id()
        view = self._views.get(request_id or 0)
        if request_id is None or view is None:
            self.result.setText("Choose a request first.")
            return
        self.decision = DecisionDialog(self.state, view, "Approve", self)
        dialog = self.decision
        dialog.accepted.connect(lambda: self._approve_as(request_id, dialog.fresh))
        dialog.open()

    def _approve_as(self, request_id: int, signer: User | None) -> None:
        if signer is not None:  # the request chosen when the dialog opened, whatever is selected now
            self._decide(lambda rid: self.state.session.approve(rid, self.comment.text().strip(), signer), request_id)

    def reject(self) -> None:
        reason = self.comment.text().strip()
        if not reason:
            self.result.setText("Say why in the comment before rejecting.")
            self.comment.setFocus()
            return
        self._decide(lambda rid: self.state.session.reject(rid, reason))

    def _decide(self, action: Any, chosen: int | None = None) -> None:
        request_id = chosen if chosen is not None else self.selected_id()
        if request_id is None:
            self.result.setText("Choose a request first.")
            return
        try:
            message = action(request_id)
        except CallShieldError as error:
            self.result.setText(str(error))  # the engine's refusal, as its one line
            self.refresh()
            return
        self.comment.clear()
        self.result.setText(message)
        self.refresh()
