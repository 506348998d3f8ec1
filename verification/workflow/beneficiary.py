"""The beneficiary of a request (who gets the money) as the workflow accepts it, and the red flags its
names raise.

IBAN and BIC are checked by schwifty (checksum, country, per-country format) and stored in their
compact form; names are NFKC-normalised; every other field is plain text without control characters.
A look-alike beneficiary or counterparty name (see names.py) is a red flag: the request records it,
`request show` lists it, and it answers the checklist item `new_beneficiary` with yes, so the policy
asks for what it asks of a new beneficiary (call-back, code, second approver by default). A name that
imitates another is how a known payee is swapped for a new one; it is treated as exactly that.
Every request kind names an account (the one paid, added or changed to), so each needs a valid IBAN.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from verification.errors import WorkflowRefused
from verification.workflow.names import lookalike_flag, normalise_name, refuse_controls

MAX_FIELDS = 20
MAX_VALUE = 200
NAME_FIELDS = ("name", "account_holder", "bank_name")
LOOKALIKE_ITEM = "new_beneficiary"  # the checklist item a look-alike name answers with yes
_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")


def _iban(value: str) -> str:
    try:
        return str(IBAN(value).compact)
    except SchwiftyException as error:
        raise WorkflowRefused(f"beneficiary iban {value!r} is not valid: {error}") from error


def _bic(value: str) -> str:
    try:
        return str(BIC(value).compact)
    except SchwiftyException as error:
        raise WorkflowRefused(f"beneficiary bic {value!r} is not valid: {error}") from error


def require_account(kind: str, raw: Mapping[str, Any]) -> None:
    """Refuse a request of `kind` whose beneficiary names no IBAN: the account is what a call-back confirms."""
    iban = raw.get("iban")
    if not isinstance(iban, str) or not iban.strip():
        raise WorkflowRefused(f"beneficiary iban is missing: a {kind.replace('_', ' ')} request needs the "
                              "beneficiary's IBAN")


def check_beneficiary(raw: Mapping[str, Any]) -> dict[str, str]:
    """Field names `a-z0-9_`, text values; iban/bic validated and compacted, names normalised."""
    if len(raw) > MAX_FIELDS:
        raise WorkflowRefused(f"beneficiary has {len(raw)} fields, at most {MAX_FIELDS}")
    clean: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise WorkflowRefused(f"beneficiary field {str(key)[:40]!r} must be lower-case letters, digits and _")
        if not isinstance(value, str):
            raise WorkflowRefused(f"beneficiary {key} must be text")
        if len(value) > MAX_VALUE:
            raise WorkflowRefused(f"beneficiary {key} is too long ({len(value)} characters, at most {MAX_VALUE})")
        refuse_controls(value, f"beneficiary {key}")
        if key == "iban":
            clean[key] = _iban(value)
        elif key == "bic":
            clean[key] = _bic(value)
        elif key in NAME_FIELDS:
            clean[key] = normalise_name(value, f"beneficiary {key}")
        else:
            clean[key] = value.strip()
    return clean


def name_red_flags(beneficiary: Mapping[str, Any], counterparty: str) -> list[str]:
    """One line per look-alike name among the beneficiary's names and the counterparty's."""
    flags = [lookalike_flag(str(beneficiary[key]), f"beneficiary {key}") for key in NAME_FIELDS
             if isinstance(beneficiary.get(key), str)]
    flags.append(lookalike_flag(counterparty, "counterparty"))
    return [flag for flag in flags if flag]


def flag_checklist(answers: Mapping[str, bool], flags: list[str]) -> dict[str, bool]:
    """The checklist with the look-alike item answered yes when there is any red flag."""
    return {**answers, LOOKALIKE_ITEM: True} if flags else dict(answers)
