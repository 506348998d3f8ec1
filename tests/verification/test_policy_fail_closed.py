"""A policy tampered with in the database stops submissions and releases (fail closed) on both
databases, instead of putting an older version or the weaker built-in default in force."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, delete, func, select, update

from tests.verification.conftest import ALL_NO, PASSWORD, World
from verification.audit.keys import SigningKey
from verification.trust.installations import installation_keys
from verification.audit.verify import verify_database_chain
from verification.cli import main
from verification.errors import PolicyError
from verification.policy.changes import propose_policy, sign_policy
from verification.policy.default import default_policy
from verification.policy.in_force import policy_in_force
from verification.policy.parse import policy_document
from verification.store.tables import policies, policy_signatures, requests
from verification.workflow import confirmations, lifecycle, policy_keys
from verification.workflow.request import ActionRequest
from verification.workflow.roles import Role
from verification.workflow.states import State

LOW = {"session": "c", "verdict": {"risk": 0.1, "level": "low", "reasons": []}, "models": []}


def _key(w: World) -> SigningKey:
    key = SigningKey.from_private(Ed25519PrivateKey.generate())
    policy_keys.register_admin_key(w.ctx, w.admin, key.public_b64)
    return key


def _doc(**limits: Any) -> dict[str, Any]:
    doc = copy.deepcopy(policy_document(default_policy()))
    doc["name"] = f"org {limits}"
    doc["limits"].update(limits)
    return doc


def _two_versions(w: World) -> SigningKey:
    key = _key(w)
    propose_policy(w.ctx, w.admin, _doc(code_ttl_minutes=5), key)
    propose_policy(w.ctx, w.admin, _doc(code_ttl_minutes=4), key)
    return key


def _create(w: World) -> ActionRequest:
    return lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty, {"iban": "GB33BUKB20201555555555"},
                                    call=LOW, checklist=ALL_NO)


def _approved(w: World) -> ActionRequest:
    request = _create(w)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    return confirmations.approve(w.ctx, w.approver, request.id)


def _edit_document(connection: Connection) -> None:
    doc = connection.execute(select(policies.c.document).where(policies.c.version == 2)).scalar_one()
    connection.execute(update(policies).where(policies.c.version == 2)
                       .values(document=doc.replace('"code_ttl_minutes":4', '"code_ttl_minutes":60')))


def _edit_signature(connection: Connection) -> None:
    signature = connection.execute(select(policy_signatures.c.signature)
                                   .where(policy_signatures.c.policy_version == 2)).scalar_one()
    forged = ("A" if signature[0] != "A" else "B") + signature[1:]
    connection.execute(update(policy_signatures).where(policy_signatures.c.policy_version == 2)
                       .values(signature=forged))


def _withdraw(connection: Connection) -> None:
    connection.execute(update(policies).where(policies.c.version == 2).values(state="withdrawn"))


def _delete(connection: Connection) -> None:
    connection.execute(delete(policy_signatures).where(policy_signatures.c.policy_version == 2))
    connection.execute(delete(policies).where(policies.c.version == 2))


TAMPERING: dict[str, tuple[Callable[[Connection], None], str]] = {
    "edited document": (_edit_document, "policy version 2 does not verify: document does not match"),
    "edited signature": (_edit_signature, "policy version 2 does not verify: no valid admin signature"),
    "withdrawn flag": (_withdraw, "policy version 2 was activated but is now marked 'withdrawn'"),
    "deleted version": (_delete, "policy version 2 was activated but is missing"),
}


def _requests(w: World) -> int:
    with w.database.reading() as connection:
        return int(connection.execute(select(func.count()).select_from(requests)).scalar_one())


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_tampered_newest_policy_stops_submissions_and_releases(world: World, tampering: str) -> None:
    w = world
    _two_versions(w)
    approved = _approved(w)
    tamper, message = TAMPERING[tampering]
    with w.database.transaction() as connection:
        tamper(connection)
    made = _requests(w)
    with pytest.raises(PolicyError, match=message) as refused:
        _create(w)
    assert "\n" not in str(refused.value) and "submissions and releases are refused" in str(refused.value)
    assert _requests(w) == made  # the request was not even created
    with pytest.raises(PolicyError, match=message):
        lifecycle.release(w.ctx, w.requester, approved.id)
    with w.database.reading() as connection:
        state = connection.execute(select(requests.c.state).where(requests.c.id == approved.id)).scalar_one()
        assert verify_database_chain(connection, installation_keys(connection, world.ctx.pins)).ok
    assert state == State.APPROVED.value


def test_version_marked_active_outside_the_engine_is_refused(world: World) -> None:
    """A weakening proposed with one signature, then forced to `active` in the database: neither it nor
    the built-in default is used."""
    w = world
    propose_policy(w.ctx, w.admin, _doc(code_ttl_minutes=30), _key(w))  # weakens: waits for a second admin
    _create(w)  # nothing activated yet: the built-in default applies
    with w.database.transaction() as connection:
        connection.execute(update(policies).where(policies.c.version == 1).values(state="active"))
    with pytest.raises(PolicyError, match="policy version 1 is marked active but the audit log never recorded"):
        _create(w)


def test_untouched_policies_keep_working_and_two_admins_recover(world: World) -> None:
    w = world
    key = _two_versions(w)
    with w.database.reading() as connection:
        assert policy_in_force(connection).version == 2
    assert _create(w).policy_version == 2
    with w.database.transaction() as connection:
        _withdraw(connection)
    with pytest.raises(PolicyError):
        _create(w)
    # Compared with the older version 1 it weakens nothing, but it replaces a policy that does not
    # verify: one admin (plus whoever edits the database) must not be able to activate it alone.
    doc = _doc(code_ttl_minutes=5)
    doc["name"] = "org, recovered"
    change = propose_policy(w.ctx, w.admin, doc, key)
    assert change.state == "proposed" and change.needed == 2
    assert "replaces a policy that does not verify (policy version 2 was activated" in change.weakens[0]
    with pytest.raises(PolicyError):
        _create(w)
    bob = w.admin2
    bob_key = SigningKey.from_private(Ed25519PrivateKey.generate())
    policy_keys.register_admin_key(w.ctx, bob, bob_key.public_b64)
    assert sign_policy(w.ctx, bob, change.version, bob_key).state == "active"  # two admins recover
    assert _create(w).policy_version == 3
    assert lifecycle.release(w.ctx, w.requester, _approved(w).id).state == State.RELEASED


def test_built_in_default_while_nothing_was_ever_activated(world: World) -> None:
    with world.database.reading() as connection:
        assert policy_in_force(connection).version == 0
    assert _create(world).policy_version == 0


def test_policy_show_exits_non_zero_when_not_in_force(world: World, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    _two_versions(w)
    base = ["--db", w.database.url.render_as_string(hide_password=False), "--data-dir", str(w.data_dir)]
    monkeypatch.setenv("CALLSHIELD_USER", "ada")
    monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD)
    assert main(["policy", "show", *base]) == 0
    capsys.readouterr()
    with w.database.transaction() as connection:
        _withdraw(connection)
    code = main(["policy", "show", *base])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("callshield: policy NOT in force: policy version 2 was activated but is now marked")


def test_cli_submission_refused_in_one_line(world: World, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    _two_versions(w)
    with w.database.transaction() as connection:
        _edit_document(connection)
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD)
    checks = [f"--check={k}=no" for k in ALL_NO]
    code = main(["request", "create", "--db", w.database.url.render_as_string(hide_password=False),
                 "--data-dir", str(w.data_dir), "--amount", "25000", "--currency", "EUR", "--counterparty",
                 w.counterparty, "--beneficiary", "iban=GB33BUKB20201555555555", *checks])
    err = capsys.readouterr().err
    assert code != 0 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "policy version 2 does not verify: document does not match" in err
