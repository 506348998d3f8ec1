"""Does a new policy require less than the one it replaces, anywhere? Then two admins must sign.

Amount tiers are compared by what they require at every tier boundary of either policy (a raised
threshold or a removed tier is caught), and a currency dropped from the tiers by what the
unlisted-currency rule would then require.
"""

from __future__ import annotations

from decimal import Decimal

from verification.policy.evaluate import tier_steps
from verification.policy.schema import ACTION_KINDS, CHECKLIST_ITEMS, VERDICT_LEVELS, Policy

# Larger is looser for these limits; for new_counterparty_days smaller is looser.
LOOSER_WHEN_LARGER = ("code_ttl_minutes", "code_max_failures", "request_ttl_hours", "step_valid_minutes")


def _steps_changes(path: str, old: object, new: object) -> list[str]:
    return [f"{path}.{change}" for change in new.relaxed_from(old)]  # type: ignore[attr-defined]


def weakenings(old: Policy, new: Policy) -> list[str]:
    """Every way `new` requires less than `old`, as readable 'path: old -> new' lines."""
    found: list[str] = []
    for kind in ACTION_KINDS:
        found += _steps_changes(f"actions.{kind}", getattr(old.actions, kind), getattr(new.actions, kind))
    for item in CHECKLIST_ITEMS:
        found += _steps_changes(f"checklist.{item}", getattr(old.checklist, item), getattr(new.checklist, item))
    for level in VERDICT_LEVELS:
        found += _steps_changes(f"verdict.{level}", getattr(old.verdict, level), getattr(new.verdict, level))
    for name in ("unlisted_currency", "new_counterparty", "full_procedure"):
        found += _steps_changes(name, getattr(old, name), getattr(new, name))
    for currency in sorted(set(old.amount_tiers) | set(new.amount_tiers)):
        bounds = {Decimal(0)}
        for policy in (old, new):
            bounds |= {tier.at_least for tier in policy.amount_tiers.get(currency, [])}
        for bound in sorted(bounds):
            before, _ = tier_steps(old, currency, bound)
            after, _ = tier_steps(new, currency, bound)
            found += _steps_changes(f"amount_tiers.{currency}[>={bound}]", before, after)
    old_limits, new_limits = old.limits, new.limits
    for name in LOOSER_WHEN_LARGER:
        if getattr(new_limits, name) > getattr(old_limits, name):
            found.append(f"limits.{name}: {getattr(old_limits, name)} -> {getattr(new_limits, name)}")
    if new_limits.new_counterparty_days < old_limits.new_counterparty_days:
        found.append(f"limits.new_counterparty_days: {old_limits.new_counterparty_days} -> "
                     f"{new_limits.new_counterparty_days}")
    for name, was in old.duties.model_dump().items():
        if was and not getattr(new.duties, name):
            found.append(f"duties.{name}: True -> False")
    return found
