"""The new-request form: one of the engine's three kinds (transfer, new beneficiary, bank-detail change),
amounts read in this computer's locale, the currency chosen from the engine's ISO 4217 list, IBAN and
BIC checked by the engine as they are typed (its one-line reason beside the field), and only the inputs
that apply to the chosen kind shown. The engine checks everything again when the request is created."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.views.amount_text import AmountUnclear, read_amount
from verification.errors import CallShieldError
from verification.policy.schema import CHECKLIST_ITEMS
from verification.workflow.beneficiary import check_beneficiary
from verification.workflow.money import payment_currencies
from verification.workflow.plain_words import CHECKLIST_QUESTIONS
from verification.workflow.request import KINDS

KIND_WORDS = {"transfer": "Transfer (pay money out)", "new_beneficiary": "New beneficiary (add a payee)",
              "bank_detail_change": "Bank-detail change (a payee's new account)"}
IBAN_WORDS = {"transfer": "Beneficiary IBAN", "new_beneficiary": "Beneficiary IBAN",
              "bank_detail_change": "New IBAN"}

class FormRefused(ValueError):
    """What the form itself refuses before asking the engine (one line)."""


def _named(widget: Any, name: str) -> Any:
    widget.setAccessibleName(name)
    return widget


class RequestForm(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("New request", parent)
        self.kind = _named(QComboBox(), "Request kind")
        for kind in KINDS:
            self.kind.addItem(KIND_WORDS.get(kind, kind), kind)
        self.counterparty = _named(QComboBox(), "Counterparty")
        self.amount = _named(QLineEdit(), "Amount")
        self.amount_reason = _named(QLabel(""), "Amount check")
        self.currency = _named(QComboBox(), "Currency")
        self.currency.addItems(payment_currencies())
        self.currency.setCurrentIndex(self.currency.findText("EUR"))  # typing "CHF" on the list jumps to it
        self.iban = _named(QLineEdit(), "Beneficiary IBAN")
        self.iban_reason = _named(QLabel(""), "IBAN check")
        self.bic = _named(QLineEdit(), "BIC")
        self.bic.setPlaceholderText("optional")
        self.bic_reason = _named(QLabel(""), "BIC check")
        self.beneficiary_name = _named(QLineEdit(), "Beneficiary name")
        self.claimed_contact = _named(QLineEdit(), "Number the caller offered")
        self.claimed_contact.setPlaceholderText("a number the caller offered (never dialled)")
        self.note = _named(QLineEdit(), "Note")
        self.link_call = _named(QCheckBox("Link the call just watched (its verdict and evidence)"),
                                "Link the call just watched")
        self.checks = {item: _named(QCheckBox(CHECKLIST_QUESTIONS.get(item, item)), CHECKLIST_QUESTIONS.get(item, item))
                       for item in CHECKLIST_ITEMS}
        self.from_speech: set[str] = set()  # items pre-ticked from the call's speech (the clerk may untick)
        self.create_button = _named(QPushButton("&Create and submit"), "Create request")
        for reason in (self.amount_reason, self.iban_reason, self.bic_reason):
            reason.setWordWrap(True)
        self.form = QFormLayout()
        self.form.addRow("Kind", self.kind)
        self.form.addRow("Counterparty", self.counterparty)
        self.form.addRow("Amount", self.amount)
        self.form.addRow("", self.amount_reason)
        self.form.addRow("Currency", self.currency)
        self.form.addRow(IBAN_WORDS["transfer"], self.iban)
        self.form.addRow("", self.iban_reason)
        self.form.addRow("BIC", self.bic)
        self.form.addRow("", self.bic_reason)
        self.form.addRow("Beneficiary name", self.beneficiary_name)
        self.form.addRow("Number offered", self.claimed_contact)
        self.form.addRow("Note", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(QLabel("Checklist: tick what happened"))
        for box in self.checks.values():
            layout.addWidget(box)
        layout.addWidget(self.link_call)
        layout.addWidget(self.create_button)
        layout.addStretch(1)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_kind())
        self.amount.textChanged.connect(lambda _t: self._check_amount())
        self.iban.textChanged.connect(lambda _t: self._check_field("iban", self.iban, self.iban_reason))
        self.bic.textChanged.connect(lambda _t: self._check_field("bic", self.bic, self.bic_reason))
        self._show_kind()
        self._check_amount()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """A new locale reads the same text differently: say so at once."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.LocaleChange:
            self._check_amount()

    def chosen_kind(self) -> str:
        return str(self.kind.currentData())

    def _show_kind(self) -> None:
        """Amounts belong to transfers only; the IBAN's label says what it is for this kind."""
        transfer = self.chosen_kind() == "transfer"
        for widget in (self.amount, self.amount_reason, self.currency):
            self.form.setRowVisible(widget, transfer)
        label = self.form.labelForField(self.iban)
        if isinstance(label, QLabel):
            label.setText(IBAN_WORDS.get(self.chosen_kind(), "IBAN"))
        self.create_button.setAccessibleName(f"Create {self.chosen_kind().replace('_', ' ')} request")

    def _reader(self) -> tuple[str, str]:
        locale = self.locale()
        return locale.decimalPoint(), locale.groupSeparator()

    def _check_amount(self) -> None:
        if not self.amount.text().strip():
            self.amount_reason.setText(f"e.g. {self.locale().toString(250000.0, 'f', 2)}")
            return
        try:
            plain = read_amount(self.amount.text(), *self._reader())
        except AmountUnclear as error:
            self.amount_reason.setText(str(error))
        else:
            self.amount_reason.setText(f"reads as {plain}")

    def _check_field(self, key: str, field: QLineEdit, reason: QLabel) -> str | None:
        """The engine's check of one beneficiary field; its one-line reason, or None when it passes."""
        text = field.text().strip()
        if not text:
            reason.setText("")
            return None
        try:
            clean = check_beneficiary({key: text})[key]
        except CallShieldError as error:
            reason.setText(str(error))
            return str(error)
        reason.setText(f"valid ({clean})")
        return None

    def request_args(self) -> dict[str, Any]:
        """kind, amount, currency and beneficiary for the engine; FormRefused with one line when the form
        can already tell it will not do."""
        kind = self.chosen_kind()
        if kind == "transfer":
            try:
                amount = read_amount(self.amount.text(), *self._reader())
            except AmountUnclear as error:
                raise FormRefused(str(error)) from error
        else:
            amount = "0"
        if not self.iban.text().strip():
            raise FormRefused(f"enter the {IBAN_WORDS[kind].lower().replace('iban', 'IBAN')}: "
                              f"a {kind.replace('_', ' ')} request needs one")
        for key, field, reason in (("iban", self.iban, self.iban_reason), ("bic", self.bic, self.bic_reason)):
            problem = self._check_field(key, field, reason)
            if problem:
                raise FormRefused(problem)
        beneficiary = {k: v for k, v in (("iban", self.iban.text().strip()), ("bic", self.bic.text().strip()),
                                         ("name", self.beneficiary_name.text().strip())) if v}
        return {"kind": kind, "amount": amount, "currency": self.currency.currentText().strip(),
                "beneficiary": beneficiary}

    def pretick_from_speech(self, items: list[str]) -> None:
        """Tick the checklist items that cues heard in the call answer; the clerk confirms or unticks."""
        for item in items:
            if item in self.checks and not self.checks[item].isChecked():
                self.checks[item].setChecked(True)
                self.from_speech.add(item)
                self.checks[item].setText(f"{CHECKLIST_QUESTIONS.get(item, item)} (heard in the call)")

    def note_with_speech(self) -> str:
        """The note, plus which ticks came from speech and were kept: the record says so."""
        kept = sorted(item for item in self.from_speech if self.checks[item].isChecked())
        note = self.note.text().strip()
        return " ".join(filter(None, [note, f"[Ticked from the call's speech: {', '.join(kept)}]" if kept else ""]))

    def clear(self) -> None:
        """Everything but the kind, counterparty and currency, which the next request usually shares."""
        for field in (self.amount, self.iban, self.bic, self.beneficiary_name, self.claimed_contact, self.note):
            field.clear()
        for box in (*self.checks.values(), self.link_call):
            box.setChecked(False)
        for item in self.from_speech:
            self.checks[item].setText(CHECKLIST_QUESTIONS.get(item, item))
        self.from_speech.clear()
