"""The new-request form on a real SQLite workflow database: the three kinds, amounts read in the
computer's locale (ambiguous ones refused), the currency from the engine's list, IBAN/BIC checked by
the engine as typed, and inputs that do not apply hidden."""

from __future__ import annotations

import re

from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from desktop.views.amount_text import AmountUnclear, read_amount
from desktop.views.requests.requests_page import RequestsPage
from desktop.views.sign_in import SignedInState
from tests.desktop.workflow_world import DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.workflow import directory
from verification.workflow.money import payment_currencies

US = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
GERMANY = QLocale(QLocale.Language.German, QLocale.Country.Germany)
FRANCE = QLocale(QLocale.Language.French, QLocale.Country.France)
IBAN = "GB33BUKB20201555555555"


def _page(qtbot: QtBot, w: DeskWorld, locale: QLocale = US) -> RequestsPage:
    state = SignedInState(w.session())
    page = RequestsPage(state)
    qtbot.addWidget(page)
    page.form_box.setLocale(locale)
    state.sign_in("rita", PASSWORD)
    return page


def _create(page: RequestsPage) -> dict | None:
    """Click Create; the engine's view of the new request, or None when nothing was created."""
    page.create_button.click()
    match = re.match(r"Request (\d+) created", page.result.text())
    return page.state.session.request_view(int(match.group(1))) if match else None


def test_amounts_read_as_written_in_each_locale() -> None:
    assert read_amount("250,000", ".", ",") == "250000"
    assert read_amount("250 000,00", ",", "\u202f") == "250000.00"
    assert read_amount("250\u00a0000,00", ",", "\u00a0") == "250000.00"
    assert read_amount("250.000,00", ",", ".") == "250000.00"
    assert read_amount("1'250.50", ".", "'") == "1250.50"
    assert read_amount("1,250.5", ",", ".") == "1250.5"  # both separators: the last one is the decimal
    for text, decimal, group in (("1.250", ".", ","), ("250,000", ",", "."), ("2,50,000", ".", ","),
                                 ("1,000.000,00", ".", ","), ("12e3", ".", ","), ("-5", ".", ",")):
        try:
            read_amount(text, decimal, group)
        except AmountUnclear:
            continue
        raise AssertionError(f"{text!r} was read although it is unclear")


def test_transfer_amounts_in_the_locale_and_an_ambiguous_one_refused(qtbot: QtBot, desk_world: DeskWorld) -> None:
    page = _page(qtbot, desk_world, GERMANY)
    page.amount.setText("250.000,00")
    assert page.form_box.amount_reason.text() == "reads as 250000.00"
    page.iban.setText(IBAN)
    view = _create(page)
    assert view is not None and view["amount"] == "250000.00" and view["kind"] == "transfer"

    page.amount.setText("1.250")
    assert page.form_box.amount_reason.text() == "reads as 1250"  # "." groups thousands in German
    page.form_box.setLocale(US)  # where "." is the decimal point, "1.250" could be either
    page.iban.setText(IBAN)
    assert "could mean 1250 or 1.25" in page.form_box.amount_reason.text()
    assert _create(page) is None
    assert page.result.text().startswith("amount 1.250 could mean 1250 or 1.25")
    page.amount.setText("250,000")
    view = _create(page)
    assert view is not None and view["amount"] == "250000.00"


def test_currency_is_chosen_from_the_engines_list(qtbot: QtBot, desk_world: DeskWorld) -> None:
    page = _page(qtbot, desk_world, FRANCE)
    assert [page.currency.itemText(i) for i in range(page.currency.count())] == payment_currencies()
    assert page.currency.currentText() == "EUR" and not page.currency.isEditable()
    page.currency.setCurrentText("CHF")
    page.amount.setText("250\u202f000,00")
    page.iban.setText(IBAN)
    view = _create(page)
    assert view is not None and (view["currency"], view["amount"]) == ("CHF", "250000.00")


def test_iban_and_bic_checked_as_typed_and_a_blank_iban_refused(qtbot: QtBot, desk_world: DeskWorld) -> None:
    page = _page(qtbot, desk_world)
    page.amount.setText("25000")
    page.create_button.click()
    assert page.result.text() == "enter the beneficiary IBAN: a transfer request needs one"
    assert page.requests.count() == 0
    page.iban.setText("GB33BUKB20201555555556")  # one digit off: the checksum fails
    reason = page.form_box.iban_reason.text()
    assert reason.startswith("beneficiary iban 'GB33BUKB20201555555556' is not valid") and "\n" not in reason
    assert _create(page) is None and page.result.text() == reason
    page.iban.setText("GB33 BUKB 2020 1555 5555 55")
    assert page.form_box.iban_reason.text() == f"valid ({IBAN})"
    page.bic.setText("NOTABIC!")
    assert "beneficiary bic" in page.form_box.bic_reason.text()
    assert _create(page) is None
    page.bic.setText("BUKBGB22")
    assert page.form_box.bic_reason.text() == "valid (BUKBGB22)"
    view = _create(page)
    assert view is not None and view["beneficiary"] == {"iban": IBAN, "bic": "BUKBGB22"}


def test_the_three_kinds_show_only_their_inputs(qtbot: QtBot, desk_world: DeskWorld) -> None:
    page = _page(qtbot, desk_world)
    form = page.form_box
    assert form.form.isRowVisible(page.amount) and form.form.isRowVisible(page.currency)
    page.kind.setCurrentIndex(page.kind.findData("new_beneficiary"))
    assert not form.form.isRowVisible(page.amount) and not form.form.isRowVisible(page.currency)
    page.iban.setText(IBAN)
    page.beneficiary_name.setText("Acme Ltd")
    view = _create(page)
    assert view is not None and (view["kind"], view["amount"]) == ("new_beneficiary", "0.00")

    page.kind.setCurrentIndex(page.kind.findData("bank_detail_change"))
    assert form.form.labelForField(page.iban).text() == "New IBAN"
    page.create_button.click()
    assert page.result.text() == "enter the new IBAN: a bank detail change request needs one"
    page.iban.setText("DE89370400440532013000")
    view = _create(page)
    assert view is not None and view["kind"] == "bank_detail_change"
    assert view["beneficiary"] == {"iban": "DE89370400440532013000"}


def test_code_phrase_check_only_when_a_phrase_is_enrolled(qtbot: QtBot, desk_world: DeskWorld) -> None:
    page = _page(qtbot, desk_world)
    page.amount.setText("25000")
    page.iban.setText(IBAN)
    assert _create(page) is not None
    assert page.phrase.isHidden() and page.phrase_button.isHidden() and page.phrase_label.isHidden()
    directory.set_code_phrase(desk_world.ctx, desk_world.admin, "Acme Supplies", "blue heron at noon")
    page.refresh()
    assert not page.phrase.isHidden() and not page.phrase_button.isHidden()


def test_a_new_beneficiary_request_is_listed_by_its_kind_not_a_zero_amount(qtbot: QtBot, desk_world: DeskWorld) -> None:
    page = _page(qtbot, desk_world)
    page.kind.setCurrentIndex(page.kind.findData("new_beneficiary"))
    page.iban.setText(IBAN)
    view = _create(page)
    assert view is not None
    assert page.requests.currentItem().text() == f"#{view['id']} HELD New beneficiary to Acme Supplies"
    assert f"Request {view['id']}: New beneficiary to Acme Supplies" in page.detail.toPlainText()
