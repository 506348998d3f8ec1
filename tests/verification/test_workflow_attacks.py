"""Attacks on the workflow, against SQLite and a real PostgreSQL server: each is refused with one
line, and the request cannot be released until the procedure its policy demands is complete."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from tests.verification.conftest import ALL_NO, World, add_person, engine_call
from verification.errors import AuthError, WorkflowRefused
from verification.workflow import confirmations, directory, lifecycle
from verification.workflow.request import ActionRequest
from verification.workflow.states import State


def _call(level: str) -> dict[str, Any]:
    return {"session": "call-1", "report_sha256": "0" * 64,
            "verdict": {"risk": 0.2 if level == "low" else 0.9, "level": level, "reasons": []},
            "models": [{"id": "voice_synthetic", "sha256": "ab" * 32, "provider": "CPUExecutionProvider"}],
            "input": {"path": "call.wav", "duration_s": 30.0}}


def _create(w: World, amount: str = "25000", level: str = "low", **kw: Any) -> ActionRequest:
    kw.setdefault("checklist", ALL_NO)
    return lifecycle.create_request(w.ctx, w.requester, "transfer", amount, "EUR", w.counterparty,
                                    {"iban": "GB33BUKB20201555555555"}, call=engine_call(w.ctx, _call(level)), **kw)


def _callback(w: World, request_id: int) -> ActionRequest:
    return confirmations.record_callback(w.ctx, w.approver, request_id, w.phone.id, "confirmed", "J. Smith",
                                         ["identity", "request", "amount", "beneficiary"])


def test_full_procedure_then_release(world: World) -> None:
    w = world
    request = _create(w, amount="250000")  # tier: call-back, code, one approval, 60 min hold
    assert request.state == State.HELD
    _callback(w, request.id)
    code = confirmations.issue_code(w.ctx, w.approver, request.id)
    confirmations.verify_code(w.ctx, w.approver, request.id, code)
    request = confirmations.approve(w.ctx, w.approver2, request.id)
    assert request.state == State.APPROVED
    with pytest.raises(WorkflowRefused, match="cooling-off hold until"):
        lifecycle.release(w.ctx, w.requester, request.id)
    w.clock.advance(minutes=61)
    assert lifecycle.release(w.ctx, w.requester, request.id).state == State.RELEASED


def test_self_approval_refused(world: World) -> None:
    w = world
    from verification.workflow.roles import Role

    # The requester also holds the approver role: still may not approve their own request.
    both = add_person(w.ctx, w.admin, w.admin2, "sam", [Role.REQUESTER, Role.APPROVER])
    request = lifecycle.create_request(w.ctx, both, "transfer", "25000", "EUR", w.counterparty, {"iban": "GB33BUKB20201555555555"},
                                       call=_call("low"), checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    with pytest.raises(WorkflowRefused, match="self-approval refused"):
        confirmations.approve(w.ctx, both, request.id)
    confirmations.approve(w.ctx, w.approver, request.id)
    with pytest.raises(WorkflowRefused, match="already approved|nothing to approve"):
        confirmations.approve(w.ctx, w.approver, request.id)


def test_requester_without_approver_role_cannot_approve(world: World) -> None:
    request = _create(world)
    with pytest.raises(WorkflowRefused, match="lacks the approver role"):
        confirmations.approve(world.ctx, world.requester, request.id)


def test_release_with_a_step_missing_is_refused(world: World) -> None:
    w = world
    request = _create(w)
    with pytest.raises(WorkflowRefused, match="missing call-back to the directory number"):
        lifecycle.release(w.ctx, w.requester, request.id)
    _callback(w, request.id)
    with pytest.raises(WorkflowRefused, match="more approval"):
        lifecycle.release(w.ctx, w.requester, request.id)
    # Approving before the call-back is not possible either (approvers approve evidence).
    second = _create(w)
    with pytest.raises(WorkflowRefused, match="approve after the other steps"):
        confirmations.approve(w.ctx, w.approver, second.id)


def test_number_typed_into_request_is_never_used_for_callback(world: World) -> None:
    w = world
    request = _create(w, claimed_contact="+852 5555 0199")
    with pytest.raises(WorkflowRefused, match="number given in the request"):
        confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "CFO",
                                      ["identity", "request"], dialled="+852 5555 0199")
    with pytest.raises(WorkflowRefused, match="not the directory number"):
        confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "CFO",
                                      ["identity", "request"], dialled="+1 212 555 0100")
    # A phone of another directory entry is not this counterparty's number.
    directory.add_entry(w.ctx, w.admin, "Other Corp", "counterparty")
    other = directory.add_phone(w.ctx, w.admin, "Other Corp", "+33 1 23 45 67 89", "annual report 2024")
    with pytest.raises(WorkflowRefused, match="not an active directory number"):
        confirmations.record_callback(w.ctx, w.approver, request.id, other.id, "confirmed", "X", ["identity", "request"])
    ok = confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J. Smith",
                                       ["identity", "request"], dialled="+44 (20) 7946-0000")
    with w.database.reading() as connection:
        step = confirmations.steps_as_dicts(connection, ok.id)[-1]
    assert step["details"]["number"] == "+442079460000"
    assert step["details"]["number_source"] == "vendor master data, signed contract 2023-04"
    assert step["details"]["number_entered_by"] == "ada"


def test_replayed_one_time_code_is_refused(world: World) -> None:
    w = world
    request = _create(w, amount="250000")
    _callback(w, request.id)
    code = confirmations.issue_code(w.ctx, w.approver, request.id)
    confirmations.verify_code(w.ctx, w.approver, request.id, code)
    with pytest.raises(WorkflowRefused, match="already used"):
        confirmations.verify_code(w.ctx, w.approver, request.id, code)
    stale = confirmations.issue_code(w.ctx, w.approver, request.id)
    confirmations.issue_code(w.ctx, w.approver, request.id)  # replaces the previous one
    with pytest.raises(WorkflowRefused, match="expired or was replaced"):
        confirmations.verify_code(w.ctx, w.approver, request.id, stale)


def test_expired_code_and_too_many_failures_reject(world: World) -> None:
    w = world
    request = _create(w, amount="250000")
    code = confirmations.issue_code(w.ctx, w.approver, request.id)
    w.clock.advance(minutes=11)
    with pytest.raises(WorkflowRefused, match="expired"):
        confirmations.verify_code(w.ctx, w.approver, request.id, code)
    with pytest.raises(WorkflowRefused, match="does not match"):
        confirmations.verify_code(w.ctx, w.approver, request.id, "00000000")
    with pytest.raises(WorkflowRefused, match="rejected after 3 failed"):
        confirmations.verify_code(w.ctx, w.approver, request.id, "11111111")
    with w.database.reading() as connection:
        from verification.workflow.request import load_request

        assert load_request(connection, request.id).state == State.REJECTED


def test_totp_single_use(world: World) -> None:
    w = world
    uri = directory.enroll_totp(w.ctx, w.admin, w.counterparty)
    totp = pyotp.parse_uri(uri)
    request = _create(w, amount="250000")
    code = totp.at(w.clock())
    confirmations.verify_totp(w.ctx, w.approver, request.id, code)
    with pytest.raises(WorkflowRefused, match="already used"):
        confirmations.verify_totp(w.ctx, w.approver, request.id, code)
    with pytest.raises(WorkflowRefused, match="does not match"):
        confirmations.verify_totp(w.ctx, w.approver, request.id, "000000" if code != "000000" else "111111")


def test_code_phrase_compared_to_slow_hash(world: World) -> None:
    w = world
    directory.set_code_phrase(w.ctx, w.admin, w.counterparty, "Blue Heron at Dawn")
    with w.database.reading() as connection:
        stored = directory.entry_secrets(connection, 1).phrase_hash
    assert stored.startswith("scrypt$") and "heron" not in stored.lower()
    request = _create(w, level="high")  # high: everything, including the phrase
    assert request.requirements is not None and request.requirements.steps.code_phrase
    with pytest.raises(WorkflowRefused, match="code phrase does not match"):
        confirmations.verify_phrase(w.ctx, w.approver, request.id, "red heron at dusk")
    confirmations.verify_phrase(w.ctx, w.approver, request.id, "  blue   HERON at dawn ")


def test_request_lifetime_expiry_and_hold(world: World) -> None:
    w = world
    request = _create(w)
    _callback(w, request.id)
    confirmations.approve(w.ctx, w.approver, request.id)
    w.clock.advance(hours=73)  # default lifetime 72 h
    with pytest.raises(WorkflowRefused, match="expired"):
        lifecycle.release(w.ctx, w.requester, request.id)
    with w.database.reading() as connection:
        from verification.workflow.request import load_request

        assert load_request(connection, request.id).state == State.EXPIRED


def test_stale_callback_no_longer_counts(world: World) -> None:
    w = world
    request = _create(w)
    _callback(w, request.id)
    confirmations.approve(w.ctx, w.approver, request.id)
    w.clock.advance(minutes=1441)  # step validity 24 h
    with pytest.raises(WorkflowRefused, match="again"):
        lifecycle.release(w.ctx, w.requester, request.id)


def test_unknown_verdict_requires_full_procedure(world: World) -> None:
    request = _create(world, amount="100", level="unknown")
    assert request.requirements is not None
    steps = request.requirements.steps
    assert steps.callback and steps.one_time_code and steps.approvals == 2 and steps.hold_minutes >= 60


def test_late_checklist_answer_raises_requirements_and_reopens(world: World) -> None:
    w = world
    request = _create(w)
    _callback(w, request.id)
    assert confirmations.approve(w.ctx, w.approver, request.id).state == State.APPROVED
    request = lifecycle.answer_checklist(w.ctx, w.requester, request.id, {"secrecy": True})
    assert request.state == State.HELD and request.requirements is not None
    assert request.requirements.steps.one_time_code
    with pytest.raises(WorkflowRefused, match="cannot be withdrawn"):
        lifecycle.answer_checklist(w.ctx, w.requester, request.id, {"secrecy": False})


def test_counterparty_denial_rejects(world: World) -> None:
    w = world
    request = _create(w)
    with pytest.raises(WorkflowRefused, match="did not confirm"):
        confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "not_confirmed", "J. Smith")
    with pytest.raises(WorkflowRefused, match="rejected"):
        lifecycle.release(w.ctx, w.requester, request.id)


def test_only_admins_edit_directory(world: World) -> None:
    with pytest.raises(AuthError, match="lacks the admin role"):
        directory.add_phone(world.ctx, world.requester, world.counterparty, "+44 1234 567890", "what the caller said")
