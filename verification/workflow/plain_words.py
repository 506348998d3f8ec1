"""The words the app and the evidence pack use for steps, rules and risk, so a clerk on screen and an
auditor reading a pack see the same names, never internal ones like `one_time_code`."""

from __future__ import annotations

import re
from typing import Any

from verification.fusion.reasons import plain_name

#: required steps (the policy's Steps fields, plus approvals and the hold)
STEP_WORDS = {"checklist": "Red-flag checklist answered", "callback": "Call-back on the directory number",
              "one_time_code": "One-time code read back", "code_phrase": "Code phrase said",
              "approval": "Approval by a second person", "hold": "Cooling-off hold"}
#: recorded step kinds (statements and audit records)
STEP_KIND_WORDS = {"callback": "Call-back", "code": "One-time code", "totp": "Authenticator code (TOTP)",
                   "phrase": "Code phrase", "approval": "Approval", "rejection": "Rejection"}
KIND_WORDS = {"transfer": "Transfer", "new_beneficiary": "New beneficiary", "bank_detail_change": "Bank-detail change"}
LEVEL_WORDS = {"low": "low risk", "elevated": "elevated risk", "high": "high risk", "unknown": "could not be judged",
               "no_call": "no call linked"}
CHECKLIST_QUESTIONS = {
    "urgency": "The caller pressed for urgency",
    "secrecy": "The caller asked for secrecy",
    "new_beneficiary": "The beneficiary is new",
    "changed_bank_details": "The bank details changed",
    "unusual_channel": "The request came by an unusual channel",
    "callback_refused": "The caller refused or discouraged a call-back",
}
BENEFICIARY_WORDS = {"iban": "IBAN", "bic": "BIC", "name": "name", "account_holder": "account holder",
                     "bank_name": "bank"}
#: what a request's audit record did (verification/workflow/transitions.py: "request.<action>", "step.<kind>")
ACTION_WORDS = {"created": "Created", "submit": "Submitted and held for its steps", "reopen": "Reopened",
                "reject": "Rejected", "cancel": "Cancelled", "release": "Released", "complete": "All steps done",
                "approve": "Approved", "expire": "Expired", "checklist_answered": "Checklist answered",
                "code_issued": "One-time code issued", "callback_number_refused": "Call-back number refused"}
_DETECTOR_SCORE = re.compile(r"([a-z_]+): ([0-9]*\.?[0-9]+)")


def words(name: str) -> str:
    """An internal name read aloud: `bank_detail_change` -> `bank detail change`."""
    return name.replace("_", " ")


def history_words(action: str) -> str:
    """An audit action ("request.submit", "step.callback") as what happened."""
    area, _, name = action.partition(".")
    if area == "step":
        return f"Step recorded: {STEP_KIND_WORDS.get(name, words(name))}"
    return ACTION_WORDS.get(name, words(name).capitalize()) if area == "request" else words(action)


def verdict_reason_words(reason: str) -> str:
    """A call verdict's reason ("voice_synthetic: 0.93") as the app says it ("Synthetic voice: 93 of 100")."""
    match = _DETECTOR_SCORE.fullmatch(reason.strip())
    if match is None:
        return words(reason)
    return f"{plain_name(match.group(1))}: {risk_words(float(match.group(2)))}"


def what_words(view: Any) -> str:
    """What a request is about, short: "25000.00 EUR" for a transfer, "New beneficiary" otherwise (their
    amount is zero unless one was given)."""
    money = f"{view['amount']} {view['currency']}"
    if view.get("kind", "transfer") == "transfer":
        return money
    kind = KIND_WORDS.get(str(view["kind"]), words(str(view["kind"])))
    return kind if str(view["amount"]).strip("0.") == "" else f"{kind}, {money}"


def risk_words(risk: Any) -> str:
    """A risk score in 0..1 as the app shows it: "91 of 100"."""
    return f"{float(risk) * 100:.0f} of 100" if isinstance(risk, (int, float)) else "not scored"


def plain_reason(why: str) -> str:
    """One rule the engine applied ("EUR amount at least 100000") in plain words."""
    if why.startswith("action "):
        return "every " + KIND_WORDS.get(why[len("action "):], words(why[len("action "):])).lower() + " request"
    if " amount at least " in why:
        currency, _, at_least = why.partition(" amount at least ")
        try:
            at_least = f"{int(float(at_least)):,}"
        except ValueError:
            pass
        return f"the amount is {at_least} {currency} or more"
    if why.endswith(" has no amount tiers"):
        return f"no amount rules are set for {why.split(' ')[0]}"
    if why.startswith("below the lowest "):
        return "the amount is below every amount rule"
    if why == "new counterparty":
        return "the counterparty is new in the directory"
    if why.startswith("checklist: "):
        return "checklist: " + why[len("checklist: "):]
    if why == "no analysed call linked":
        return "no analysed call is linked"
    if why == "as for no judged call":
        return "the minimum for every request"
    if why.startswith("call verdict "):
        level = why[len("call verdict "):]
        return f"the call was judged {LEVEL_WORDS.get(level, words(level))}"
    return words(why)


def reasons_by_step(reasons: list[str]) -> dict[str, list[str]]:
    """Which rules asked for which step: a reason reads "<rule>: callback, one_time_code, 1 approval(s)"."""
    out: dict[str, list[str]] = {}
    for reason in reasons:
        rule, _, asked = reason.rpartition(": ")
        for token in asked.split(", "):
            step = ("approval" if token.endswith("approval(s)") else "hold" if token.startswith("hold ")
                    else token)
            if step in STEP_WORDS:
                out.setdefault(step, []).append(plain_reason(rule))
    return out
