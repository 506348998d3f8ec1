"""Amounts as people type them ("250,000", "250 000,00", "250.000,00", "1'250.50") read into the plain
decimal the engine accepts ("250000", "250000.00"), with this computer's decimal and group separators
deciding only what the text alone cannot. What stays ambiguous ("1.250" where "." is the decimal point:
1250 or 1.25?) is refused with one line, never guessed. The engine checks the result again (money.py)."""

from __future__ import annotations

import re

SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space: grouping only
QUOTES = "'\u2019"  # Swiss grouping
_SHAPE = re.compile(r"[0-9][0-9.,'\u2019 \u00a0\u202f]*")


class AmountUnclear(ValueError):
    """The text is not an amount, or could be read two ways: the message says which and how to write it."""


def _kind(char: str) -> str:
    return " " if char in SPACES else "'" if char in QUOTES else char


def _groups_ok(whole: str, group: str) -> bool:
    parts = whole.split(group)
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def read_amount(text: str, decimal: str, group: str) -> str:
    """`decimal` and `group` are the locale's separators (as QLocale gives them)."""
    shown = text.strip()
    if not shown:
        raise AmountUnclear("enter an amount")
    if shown.startswith("-"):
        raise AmountUnclear(f"amount {shown} must not be negative")
    if not _SHAPE.fullmatch(shown) or not shown[-1].isdigit():
        raise AmountUnclear(f"amount {shown} is not a number: use digits, with . or , for decimals")
    normal = "".join(_kind(c) for c in shown)  # every space and quote reads as one kind each
    seps = [c for c in normal if not c.isdigit()]
    if not seps:
        return normal
    last = seps[-1]
    before = seps[:-1]
    decimal_at: int | None = None
    if last in ".," and last not in before:
        after = len(normal) - normal.rindex(last) - 1
        if before or after != 3:
            decimal_at = normal.rindex(last)  # "250.000,00", "250 000,5", "1250.50"
        elif _kind(group) == last:
            decimal_at = None  # "250,000" where "," groups
        else:
            whole, _, fraction = shown.partition(last)
            small = f"{whole}.{fraction.rstrip('0')}".rstrip(".")
            raise AmountUnclear(f"amount {shown} could mean {whole}{fraction} or {small}: write it as {whole}{fraction}, "
                                f"or with two decimals")
    whole, fraction = (normal, "") if decimal_at is None else (normal[:decimal_at], normal[decimal_at + 1:])
    kinds = {c for c in whole if not c.isdigit()}
    if len(kinds) > 1:
        raise AmountUnclear(f"amount {shown} mixes separators: group the thousands one way only")
    if kinds and not _groups_ok(whole, kinds.pop()):
        raise AmountUnclear(f"amount {shown} is not grouped in thousands: write it without separators")
    digits = "".join(c for c in whole if c.isdigit())
    return f"{digits}.{fraction}" if fraction else digits
