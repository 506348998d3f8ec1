"""The currency list the request form offers is exactly what the engine accepts."""

from __future__ import annotations

import pytest

from verification.errors import WorkflowRefused
from verification.workflow.money import parse_currency, payment_currencies


def test_every_listed_currency_is_accepted_and_funds_and_metals_are_not_listed() -> None:
    codes = payment_currencies()
    assert codes == sorted(set(codes)) and {"EUR", "USD", "GBP", "CHF", "JPY"} <= set(codes)
    assert all(parse_currency(code) == code for code in codes)
    for unlisted in ("XAU", "XDR"):  # gold, special drawing rights: no minor unit, not for payments
        assert unlisted not in codes
        with pytest.raises(WorkflowRefused):
            parse_currency(unlisted)
