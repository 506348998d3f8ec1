"""From a policy and a request's facts to the steps it requires, with the rule behind each addition."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from verification.policy.schema import CHECKLIST_ITEMS, VERDICT_LEVELS, Policy
from verification.policy.steps import Steps


@dataclass(frozen=True)
class Facts:
    kind: str
    amount: Decimal
    currency: str
    new_counterparty: bool
    checklist: Mapping[str, bool] = field(default_factory=dict)
    verdict_level: str = "no_call"


ALL_OTHERS_ONLY = frozenset({"approval", "callback", "code", "totp", "phrase"})


@dataclass(frozen=True)
class Requirements:
    steps: Steps
    reasons: list[str]
    limits: dict[str, int]
    others_only: frozenset[str] = ALL_OTHERS_ONLY  # step kinds the requester may not perform

    def as_dict(self) -> dict[str, Any]:
        return {"steps": self.steps.model_dump(), "reasons": list(self.reasons), "limits": dict(self.limits),
                "others_only": sorted(self.others_only)}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Requirements":
        others = raw.get("others_only")  # absent in older records: the strictest reading
        return cls(Steps.model_validate(raw["steps"]), list(raw["reasons"]), dict(raw["limits"]),
                   ALL_OTHERS_ONLY if others is None else frozenset(str(k) for k in others) | {"approval"})


def tier_steps(policy: Policy, currency: str, amount: Decimal) -> tuple[Steps, str]:
    tiers = policy.amount_tiers.get(currency)
    if tiers is None:
        return policy.unlisted_currency, f"{currency} has no amount tiers"
    reached = [tier for tier in tiers if amount >= tier.at_least]
    if not reached:
        return Steps(), f"below the lowest {currency} tier"
    return reached[-1].steps, f"{currency} amount at least {reached[-1].at_least}"


def evaluate(policy: Policy, facts: Facts) -> Requirements:
    level = facts.verdict_level if facts.verdict_level in VERDICT_LEVELS else "unknown"  # unknown word: fail closed
    contributions: list[tuple[str, Steps]] = [(f"action {facts.kind}", getattr(policy.actions, facts.kind))]
    if facts.kind == "transfer" or facts.amount > 0:
        steps, why = tier_steps(policy, facts.currency, facts.amount)
        contributions.append((why, steps))
    if facts.new_counterparty:
        contributions.append(("new counterparty", policy.new_counterparty))
    for item in CHECKLIST_ITEMS:
        if facts.checklist.get(item):
            contributions.append((f"checklist: {item.replace('_', ' ')}", getattr(policy.checklist, item)))
    # A verdict only adds: what a request with no judged call needs is the floor for every level.
    verdict_why = "no analysed call linked" if level == "no_call" else f"call verdict {level}"
    contributions.append((verdict_why if level == "no_call" else "as for no judged call", policy.verdict.no_call))
    if level != "no_call":
        contributions.append((verdict_why, getattr(policy.verdict, level)))
    total = Steps()
    reasons = []
    for why, steps in contributions:
        if steps != Steps() or why == verdict_why:  # every rule that applied, and always the verdict
            reasons.append(f"{why}: {steps.summary()}")
        total = total.merge(steps)
    return Requirements(total, reasons, policy.limits.model_dump(), policy.duties.others_only())


def raise_requirements(current: Requirements, more: Requirements) -> Requirements:
    """Requirements of a held request only ever go up (a later checklist answer cannot lower them)."""
    merged = current.steps.merge(more.steps)
    reasons = current.reasons + [r for r in more.reasons if r not in current.reasons]
    return Requirements(merged, reasons, current.limits, current.others_only | more.others_only)
