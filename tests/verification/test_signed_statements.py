"""Attacks on release through the database and the roles, each written before its fix: a release rests on
signed statements by the right people over the request's content, never on rows anyone can edit.
Every test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, update

from tests.verification.conftest import ALL_NO, PASSWORD, World, add_person, signed_in
from verification.audit.keys import SigningKey
from verification.errors import AuthError, WorkflowRefused
from verification.store.tables import requests, statements, steps, trust_records, users as users_table
from verification.trust.records import roles_body
from verification.trust.root import PIN_FILE
from verification.trust.statements import make_statement
from verification.trust.store import append_record
from verification.workflow import confirmations, lifecycle, policy_keys, users
from verification.workflow.evidence import current_content
from verification.workflow.request import ActionRequest, load_request
from verification.workflow.roles import Role
from verification.workflow.states import State

IBAN = "GB33BUKB20201555555555"
LOW = {"session": "c", "report_sha256": "ab" * 32, "verdict": {"level": "low", "risk": 0.1, "reasons": []},
       "models": []}


def _approved(w: World, amount: str = "9000") -> ActionRequest:
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", amount, "EUR", w.counterparty,
                                       {"iban": IBAN}, call=LOW, checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J. Smith",
                                  ["identity", "request", "amount", "beneficiary"])
    approved = confirmations.approve(w.ctx, w.approver2, request.id)
    assert approved.state == State.APPROVED
    return approved


def _edit(w: World, request_id: int, **values: Any) -> None:
    with w.database.transaction() as connection:  # a database writer, bypassing the engine
        connection.execute(update(requests).where(requests.c.id == request_id).values(**values))


def test_amount_and_beneficiary_edited_after_approval_is_refused(world: World) -> None:
    w = world
    request = _approved(w)
    _edit(w, request.id, amount="900000", beneficiary=json.dumps({"iban": "DE89370400440532013000"}))
    w.clock.advance(minutes=61)
    with pytest.raises(WorkflowRefused, match=r"different request content: amount, beneficiary changed"):
        lifecycle.release(w.ctx, w.requester, request.id)
    _edit(w, request.id, amount=str(request.amount), beneficiary=json.dumps(request.beneficiary, sort_keys=True))
    assert lifecycle.release(w.ctx, w.requester, request.id).state == State.RELEASED  # the signed content again


def test_policy_version_or_verdict_swapped_in_the_row_is_refused(world: World) -> None:
    w = world
    request = _approved(w)
    _edit(w, request.id, policy_version=7)
    with pytest.raises(WorkflowRefused, match="policy_version changed"):
        lifecycle.release(w.ctx, w.requester, request.id)
    _edit(w, request.id, policy_version=request.policy_version,
          call=json.dumps({**LOW, "report_sha256": "cd" * 32}, sort_keys=True))
    with pytest.raises(WorkflowRefused, match="verdict_sha256 changed"):
        lifecycle.release(w.ctx, w.requester, request.id)


def test_step_rows_inserted_by_hand_count_for_nothing(world: World) -> None:
    w = world
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "9000", "EUR", w.counterparty,
                                       {"iban": IBAN}, call=LOW, checklist=ALL_NO)
    with w.database.transaction() as connection:
        for kind, actor in (("callback", w.approver.id), ("approval", w.approver2.id)):
            connection.execute(insert(steps).values(request_id=request.id, kind=kind, outcome="ok", actor_id=actor,
                                                    at="2025-09-19T09:00:00.000000Z", details="{}"))
        connection.execute(update(requests).where(requests.c.id == request.id).values(state="approved"))
    with pytest.raises(WorkflowRefused, match="missing call-back"):
        lifecycle.release(w.ctx, w.requester, request.id)


def test_statement_forged_with_a_fresh_key_is_refused(world: World) -> None:
    w = world
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "9000", "EUR", w.counterparty,
                                       {"iban": IBAN}, call=LOW, checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    forger = SigningKey.from_private(Ed25519PrivateKey.generate())
    with w.database.transaction() as connection:
        row = load_request(connection, request.id)
        body, signature = make_statement(forger, request.id, "approval", w.approver2.id, "bea",
                                         current_content(connection, row), "ok", {}, "2025-09-19T09:00:00.000000Z")
        connection.execute(insert(statements).values(request_id=request.id, kind="approval", user_id=w.approver2.id,
                                                     key_id=forger.key_id, body=body, signature=signature))
    with pytest.raises(WorkflowRefused, match="not registered to its author"):
        lifecycle.release(w.ctx, w.requester, request.id)


def test_edited_requirements_and_hold_in_the_row_do_not_lower_what_is_required(world: World) -> None:
    w = world
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "250000", "EUR", w.counterparty,
                                       {"iban": IBAN}, call=LOW, checklist=ALL_NO)
    none = {"steps": {"callback": False, "one_time_code": False, "code_phrase": False, "approvals": 0,
                      "checklist": False, "hold_minutes": 0}, "reasons": [], "limits": request.requirements.limits}
    _edit(w, request.id, requirements=json.dumps(none), held_until="2000-01-01T00:00:00.000000Z")
    with pytest.raises(WorkflowRefused, match="missing call-back"):
        lifecycle.release(w.ctx, w.requester, request.id)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    code = confirmations.issue_code(w.ctx, w.approver, request.id)
    confirmations.verify_code(w.ctx, w.approver, request.id, code)
    confirmations.approve(w.ctx, w.approver2, request.id)
    with pytest.raises(WorkflowRefused, match="cooling-off hold"):  # from the signed submission time
        lifecycle.release(w.ctx, w.requester, request.id)


def test_requester_does_not_do_the_callback_or_see_the_code(world: World) -> None:
    w = world
    both = add_person(w.ctx, w.admin, w.admin2, "sam", [Role.REQUESTER, Role.APPROVER])
    request = lifecycle.create_request(w.ctx, both, "transfer", "250000", "EUR", w.counterparty, {"iban": IBAN},
                                       call=LOW, checklist=ALL_NO)
    with pytest.raises(WorkflowRefused, match="segregation of duties"):
        confirmations.record_callback(w.ctx, both, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    with pytest.raises(WorkflowRefused, match="segregation of duties"):
        confirmations.issue_code(w.ctx, both, request.id)


def test_roles_written_into_the_users_table_grant_nothing(world: World) -> None:
    w = world
    with w.database.transaction() as connection:
        connection.execute(update(users_table).where(users_table.c.name == "rita").values(roles="approver,requester"))
    other = lifecycle.create_request(w.ctx, w.approver, "transfer", "9000", "EUR", w.counterparty, {"iban": IBAN},
                                     call=LOW, checklist=ALL_NO) if Role.REQUESTER in w.approver.roles else None
    assert other is None  # alan is no requester; make a request as someone who is
    request = lifecycle.create_request(w.ctx, add_person(w.ctx, w.admin, w.admin2, "ria", [Role.REQUESTER]),
                                       "transfer", "9000", "EUR", w.counterparty, {"iban": IBAN}, call=LOW,
                                       checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    rita = signed_in(w.ctx, "rita")
    with pytest.raises(WorkflowRefused, match="no approver role granted by two admins"):
        confirmations.approve(w.ctx, rita, request.id)


def test_role_record_signed_by_a_stranger_grants_nothing(world: World) -> None:
    w = world
    stranger = SigningKey.from_private(Ed25519PrivateKey.generate())
    with w.database.transaction() as connection:
        append_record(connection, "roles", w.requester.id,
                      roles_body(w.requester.id, "rita", ["approver", "requester"], True, "2025-09-19T09:00:00.000000Z"),
                      [stranger, w.admin.signer])  # one real admin is not enough for an approver grant
    users.set_roles(w.ctx, w.admin, "alan", [Role.APPROVER])  # any write re-reads the records into the index
    with w.database.reading() as connection:
        roles = connection.execute(users_table.select().where(users_table.c.name == "rita")).one().roles
    assert roles == "requester"


def test_one_admin_cannot_act_as_two(world: World) -> None:
    w = world
    with pytest.raises(AuthError, match="nobody grants themselves"):
        users.set_roles(w.ctx, w.admin, "ada", [Role.ADMIN, Role.APPROVER])
    users.add_user(w.ctx, w.admin, "mal", [Role.ADMIN, Role.APPROVER], "initial " + PASSWORD)
    mal = signed_in(w.ctx, "mal", "initial " + PASSWORD)
    assert not ({Role.ADMIN, Role.APPROVER} & set(mal.roles))  # waits for a second admin
    with pytest.raises(AuthError, match="different admin"):
        users.confirm_admin(w.ctx, w.admin, "mal")
    with pytest.raises(AuthError, match="lacks the admin role"):
        users.confirm_admin(w.ctx, mal, "mal")


def test_admin_reset_of_an_approver_needs_a_second_admin_and_the_owner(world: World) -> None:
    w = world
    users.set_password(w.ctx, w.admin, "bea", "reset by ada " + PASSWORD)
    taken_over = users.authenticate(w.ctx, "bea", "reset by ada " + PASSWORD)
    assert taken_over.signer is None  # the new key waits for a second admin; the old one needs bea's password
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "9000", "EUR", w.counterparty,
                                       {"iban": IBAN}, call=LOW, checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    with pytest.raises(AuthError, match="no open signing key"):
        confirmations.approve(w.ctx, taken_over, request.id)
    users.confirm_admin(w.ctx, w.admin2, "bea")
    reset = signed_in(w.ctx, "bea", "reset by ada " + PASSWORD)
    with pytest.raises(WorkflowRefused, match="change your own password"):
        confirmations.approve(w.ctx, reset, request.id)
    users.set_password(w.ctx, reset, "bea", "bea's own " + PASSWORD)
    assert confirmations.approve(w.ctx, signed_in(w.ctx, "bea", "bea's own " + PASSWORD), request.id).state \
        == State.APPROVED


def test_without_the_pinned_root_nothing_is_signed(world: World) -> None:
    w = world
    (w.data_dir / PIN_FILE).unlink()
    with pytest.raises(AuthError, match="no trust root pinned on this machine"):
        lifecycle.create_request(w.ctx, w.requester, "transfer", "9000", "EUR", w.counterparty, {"iban": IBAN},
                                 call=LOW, checklist=ALL_NO)


def test_trust_records_edited_in_place_are_reported(world: World) -> None:
    w = world
    with w.database.transaction() as connection:
        row = connection.execute(trust_records.select().where(trust_records.c.user_id == w.requester.id,
                                                               trust_records.c.kind == "roles")).first()
        edited = row.body.replace('"requester"', '"approver","requester"')
        connection.execute(update(trust_records).where(trust_records.c.id == row.id).values(body=edited))
    from verification.trust.store import trust_state

    with w.database.reading() as connection:
        state = trust_state(connection, w.ctx.pins)
    assert not state.has_role(w.requester.id, "approver")
    assert any(f"trust record {row.id}" in p for p in state.problems)


def test_policy_key_row_inserted_by_hand_signs_nothing(world: World) -> None:
    from verification.policy.changes import propose_policy, sign_policy
    from verification.policy.default import default_policy
    from verification.policy.parse import policy_document
    from verification.store.tables import admin_keys, policies

    w = world
    mine = SigningKey.from_private(Ed25519PrivateKey.generate())
    policy_keys.register_admin_key(w.ctx, w.admin, mine.public_b64)
    doc = policy_document(default_policy())
    doc["name"] = "weaker"
    doc["limits"]["code_ttl_minutes"] = 30  # a weakening: two admins must sign
    change = propose_policy(w.ctx, w.admin, doc, mine)
    forged = SigningKey.from_private(Ed25519PrivateKey.generate())
    with w.database.transaction() as connection:  # a database writer gives ben a key they hold
        connection.execute(insert(admin_keys).values(key_id=forged.key_id, user_id=w.admin2.id,
                                                     public_key=forged.public_b64, added_at="2025-09-19T09:00:00.000000Z",
                                                     revoked_at=None))
    sign_policy(w.ctx, w.admin2, change.version, forged)
    with w.database.reading() as connection:
        row = connection.execute(policies.select().where(policies.c.version == change.version)).one()
    assert row.state != "active"


def test_segregation_follows_the_policy_and_never_shows_the_requester_a_code(world: World) -> None:
    from verification.policy.changes import propose_policy, sign_policy
    from verification.policy.default import default_policy
    from verification.policy.parse import policy_document

    w = world
    doc = policy_document(default_policy())
    doc["name"] = "small office"
    doc["duties"] = {"callback_by_other": False, "code_by_other": True, "phrase_by_other": True}
    keys = {}
    for admin in (w.admin, w.admin2):
        keys[admin.name] = SigningKey.from_private(Ed25519PrivateKey.generate())
        policy_keys.register_admin_key(w.ctx, admin, keys[admin.name].public_b64)
    change = propose_policy(w.ctx, w.admin, doc, keys["ada"])
    assert change.needed == 2 and any("duties.callback_by_other" in x for x in change.weakens)
    assert sign_policy(w.ctx, w.admin2, change.version, keys["ben"]).state == "active"
    both = add_person(w.ctx, w.admin, w.admin2, "sam", [Role.REQUESTER, Role.APPROVER])
    request = lifecycle.create_request(w.ctx, both, "transfer", "250000", "EUR", w.counterparty, {"iban": IBAN},
                                       call=LOW, checklist=ALL_NO)
    confirmations.record_callback(w.ctx, both, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    with pytest.raises(WorkflowRefused, match="the one-time code must be done by someone else"):
        confirmations.issue_code(w.ctx, both, request.id)
    with w.database.reading() as connection:
        view_missing = __import__("verification.workflow.views", fromlist=["request_view"]).request_view(
            connection, request.id, w.clock, w.ctx.pins)["missing"]
    assert not any(m.startswith("call-back") for m in view_missing)  # the requester's own call-back counts here


def test_root_copy_in_the_database_swapped_stops_every_signed_write(world: World) -> None:
    from verification.store.tables import meta
    from verification.trust.root import RootKey, TrustRoot
    from verification.trust.store import ROOT_META, database_id

    w = world
    attacker = SigningKey.from_private(Ed25519PrivateKey.generate())
    with w.database.transaction() as connection:
        fake = TrustRoot(database_id(connection), (RootKey(w.requester.id, "rita", attacker.key_id,
                                                           attacker.public_b64),))
        connection.execute(update(meta).where(meta.c.key == ROOT_META).values(value=json.dumps(fake.as_dict())))
    with pytest.raises(AuthError, match="differs from the one pinned on this machine"):
        lifecycle.create_request(w.ctx, w.requester, "transfer", "9000", "EUR", w.counterparty, {"iban": IBAN},
                                 call=LOW, checklist=ALL_NO)


def test_a_machine_that_cannot_verify_shows_nothing_as_done(world: World) -> None:
    from verification.workflow.views import request_view

    w = world
    request = _approved(w)
    (w.data_dir / PIN_FILE).unlink()
    with w.database.reading() as connection:
        view = request_view(connection, request.id, w.clock, w.ctx.pins)
    assert view["missing"][0].startswith("steps cannot be verified here: no trust root pinned")
    assert [s["kind"] for s in view["steps"]] == ["callback", "approval"]  # listed from the index, not counted
