"""Policy schema, default, migrations, evaluation and weakening detection (no database)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from verification.errors import PolicyError
from verification.policy.default import default_policy
from verification.policy.evaluate import Facts, evaluate
from verification.policy.parse import policy_document, policy_from_document
from verification.policy.schema import Policy
from verification.policy.steps import Steps
from verification.policy.weakening import weakenings


def _doc() -> dict[str, Any]:
    return copy.deepcopy(policy_document(default_policy()))


def test_default_policy_is_valid_and_every_field_documented() -> None:
    assert policy_from_document(_doc()) == default_policy()

    def walk(model: type) -> None:
        for name, info in model.model_fields.items():
            assert info.title and info.description, f"{model.__name__}.{name} lacks a title or description"
            annotation = info.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                walk(annotation)

    walk(Policy)
    walk(Steps)


@pytest.mark.parametrize(("kind", "amount", "currency", "expect"), [
    ("transfer", "500", "EUR", Steps(callback=True, approvals=1, checklist=True)),  # the no-call floor
    ("transfer", "25000", "EUR", Steps(callback=True, approvals=1, checklist=True)),
    ("transfer", "250000", "USD", Steps(callback=True, one_time_code=True, approvals=1, checklist=True, hold_minutes=60)),
    ("transfer", "9000000", "HKD", Steps(callback=True, one_time_code=True, approvals=2, checklist=True,
                                         hold_minutes=240)),
    ("transfer", "100", "SEK", Steps(callback=True, one_time_code=True, approvals=1, checklist=True)),
])
def test_amount_tiers_per_currency(kind: str, amount: str, currency: str, expect: Steps) -> None:
    reqs = evaluate(default_policy(), Facts(kind, Decimal(amount), currency, False, {}, "low"))
    assert reqs.steps == expect


def test_new_beneficiary_and_bank_change_always_need_callback_and_second_approver() -> None:
    for kind in ("new_beneficiary", "bank_detail_change"):
        steps = evaluate(default_policy(), Facts(kind, Decimal(0), "EUR", False, {}, "low")).steps
        assert steps.callback and steps.approvals >= 1
    doc = _doc()
    doc["actions"]["new_beneficiary"]["approvals"] = 0
    with pytest.raises(PolicyError, match="actions"):
        policy_from_document(doc)


def test_verdict_raises_requirements_and_unknown_is_full_procedure() -> None:
    policy = default_policy()
    low = evaluate(policy, Facts("transfer", Decimal(100), "EUR", False, {}, "low")).steps
    unknown = evaluate(policy, Facts("transfer", Decimal(100), "EUR", False, {}, "unknown")).steps
    high = evaluate(policy, Facts("transfer", Decimal(100), "EUR", False, {}, "high")).steps
    odd = evaluate(policy, Facts("transfer", Decimal(100), "EUR", False, {}, "made-up")).steps
    no_call = evaluate(policy, Facts("transfer", Decimal(100), "EUR", False, {}, "no_call")).steps
    assert low == no_call  # a low verdict removes nothing a request with no judged call needs
    assert unknown.covers(policy.full_procedure) and odd == unknown
    assert high.covers(policy.full_procedure) and high.code_phrase and high.hold_minutes >= 1440


def test_validation_errors_name_the_field() -> None:
    doc = _doc()
    doc["limits"]["code_ttl_minutes"] = 0
    with pytest.raises(PolicyError, match=r"policy field limits\.code_ttl_minutes"):
        policy_from_document(doc)
    doc = _doc()
    doc["verdict"]["unknown"]["approvals"] = 0
    with pytest.raises(PolicyError, match="verdict.unknown must cover full_procedure"):
        policy_from_document(doc)
    doc = _doc()
    doc["surprise"] = 1
    with pytest.raises(PolicyError, match="surprise"):
        policy_from_document(doc)
    with pytest.raises(PolicyError, match="schema_version"):
        policy_from_document({**_doc(), "schema_version": 99})


def test_schema_version_1_is_migrated() -> None:
    doc = _doc()
    v1 = {k: v for k, v in doc.items() if k not in ("amount_tiers",)}
    v1["schema_version"] = 1
    v1["currency"] = "EUR"
    v1["tiers"] = doc["amount_tiers"]["EUR"]
    del v1["verdict"]["no_call"]
    policy = policy_from_document(v1)
    assert list(policy.amount_tiers) == ["EUR"]
    assert policy.verdict.no_call == policy.verdict.unknown  # fail closed


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["amount_tiers"]["EUR"][1].update(at_least="20000"), "amount_tiers.EUR[>=10000]"),
    (lambda d: d["amount_tiers"].pop("USD"), "amount_tiers.USD"),
    (lambda d: d["limits"].update(code_ttl_minutes=30), "limits.code_ttl_minutes"),
    (lambda d: d["actions"]["bank_detail_change"].update(hold_minutes=60), "actions.bank_detail_change.hold_minutes"),
    (lambda d: d["verdict"]["elevated"].update(one_time_code=False), "verdict.elevated.one_time_code"),
    (lambda d: d["limits"].update(new_counterparty_days=10), "limits.new_counterparty_days"),
])
def test_weakenings_are_found(edit: Any, expected: str) -> None:
    doc = _doc()
    edit(doc)
    found = weakenings(default_policy(), policy_from_document(doc))
    assert any(w.startswith(expected) for w in found), found


def test_strengthening_is_not_a_weakening() -> None:
    doc = _doc()
    doc["amount_tiers"]["EUR"][1]["at_least"] = "5000"
    doc["limits"]["code_ttl_minutes"] = 5
    doc["verdict"]["low"]["callback"] = True
    assert weakenings(default_policy(), policy_from_document(doc)) == []
