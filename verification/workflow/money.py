"""Amounts and currencies as a request accepts them: an active ISO 4217 code in ASCII letters, and a
plain decimal string within the currency's minor units and a stated maximum.

Amounts are parsed from a short ASCII string with a fixed pattern, never handed to Decimal() as is:
Decimal would take `1e1000000`, `NaN`, `Infinity`, `1_000` and non-ASCII digits.
"""

from __future__ import annotations

import re
from decimal import Decimal

from iso4217 import Currency

from verification.errors import WorkflowRefused

MAX_AMOUNT = Decimal(10) ** 12  # in the currency's major unit
MAX_AMOUNT_CHARS = 32
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def parse_currency(text: str) -> str:
    """The upper-case code of an active ISO 4217 currency that has minor units (not a fund or metal)."""
    code = text.strip()
    if not code.isascii():
        raise WorkflowRefused(f"currency {text!r} contains non-ASCII characters; use an ISO 4217 code such as EUR")
    if len(code) != 3 or not code.isalpha():
        raise WorkflowRefused(f"currency {text!r} is not an ISO 4217 code such as EUR")
    code = code.upper()
    try:
        currency = Currency(code)
    except ValueError as error:
        raise WorkflowRefused(f"currency {code!r} is not an active ISO 4217 currency") from error
    if currency.exponent is None:
        raise WorkflowRefused(f"currency {code!r} ({currency.currency_name}) has no minor unit: not for payments")
    return code


def payment_currencies() -> list[str]:
    """Every code parse_currency accepts, sorted: for a list to choose from."""
    return sorted(c.code for c in Currency if c.exponent is not None and c.code.isalpha() and len(c.code) == 3)


def minor_units(code: str) -> int:
    exponent = Currency(code).exponent
    return 0 if exponent is None else int(exponent)


def parse_amount(text: str, code: str, kind: str, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """A non-negative amount (positive for transfers) of currency `code`, quantised to its minor units."""
    if len(text) > MAX_AMOUNT_CHARS:
        raise WorkflowRefused(f"amount is too long ({len(text)} characters, at most {MAX_AMOUNT_CHARS})")
    plain = text.strip()
    if not plain.isascii():
        raise WorkflowRefused(f"amount {text!r} must be written with the ASCII digits 0-9")
    if plain.startswith("-"):
        raise WorkflowRefused(f"amount {text!r} must not be negative")
    if not _PLAIN.fullmatch(plain):
        raise WorkflowRefused(f"amount {text!r} is not a plain decimal number such as 1250.50")
    digits = minor_units(code)
    if len(plain.partition(".")[2].rstrip("0")) > digits:
        raise WorkflowRefused(f"amount {text!r} has more decimals than {code} allows ({digits})")
    amount = Decimal(plain)
    if kind == "transfer" and amount == 0:
        raise WorkflowRefused("a transfer amount must be more than zero")
    if amount > maximum:
        raise WorkflowRefused(f"amount {text!r} is above the maximum of {maximum:f} {code}")
    return amount.quantize(Decimal(1).scaleb(-digits))  # at most 13 + 3 digits: exact


def format_amount(amount: Decimal) -> str:
    """The stored form: a plain decimal string, never an exponent."""
    return f"{amount:f}"
