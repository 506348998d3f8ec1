"""The policy CallShield ships: used until admins activate a signed one, and the baseline the first
signed policy is compared against (so weakening the default also needs two admins)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from verification.policy.schema import SCHEMA_VERSION, Policy
from verification.policy.steps import FULL, Steps

NONE = Steps()
CALLBACK_AND_SECOND = Steps(callback=True, approvals=1)
CONFIRMED = Steps(callback=True, one_time_code=True, approvals=1)

# Per currency, the amounts (major units) where the procedure steps up; roughly equal in value.
TIER_AMOUNTS: dict[str, tuple[int, int, int]] = {
    "EUR": (10_000, 100_000, 1_000_000), "USD": (10_000, 100_000, 1_000_000),
    "GBP": (10_000, 100_000, 1_000_000), "CHF": (10_000, 100_000, 1_000_000),
    "HKD": (80_000, 800_000, 8_000_000), "JPY": (1_500_000, 15_000_000, 150_000_000),
}


def _tiers(amounts: tuple[int, int, int]) -> list[dict[str, Any]]:
    steps = (Steps(checklist=True), CALLBACK_AND_SECOND.merge(Steps(checklist=True)),
             CONFIRMED.merge(Steps(checklist=True, hold_minutes=60)),
             CONFIRMED.merge(Steps(checklist=True, approvals=2, hold_minutes=240)))
    bounds = (Decimal(0), *(Decimal(a) for a in amounts))
    return [{"at_least": bound, "steps": step} for bound, step in zip(bounds, steps)]


def default_policy() -> Policy:
    return Policy.model_validate({
        "schema_version": SCHEMA_VERSION,
        "name": "CallShield default",
        "actions": {
            "transfer": Steps(checklist=True),
            "new_beneficiary": CONFIRMED.merge(Steps(checklist=True, hold_minutes=60)),
            "bank_detail_change": CONFIRMED.merge(Steps(checklist=True, hold_minutes=1440)),
        },
        "amount_tiers": {currency: _tiers(amounts) for currency, amounts in TIER_AMOUNTS.items()},
        "unlisted_currency": CONFIRMED,
        "new_counterparty": CALLBACK_AND_SECOND,
        "checklist": {
            "urgency": CALLBACK_AND_SECOND,
            "secrecy": CONFIRMED,
            "new_beneficiary": CONFIRMED,
            "changed_bank_details": CONFIRMED.merge(Steps(hold_minutes=1440)),
            "unusual_channel": CALLBACK_AND_SECOND,
            "callback_refused": FULL,
        },
        "verdict": {
            "low": NONE,
            "elevated": CONFIRMED,
            "high": FULL.merge(Steps(code_phrase=True, hold_minutes=1440)),
            "unknown": FULL,
            "no_call": CALLBACK_AND_SECOND,
        },
        "full_procedure": FULL,
    })
