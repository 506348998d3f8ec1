"""Create, submit, answer the checklist, reject, cancel, release and expire action requests."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any, Mapping

from sqlalchemy import Connection, insert, select

from verification.errors import WorkflowRefused
from verification.policy.active import load_active_policy
from verification.policy.evaluate import Facts, evaluate, raise_requirements
from verification.policy.in_force import policy_in_force
from verification.policy.schema import CHECKLIST_ITEMS
from verification.store.clock import format_time, parse_time
from verification.store.tables import requests
from verification.workflow.beneficiary import (check_beneficiary, flag_checklist, name_red_flags,
                                                require_account)
from verification.workflow.call_link import verdict_level
from verification.workflow.context import Context
from verification.trust.records import TrustState
from verification.trust.store import trust_state
from verification.workflow.directory import entry_by_id, get_entry
from verification.workflow.directory_signing import entry_problem
from verification.workflow.evidence import Evidence, gather, sign_statement
from verification.workflow.guards import missing_steps
from verification.workflow.money import format_amount, parse_amount, parse_currency
from verification.workflow.names import normalise_name, refuse_controls
from verification.workflow.request import KINDS, ActionRequest, load_request, save_request
from verification.workflow.roles import Role, User, require_role
from verification.workflow.states import State
from verification.workflow.transitions import (advance, audit_request, expire_if_due, require_live, transition)
from verification.workflow.users import current


def check_checklist(answers: Mapping[str, Any]) -> dict[str, bool]:
    unknown = sorted(set(answers) - set(CHECKLIST_ITEMS))
    if unknown:
        raise WorkflowRefused(f"unknown checklist item {unknown[0]!r}; items: {', '.join(CHECKLIST_ITEMS)}")
    for item, value in answers.items():
        if not isinstance(value, bool):
            raise WorkflowRefused(f"checklist item {item!r} must be answered yes or no")
    return dict(answers)


def is_new_counterparty(connection: Connection, request: ActionRequest, days: int) -> bool:
    entry = entry_by_id(connection, request.counterparty_id)
    if parse_time(entry.created_at) > parse_time(request.created_at) - timedelta(days=days):
        return True
    released = connection.execute(select(requests.c.id).where(
        requests.c.counterparty_id == request.counterparty_id, requests.c.state == State.RELEASED.value).limit(1))
    return released.first() is None


def create_request(ctx: Context, actor: User, kind: str, amount: str, currency: str, counterparty: str,
                   beneficiary: Mapping[str, Any], call: Mapping[str, Any] | None = None,
                   claimed_contact: str | None = None, checklist: Mapping[str, Any] | None = None,
                   note: str = "", submit: bool = True) -> ActionRequest:
    """`claimed_contact` is whatever number the request or call offered: kept as a red flag, never dialled."""
    if kind not in KINDS:
        raise WorkflowRefused(f"request kind must be one of {', '.join(KINDS)}, not {kind!r}")
    code = parse_currency(currency)
    require_account(kind, beneficiary)
    value, beneficiary = parse_amount(amount, code, kind), check_beneficiary(beneficiary)
    counterparty, note = normalise_name(counterparty, "counterparty"), refuse_controls(note, "note", True)
    refuse_controls(claimed_contact or "", "claimed contact")
    answers = check_checklist(checklist or {})
    with ctx.database.transaction() as connection:
        requester = current(connection, actor)
        require_role(requester, Role.REQUESTER, "create requests")
        entry = get_entry(connection, counterparty)
        flags = name_red_flags(beneficiary, entry.name)  # look-alike names answer new_beneficiary yes
        answers = flag_checklist(answers, flags)
        new_id = connection.execute(insert(requests).values(
            kind=kind, state=State.DRAFT.value, amount=format_amount(value), currency=code, counterparty_id=entry.id,
            beneficiary=json.dumps(dict(beneficiary), sort_keys=True), claimed_contact=claimed_contact,
            requester_id=requester.id, call=json.dumps(dict(call or {}), sort_keys=True),
            verdict_level=verdict_level(connection, call, ctx.pins), checklist=json.dumps(answers, sort_keys=True),
            note=note,
            policy_version=None, requirements=None, created_at=format_time(ctx.clock()), version=1)
        ).inserted_primary_key[0]
        request = load_request(connection, int(new_id))
        audit_request(ctx, connection, requester.name, "request.created", None, request,
                      extra={"counterparty": entry.name, "red_flags": flags})
        if submit:
            request = _submit(ctx, connection, request, requester)
        return request


def _submit(ctx: Context, connection: Connection, request: ActionRequest, requester: User) -> ActionRequest:
    active = policy_in_force(connection)  # fails closed: a policy that does not verify stops submissions
    limits = active.policy.limits
    facts = Facts(request.kind, request.amount, request.currency,
                  is_new_counterparty(connection, request, limits.new_counterparty_days), request.checklist,
                  request.verdict_level)
    requirements = evaluate(active.policy, facts)
    now = ctx.clock()
    updated = transition(
        ctx, connection, request, "submit", requester, extra={"policy_problems": active.problems},
        policy_version=active.version, requirements=requirements, submitted_at=format_time(now),
        held_until=format_time(now + timedelta(minutes=requirements.steps.hold_minutes)),
        expires_at=format_time(now + timedelta(hours=limits.request_ttl_hours)))
    # The requester's signed statement fixes the content, the checklist and what policy required.
    sign_statement(ctx, connection, updated, "submit", requester, "ok",
                   {"checklist": updated.checklist, "requirements": requirements.as_dict()})
    return advance(ctx, connection, updated, requester)


def submit(ctx: Context, actor: User, request_id: int) -> ActionRequest:
    with ctx.database.transaction() as connection:
        requester = current(connection, actor)
        request = load_request(connection, request_id, lock=True)
        if request.requester_id != requester.id:
            raise WorkflowRefused(f"only the requester can submit request {request_id}")
        require_role(requester, Role.REQUESTER, "submit requests")
        return _submit(ctx, connection, request, requester)


def answer_checklist(ctx: Context, actor: User, request_id: int, answers: Mapping[str, Any]) -> ActionRequest:
    """Answers can be added or turned to yes, never withdrawn, and only ever raise what is required."""
    given = check_checklist(answers)
    expire_if_due(ctx, request_id)
    with ctx.database.transaction() as connection:
        user = current(connection, actor)
        request = load_request(connection, request_id, lock=True)
        require_live(request, ctx.clock())
        if user.id != request.requester_id and not user.has(Role.APPROVER):
            raise WorkflowRefused("only the requester or an approver can answer the checklist")
        withdrawn = [k for k, v in given.items() if request.checklist.get(k) is True and v is False]
        if withdrawn:
            raise WorkflowRefused(f"checklist item {withdrawn[0]!r} was answered yes and cannot be withdrawn")
        merged = {**request.checklist, **given}
        values: dict[str, Any] = {"checklist": merged}
        if request.requirements is not None:
            active = load_active_policy(connection)
            facts = Facts(request.kind, request.amount, request.currency,
                          is_new_counterparty(connection, request, int(request.requirements.limits["new_counterparty_days"])),
                          merged, request.verdict_level)
            raised = raise_requirements(request.requirements, evaluate(active.policy, facts))
            values["requirements"] = raised
            assert request.submitted_at is not None
            hold = parse_time(request.submitted_at) + timedelta(minutes=raised.steps.hold_minutes)
            values["held_until"] = format_time(max(hold, parse_time(request.held_until or request.submitted_at)))
        updated = save_request(connection, request, **values)
        sign_statement(ctx, connection, updated, "checklist", user, "ok", {"checklist": given})
        audit_request(ctx, connection, user.name, "request.checklist_answered", request, updated,
                      extra={"answers": given})
        if updated.state == State.APPROVED and missing_steps(updated, gather(connection, updated, ctx.pins),
                                                             ctx.clock()):
            updated = transition(ctx, connection, updated, "reopen", user)
        return advance(ctx, connection, updated, user)


def reject(ctx: Context, actor: User, request_id: int, reason: str) -> ActionRequest:
    if not refuse_controls(reason, "reason", True).strip():
        raise WorkflowRefused("give a reason for the rejection")
    with ctx.database.transaction() as connection:
        user = current(connection, actor)
        if not (user.has(Role.APPROVER) or user.has(Role.ADMIN)):
            raise WorkflowRefused(f"user {user.name!r} needs the approver or admin role to reject requests")
        request = load_request(connection, request_id, lock=True)
        return transition(ctx, connection, request, "reject", user, decided_at=format_time(ctx.clock()),
                          decided_by=user.id, reason=reason.strip())


def cancel(ctx: Context, actor: User, request_id: int, reason: str = "") -> ActionRequest:
    refuse_controls(reason, "reason", True)
    with ctx.database.transaction() as connection:
        user = current(connection, actor)
        request = load_request(connection, request_id, lock=True)
        if user.id != request.requester_id and not user.has(Role.ADMIN):
            raise WorkflowRefused(f"only the requester or an admin can cancel request {request_id}")
        return transition(ctx, connection, request, "cancel", user, decided_at=format_time(ctx.clock()),
                          decided_by=user.id, reason=reason.strip() or "cancelled")


def release(ctx: Context, actor: User, request_id: int) -> ActionRequest:
    """The only way to `released`: every required step complete and fresh, the hold over, not expired."""
    expire_if_due(ctx, request_id)
    with ctx.database.transaction() as connection:
        user = current(connection, actor)
        if not (user.has(Role.REQUESTER) or user.has(Role.APPROVER)):
            raise WorkflowRefused(f"user {user.name!r} needs the requester or approver role to release")
        request = load_request(connection, request_id, lock=True)
        policy_in_force(connection)  # fails closed: a policy that does not verify stops releases
        now = ctx.clock()
        require_live(request, now)
        trust = trust_state(connection, ctx.pins)  # replayed once: the statements and the directory entry
        evidence = release_evidence(connection, request, ctx, trust)
        counterparty = entry_problem(connection, trust, request.counterparty_id)
        if counterparty:  # the number called back, its source and the counterparty's age rest on it
            raise WorkflowRefused(f"request {request_id} cannot be released: {counterparty}")
        if evidence.problems:
            raise WorkflowRefused(f"request {request_id} cannot be released: {evidence.problems[0]}")
        missing = missing_steps(request, evidence, now)
        if missing:
            raise WorkflowRefused(f"request {request_id} cannot be released: missing {'; '.join(missing)}")
        if request.state != State.APPROVED:
            request = advance(ctx, connection, request, user)
        held_until = hold_end(request, evidence)
        if held_until and now < parse_time(held_until):
            raise WorkflowRefused(f"request {request_id} is in its cooling-off hold until {held_until}")
        sign_statement(ctx, connection, request, "release", user, "ok", {})
        return transition(ctx, connection, request, "release", user, decided_at=format_time(now), decided_by=user.id)


def release_evidence(connection: Connection, request: ActionRequest, ctx: Context,
                     trust: TrustState | None = None) -> Evidence:
    """The signed evidence, with requirements recomputed from the content under the policy in force:
    the stored or signed requirements can be raised by it, never lowered."""
    evidence = gather(connection, request, ctx.pins, trust)
    if evidence.requirements is None:
        return evidence
    active = load_active_policy(connection)
    facts = Facts(request.kind, request.amount, request.currency,
                  is_new_counterparty(connection, request, active.policy.limits.new_counterparty_days),
                  evidence.checklist, request.verdict_level)
    return replace(evidence, requirements=raise_requirements(evidence.requirements, evaluate(active.policy, facts)))


def hold_end(request: ActionRequest, evidence: Evidence) -> str | None:
    """The later of the stored hold and the signed submission time plus the hold the requirements ask for."""
    submits = [s.at for s in evidence.statements if s.kind == "submit" and s.user_id == request.requester_id]
    if evidence.requirements is None or not submits:
        return request.held_until
    signed = format_time(parse_time(submits[-1]) + timedelta(minutes=evidence.requirements.steps.hold_minutes))
    return max(signed, request.held_until or signed)


def expire_due(ctx: Context) -> list[int]:
    """Expire every live request past its lifetime; returns their ids."""
    now = format_time(ctx.clock())
    with ctx.database.reading() as connection:
        due = [row.id for row in connection.execute(select(requests.c.id).where(
            requests.c.state.in_([State.HELD.value, State.APPROVED.value]), requests.c.expires_at <= now))]
    for request_id in due:
        expire_if_due(ctx, request_id)
    return due
