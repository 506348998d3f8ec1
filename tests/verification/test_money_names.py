"""Valid money and names: ISO 4217 currencies, bounded plain amounts within minor units, IBAN/BIC,
no control characters in text, NFKC names, and look-alike names raising the checklist."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.verification.conftest import ALL_NO, World
from verification.errors import DirectoryError, WorkflowRefused
from verification.store.tables import requests
from verification.workflow import directory, lifecycle
from verification.workflow.beneficiary import check_beneficiary
from verification.workflow.money import parse_amount, parse_currency
from verification.workflow.names import lookalike_letters, normalise_name
from verification.workflow.views import describe, request_view

IBAN = "GB33BUKB20201555555555"


@pytest.mark.parametrize("text, code", [("EUR", "EUR"), (" eur ", "EUR"), ("JPY", "JPY"), ("BHD", "BHD")])
def test_active_currencies(text: str, code: str) -> None:
    assert parse_currency(text) == code


@pytest.mark.parametrize("text, words", [
    ("\u0415UR", "'ЕUR' contains non-ASCII"),  # Cyrillic capital IE, then Latin UR
    ("EU", "not an ISO 4217 code"), ("E1R", "not an ISO 4217 code"),
    ("ABC", "'ABC' is not an active"), ("DEM", "'DEM' is not an active"),  # Deutsche Mark: withdrawn
    ("XAU", "no minor unit"), ("XTS", "no minor unit"),
])
def test_refused_currencies(text: str, words: str) -> None:
    with pytest.raises(WorkflowRefused, match=words):
        parse_currency(text)


@pytest.mark.parametrize("text, code, stored", [
    ("25000", "EUR", "25000.00"), ("0.5", "EUR", "0.50"), ("1250.50", "EUR", "1250.50"), ("1500000", "JPY", "1500000"),
    ("100.00", "JPY", "100"), ("1.234", "BHD", "1.234"), ("1000000000000", "EUR", "1000000000000.00"),
])
def test_amounts_within_minor_units(text: str, code: str, stored: str) -> None:
    assert f"{parse_amount(text, code, 'transfer'):f}" == stored


@pytest.mark.parametrize("text, code, words", [
    ("1e1000000", "EUR", "not a plain decimal"), ("NaN", "EUR", "not a plain decimal"),
    ("Infinity", "EUR", "not a plain decimal"), ("-5", "EUR", "must not be negative"),
    ("0", "EUR", "more than zero"), ("0.00", "EUR", "more than zero"), ("1_000", "EUR", "not a plain decimal"),
    ("\u0661\u0662", "EUR", "ASCII digits"),  # Arabic-Indic digits: Decimal() would take them
    ("１２", "EUR", "ASCII digits"), ("1" * 33, "EUR", "too long"), ("10.5", "JPY", "more decimals than JPY"),
    ("1.001", "EUR", "more decimals than EUR"), ("1.0001", "BHD", "more decimals than BHD"),
    ("1000000000000.01", "EUR", "above the maximum"), ("", "EUR", "not a plain decimal"),
])
def test_refused_amounts(text: str, code: str, words: str) -> None:
    with pytest.raises(WorkflowRefused, match=words):
        parse_amount(text, code, "transfer")


def test_zero_is_fine_for_a_new_beneficiary() -> None:
    assert parse_amount("0", "EUR", "new_beneficiary") == Decimal("0.00")


def test_beneficiary_iban_bic_and_text() -> None:
    clean = check_beneficiary({"iban": "GB33 BUKB 2020 1555 5555 55", "bic": "DEUTDEFF", "name": "Ａcme  Ltd",
                               "reference": "invoice 42"})
    assert clean == {"iban": IBAN, "bic": "DEUTDEFF", "name": "Acme Ltd", "reference": "invoice 42"}
    for bad, words in (({"iban": "GB34BUKB20201555555555"}, "iban 'GB34"), ({"iban": "GB33"}, "iban 'GB33'"),
                       ({"bic": "DEUTXXFF"}, "bic 'DEUTXXFF'"), ({"name": "Acme\u202eLtd"}, "U\\+202E"),
                       ({"reference": "pay\u200bnow"}, "U\\+200B"), ({"Name": "x"}, "lower-case"),
                       ({"name": 5}, "must be text"), ({"note": "x" * 201}, "too long")):
        with pytest.raises(WorkflowRefused, match=words):
            check_beneficiary(bad)


def test_names_nfkc_and_lookalikes() -> None:
    assert normalise_name("  Ｍüller \u00a0 GmbH ", "name") == "Müller GmbH"
    assert lookalike_letters("\u0410cme Supplies") == ["cyrillic 'А' looks like latin 'A'"]
    assert lookalike_letters("P\u0430ypal") and lookalike_letters("\u0391cme")  # Cyrillic a, Greek Alpha
    for fine in ("Acme Supplies", "Zürich Versicherung", "Παπαδόπουλος", "Acme 株式会社", "Dvořák & Syn"):
        assert lookalike_letters(fine) == [], fine


@pytest.mark.parametrize("db_kind", ["sqlite", "postgresql"], indirect=True)
def test_request_stores_plain_amount_and_validated_fields(world: World) -> None:
    request = lifecycle.create_request(world.ctx, world.requester, "transfer", "1250.5", "eur", world.counterparty,
                                       {"iban": "gb33 bukb 2020 1555 5555 55", "name": "Acme Ltd"}, checklist=ALL_NO)
    with world.database.reading() as connection:
        row = connection.execute(select(requests).where(requests.c.id == request.id)).one()
        view = request_view(connection, request.id, world.clock, world.ctx.pins)
    assert (row.amount, row.currency) == ("1250.50", "EUR") and IBAN in row.beneficiary
    assert view["red_flags"] == [] and "RED FLAGS" not in describe(view)
    for kwargs, words in (({"currency": "\u0415UR"}, "currency 'ЕUR'"), ({"amount": "1e1000000"}, "plain decimal"),
                          ({"beneficiary": {"iban": "GB00BUKB20201555555555"}}, "iban"),
                          ({"note": "ok\u202e"}, "note contains"), ({"amount": "10.5", "currency": "JPY"}, "JPY")):
        args = {"amount": "100", "currency": "EUR", "beneficiary": {"iban": IBAN}, "note": "", **kwargs}
        with pytest.raises(WorkflowRefused, match=words):
            lifecycle.create_request(world.ctx, world.requester, "transfer", args["amount"], args["currency"],
                                     world.counterparty, args["beneficiary"], checklist=ALL_NO, note=args["note"])


@pytest.mark.parametrize("db_kind", ["sqlite", "postgresql"], indirect=True)
def test_lookalike_beneficiary_is_a_red_flag_that_raises_requirements(world: World) -> None:
    honest = lifecycle.create_request(world.ctx, world.requester, "transfer", "100", "EUR", world.counterparty,
                                      {"iban": IBAN, "name": "Acme Ltd"}, checklist=ALL_NO)
    spoofed = lifecycle.create_request(world.ctx, world.requester, "transfer", "100", "EUR", world.counterparty,
                                       {"iban": IBAN, "name": "\u0410cme Ltd"}, checklist=ALL_NO)
    assert honest.requirements is not None and spoofed.requirements is not None
    assert not honest.requirements.steps.one_time_code and spoofed.requirements.steps.one_time_code
    assert spoofed.checklist["new_beneficiary"] is True  # answered no by the requester, forced to yes
    assert any("new beneficiary" in reason for reason in spoofed.requirements.reasons)
    with world.database.reading() as connection:
        view = request_view(connection, spoofed.id, world.clock, world.ctx.pins)
    assert view["red_flags"] == ["beneficiary name 'Аcme Ltd' mixes scripts with look-alike letters "
                                 "(cyrillic 'А' looks like latin 'A')"]
    assert "RED FLAGS: beneficiary name" in describe(view)


@pytest.mark.parametrize("db_kind", ["sqlite", "postgresql"], indirect=True)
def test_directory_names_normalised_and_lookalike_counterparty_flagged(world: World) -> None:
    entry = directory.add_entry(world.ctx, world.admin, "Ｇlobex\u00a0 Corp", "counterparty", "Globex")
    assert entry.name == "Globex Corp"
    with pytest.raises(DirectoryError, match="U\\+202E"):
        directory.add_entry(world.ctx, world.admin, "Globex\u202e Corp", "counterparty")
    with pytest.raises(DirectoryError, match="not a finite number"):
        directory.enroll_voiceprint(world.ctx, world.admin, "Globex Corp", "voice", [0.1, float("nan")])
    directory.add_entry(world.ctx, world.admin, "Gl\u043ebex Corp", "counterparty")  # Cyrillic o
    request = lifecycle.create_request(world.ctx, world.requester, "transfer", "100", "EUR", "Gl\u043ebex Corp",
                                       {"iban": IBAN}, checklist=ALL_NO)
    assert request.checklist["new_beneficiary"] is True
    with world.database.reading() as connection:
        assert request_view(connection, request.id, world.clock, world.ctx.pins)["red_flags"][0].startswith("counterparty 'Glоbex")


@pytest.mark.parametrize("db_kind", ["sqlite", "postgresql"], indirect=True)
def test_bidi_controls_refused_in_step_notes_and_reasons(world: World) -> None:
    from verification.workflow import confirmations

    request = lifecycle.create_request(world.ctx, world.requester, "transfer", "100", "EUR", world.counterparty,
                                       {"iban": IBAN}, checklist=ALL_NO, note="line one\nline two")
    with pytest.raises(WorkflowRefused, match="note contains the control or format character U\\+202E"):
        confirmations.record_callback(world.ctx, world.approver, request.id, world.phone.id, "confirmed", "J. Smith",
                                      ["identity", "request"], note="fine\u202e")
    with pytest.raises(WorkflowRefused, match="answered by contains .* U\\+2066"):
        confirmations.record_callback(world.ctx, world.approver, request.id, world.phone.id, "confirmed",
                                      "J.\u2066 Smith", ["identity", "request"])
    with pytest.raises(WorkflowRefused, match="note contains .* U\\+200F"):
        confirmations.approve(world.ctx, world.approver, request.id, note="ok\u200f")
    with pytest.raises(WorkflowRefused, match="reason contains .* U\\+0007"):
        lifecycle.reject(world.ctx, world.approver, request.id, "bell\u0007")
