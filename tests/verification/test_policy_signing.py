"""Signed, versioned policies on both databases: unsigned or tampered versions are refused and the
last valid one kept; weakening needs two different admins; admin grants need a second admin."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, update

from tests.verification.conftest import PASSWORD, World, signed_in
from verification.audit.keys import SigningKey
from verification.errors import AuthError, PolicyError
from verification.policy.active import load_active_policy
from verification.policy.changes import propose_policy, sign_policy
from verification.policy.default import default_policy
from verification.policy.parse import policy_document
from verification.store.tables import policies, policy_signatures
from verification.workflow import policy_keys, users
from verification.workflow.roles import Role, User


def _key(w: World, user: User) -> SigningKey:
    key = SigningKey.from_private(Ed25519PrivateKey.generate())
    policy_keys.register_admin_key(w.ctx, user, key.public_b64)
    return key


def _doc(**limits: Any) -> dict[str, Any]:
    doc = copy.deepcopy(policy_document(default_policy()))
    doc["name"] = f"org {limits}"
    doc["limits"].update(limits)
    return doc


def _second_admin(w: World) -> User:
    return w.admin2  # the set-up ceremony made two admins


def _active(w: World) -> Any:
    with w.database.reading() as connection:
        return load_active_policy(connection)


def test_built_in_default_until_a_signed_policy(world: World) -> None:
    active = _active(world)
    assert active.version == 0 and active.problems == []


def test_strengthening_activates_with_one_signature(world: World) -> None:
    key = _key(world, world.admin)
    change = propose_policy(world.ctx, world.admin, _doc(code_ttl_minutes=5), key)
    assert change.state == "active" and change.weakens == []
    assert _active(world).version == 1 and _active(world).policy.limits.code_ttl_minutes == 5


def test_weakening_needs_two_different_admins(world: World) -> None:
    w = world
    key = _key(w, w.admin)
    change = propose_policy(w.ctx, w.admin, _doc(code_ttl_minutes=30), key)
    assert change.state == "proposed" and change.needed == 2
    assert _active(w).version == 0
    with pytest.raises(PolicyError, match="already signed"):
        sign_policy(w.ctx, w.admin, change.version, key)
    bob = _second_admin(w)
    with pytest.raises(AuthError, match="not registered to you"):
        sign_policy(w.ctx, bob, change.version, key)  # borrowing ada's key
    change = sign_policy(w.ctx, bob, change.version, _key(w, bob))
    assert change.state == "active" and _active(w).policy.limits.code_ttl_minutes == 30


def test_non_admin_cannot_propose(world: World) -> None:
    key = SigningKey.from_private(Ed25519PrivateKey.generate())
    with pytest.raises(AuthError, match="admin role"):
        propose_policy(world.ctx, world.approver, _doc(code_ttl_minutes=5), key)


def test_tampered_policy_refused_and_last_valid_kept(world: World) -> None:
    w = world
    key = _key(w, w.admin)
    propose_policy(w.ctx, w.admin, _doc(code_ttl_minutes=5), key)
    propose_policy(w.ctx, w.admin, _doc(code_ttl_minutes=4), key)
    assert _active(w).version == 2
    with w.database.transaction() as connection:  # someone edits version 2 in the database
        doc = connection.execute(policies.select().where(policies.c.version == 2)).one().document
        connection.execute(update(policies).where(policies.c.version == 2)
                           .values(document=doc.replace('"code_ttl_minutes":4', '"code_ttl_minutes":60')))
    active = _active(w)
    assert active.version == 1 and active.policy.limits.code_ttl_minutes == 5
    assert any("version 2 refused" in p and "edited" in p for p in active.problems)


def test_unsigned_policy_refused(world: World) -> None:
    w = world
    key = _key(w, w.admin)
    propose_policy(w.ctx, w.admin, _doc(code_ttl_minutes=5), key)
    with w.database.transaction() as connection:
        connection.execute(delete(policy_signatures).where(policy_signatures.c.policy_version == 1))
    active = _active(w)
    assert active.version == 0 and any("no valid admin signature" in p for p in active.problems)


def test_weakening_forced_active_with_one_signature_is_refused(world: World) -> None:
    w = world
    key = _key(w, w.admin)
    change = propose_policy(w.ctx, w.admin, _doc(code_ttl_minutes=30), key)
    with w.database.transaction() as connection:  # bypass the engine: mark it active directly
        connection.execute(update(policies).where(policies.c.version == change.version).values(state="active"))
    active = _active(w)
    assert active.version == 0 and any("only one admin signed" in p for p in active.problems)


def test_rollback_by_withdrawing_newest_version_is_reported(world: World) -> None:
    w = world
    key = _key(w, w.admin)
    propose_policy(w.ctx, w.admin, _doc(code_ttl_minutes=5), key)
    propose_policy(w.ctx, w.admin, _doc(code_ttl_minutes=4), key)
    with w.database.transaction() as connection:
        connection.execute(update(policies).where(policies.c.version == 2).values(state="withdrawn"))
    active = _active(w)
    assert active.version == 1 and any("version 2 was activated" in p for p in active.problems)


def test_policy_in_force_drives_new_requests(world: World) -> None:
    w = world
    doc = _doc()
    doc["amount_tiers"]["EUR"][1]["at_least"] = "1000"  # stricter: call-back from 1000 EUR
    propose_policy(w.ctx, w.admin, doc, _key(w, w.admin))
    from tests.verification.conftest import ALL_NO
    from verification.workflow import lifecycle

    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "2000", "EUR", w.counterparty, {"iban": "GB33BUKB20201555555555"},
                                       call={"session": "c", "verdict": {"level": "low", "risk": 0.1, "reasons": []},
                                             "models": []}, checklist=ALL_NO)
    assert request.policy_version == 1 and request.requirements is not None
    assert request.requirements.steps.callback and request.amount == Decimal("2000")


def test_admin_grant_needs_a_second_admin_once_two_exist(world: World) -> None:
    w = world
    bob = _second_admin(w)
    mallory = users.add_user(w.ctx, w.admin, "mallory", [Role.ADMIN], PASSWORD)
    assert Role.ADMIN not in mallory.roles and mallory.pending_admin_by == w.admin.id
    with pytest.raises(AuthError, match="different admin"):
        users.confirm_admin(w.ctx, w.admin, "mallory")
    mallory = signed_in(w.ctx, "mallory")
    with pytest.raises(AuthError, match="admin role"):
        policy_keys.register_admin_key(w.ctx, mallory, SigningKey.from_private(Ed25519PrivateKey.generate()).public_b64)
    assert Role.ADMIN in users.confirm_admin(w.ctx, bob, "mallory").roles
