"""The out-of-band steps: call-back to the directory number, one-time code or TOTP read back, code
phrase, and second approvals. Each is recorded with its provenance and audited.

A failed confirmation is committed (the record of a wrong code matters) before it is refused;
too many failures reject the request.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Sequence

import pyotp
from sqlalchemy import Connection, insert, select, update

from verification.errors import DirectoryError, WorkflowRefused
from verification.policy.evaluate import ALL_OTHERS_ONLY
from verification.store.clock import format_time
from verification.store.tables import directory_entries, one_time_codes
from verification.workflow.code_lookup import matching_code_id
from verification.workflow.codes import generate_code, hash_code, normalise_code
from verification.workflow.context import Context
from verification.trust.store import trust_state
from verification.workflow.directory import Entry, entry_secrets, normalise_number, verified_entry
from verification.workflow.directory_signing import secret_problem
from verification.workflow.evidence import gather
from verification.workflow.guards import failures, index_steps, missing_steps
from verification.workflow.names import refuse_controls
from verification.workflow.request import ActionRequest, load_request
from verification.workflow.roles import Role, User
from verification.workflow.secrets_hash import normalise_phrase
from verification.workflow.signing import signing_key_of
from verification.workflow.states import State
from verification.workflow.transitions import (add_step, advance, audit_request, expire_if_due, require_live,
                                               require_open_for_steps, transition)
from verification.workflow.users import current, user_by_id

CALLBACK_OUTCOMES = ("confirmed", "not_confirmed", "no_answer")
CONFIRMABLE = ("identity", "request", "amount", "currency", "beneficiary", "bank_details", "purpose")


def _open(ctx: Context, connection: Connection, actor: User, request_id: int,
          kind: str) -> tuple[User, ActionRequest]:
    user = current(connection, actor)
    if not (user.has(Role.APPROVER) or user.has(Role.REQUESTER)):
        raise WorkflowRefused(f"user {user.name!r} needs the approver or requester role to record steps")
    request = load_request(connection, request_id, lock=True)
    require_live(request, ctx.clock())
    require_open_for_steps(request)
    # A code is never issued to the requester; the rest as the request's policy says (segregation of duties).
    others_only = request.requirements.others_only if request.requirements else ALL_OTHERS_ONLY
    if request.requester_id == user.id and (kind == "issue_code" or kind in others_only):
        what = "the one-time code" if kind == "issue_code" else f"the {kind.replace('callback', 'call-back')}"
        raise WorkflowRefused(f"{user.name!r} requested request {request_id}: {what} must be done by someone else "
                              f"(segregation of duties)")
    return user, request


def _count_failure(ctx: Context, connection: Connection, request: ActionRequest, user: User, kind: str,
                   details: dict[str, Any], why: str) -> str:
    """Record the failed attempt; reject the request once the policy's limit is reached."""
    request, _ = add_step(ctx, connection, request, kind, "failed", user, {**details, "failure": why})
    limit = int(request.requirements.limits["code_max_failures"]) if request.requirements else 1
    count = failures(gather(connection, request, ctx.pins).records)
    if count >= limit:
        transition(ctx, connection, request, "reject", user, decided_at=format_time(ctx.clock()), decided_by=None,
                   reason=f"{count} failed confirmations (limit {limit})")
        return f"{why}; request {request.id} rejected after {count} failed confirmations"
    return f"{why} ({limit - count} attempt(s) left)"


def record_callback(ctx: Context, actor: User, request_id: int, phone_id: int, outcome: str, answered_by: str,
                    confirmed: Sequence[str] = (), dialled: str | None = None, note: str = "") -> ActionRequest:
    """`phone_id` picks a number of the counterparty's directory entry; `dialled`, if given, must be it."""
    if outcome not in CALLBACK_OUTCOMES:
        raise WorkflowRefused(f"call-back outcome must be one of {', '.join(CALLBACK_OUTCOMES)}")
    unknown = [c for c in confirmed if c not in CONFIRMABLE]
    if unknown:
        raise WorkflowRefused(f"cannot confirm {unknown[0]!r}; choose from {', '.join(CONFIRMABLE)}")
    if outcome == "confirmed" and not {"identity", "request"} <= set(confirmed):
        raise WorkflowRefused("a confirmed call-back must confirm at least 'identity' and 'request'")
    if outcome == "confirmed" and not answered_by.strip():
        raise WorkflowRefused("say who answered the call-back")
    refuse_controls(answered_by, "answered by")
    refuse_controls(note, "note", True)
    expire_if_due(ctx, request_id)
    refusal = None
    with ctx.database.transaction() as connection:
        user, request = _open(ctx, connection, actor, request_id, "callback")
        trust = trust_state(connection, ctx.pins)
        try:  # the number comes from the entry as an admin signed it, never from rows alone
            entry = verified_entry(connection, trust, request.counterparty_id)
        except DirectoryError as error:
            raise WorkflowRefused(f"request {request_id}: no call-back: {error}") from error
        phone = next((p for p in entry.phones if p.id == phone_id), None)
        if phone is None:
            raise WorkflowRefused(f"phone {phone_id} is not an active directory number of {entry.name!r}; "
                                  f"call back only on a number from the directory")
        given = None if dialled is None else normalise_number(dialled)
        if given is not None and given != phone.number:
            origin = ("the number given in the request" if request.claimed_contact
                      and normalise_number(request.claimed_contact) == given else "not the directory number")
            # Kept in the log (a red flag worth seeing in the evidence), then refused.
            audit_request(ctx, connection, user.name, "request.callback_number_refused", request, request,
                          extra={"dialled": given, "directory_number": phone.number, "why": origin})
            refusal = f"dialled {given} is {origin}; call back {entry.name!r} on {phone.number} from the directory"
        else:
            details = _callback_details(connection, request, entry, phone, user, outcome, answered_by, confirmed,
                                        note)
            details["directory_record"] = trust.directory[entry.id].record_id  # the signature it was read from
            request, _ = add_step(ctx, connection, request, "callback",
                                  "ok" if outcome == "confirmed" else "failed", user, details)
            if outcome == "not_confirmed":
                transition(ctx, connection, request, "reject", user, decided_at=format_time(ctx.clock()),
                           decided_by=user.id, reason=f"call-back: {answered_by or 'the counterparty'} did not confirm")
                refusal = f"the counterparty did not confirm on the call-back: request {request_id} rejected"
            else:
                request = advance(ctx, connection, request, user)
    if refusal:
        raise WorkflowRefused(refusal)
    return request


def _callback_details(connection: Connection, request: ActionRequest, entry: Entry, phone: Any, user: User,
                      outcome: str, answered_by: str, confirmed: Sequence[str], note: str) -> dict[str, Any]:
    return {
        "directory_entry": {"id": entry.id, "name": entry.name, "kind": entry.kind},
        "number": phone.number, "phone_id": phone.id, "phone_label": phone.label,
        "number_source": phone.source, "number_entered_by": user_by_id(connection, phone.entered_by).name,
        "number_entered_at": phone.entered_at,
        # A number added after the request arrived deserves a second look in the evidence.
        "number_added_after_request": phone.entered_at > request.created_at,
        "called_by": user.name, "outcome": outcome, "answered_by": answered_by.strip(),
        "confirmed": sorted(set(confirmed)), "note": note,
    }


def issue_code(ctx: Context, actor: User, request_id: int) -> str:
    """A fresh code for this request; earlier unused codes stop working. Returned once, stored hashed."""
    code = generate_code()
    code_hash = hash_code(ctx.hasher, code)  # slow (scrypt, its own salt): before any lock
    expire_if_due(ctx, request_id)
    with ctx.database.transaction() as connection:
        user, request = _open(ctx, connection, actor, request_id, "issue_code")
        now = ctx.clock()
        ttl = int(request.requirements.limits["code_ttl_minutes"]) if request.requirements else 10
        connection.execute(update(one_time_codes).where(one_time_codes.c.request_id == request.id,
                                                        one_time_codes.c.used_at.is_(None))
                           .values(expires_at=format_time(now)))
        connection.execute(insert(one_time_codes).values(
            request_id=request.id, code_hash=code_hash, salt="", issued_by=user.id,
            issued_at=format_time(now), expires_at=format_time(now + timedelta(minutes=ttl)), used_at=None,
            failures=0))
        audit_request(ctx, connection, user.name, "request.code_issued", request, request,
                      extra={"code_expires_in_minutes": ttl})
    return code


def verify_code(ctx: Context, actor: User, request_id: int, code: str) -> ActionRequest:
    expire_if_due(ctx, request_id)
    match_id = matching_code_id(ctx, request_id, code)  # slow hashes: before the request is locked
    refusal = None
    with ctx.database.transaction() as connection:
        user, request = _open(ctx, connection, actor, request_id, "code")
        now = format_time(ctx.clock())
        rows = connection.execute(select(one_time_codes).where(one_time_codes.c.request_id == request.id)
                                  .order_by(one_time_codes.c.id.desc()).with_for_update()).all()
        match = next((row for row in rows if row.id == match_id), None)
        details: dict[str, Any] = {"method": "one_time_code", "code_id": None if match is None else match.id}
        if not rows:
            raise WorkflowRefused(f"no one-time code was issued for request {request_id}; issue one first")
        if match is None:
            refusal = _count_failure(ctx, connection, request, user, "code", details, "one-time code does not match")
        elif match.used_at is not None:
            refusal = _count_failure(ctx, connection, request, user, "code", details,
                                     "one-time code was already used (replay refused)")
        elif now >= match.expires_at:
            refusal = _count_failure(ctx, connection, request, user, "code", details,
                                     "one-time code expired or was replaced; issue a new one")
        else:
            connection.execute(update(one_time_codes).where(one_time_codes.c.id == match.id).values(used_at=now))
            details["issued_by"] = user_by_id(connection, match.issued_by).name
            details["issued_at"] = match.issued_at
            request, _ = add_step(ctx, connection, request, "code", "ok", user, details)
            request = advance(ctx, connection, request, user)
    if refusal:
        raise WorkflowRefused(refusal)
    return request


def verify_totp(ctx: Context, actor: User, request_id: int, code: str) -> ActionRequest:
    expire_if_due(ctx, request_id)
    refusal = None
    with ctx.database.transaction() as connection:
        user, request = _open(ctx, connection, actor, request_id, "totp")
        secrets_row = entry_secrets(connection, request.counterparty_id, lock=True)
        unsigned = secret_problem(connection, trust_state(connection, ctx.pins), request.counterparty_id, ("totp",))
        if unsigned:  # a TOTP secret a database writer put there would let their own authenticator pass
            raise WorkflowRefused(f"request {request_id}: no TOTP check: {unsigned}")
        if secrets_row.totp_secret is None:
            raise WorkflowRefused(f"{secrets_row.name!r} has no enrolled authenticator; use a one-time code")
        totp = pyotp.TOTP(secrets_row.totp_secret)
        now = ctx.clock()
        current_step = totp.timecode(now)
        digits = normalise_code(code)
        matched = next((s for s in (current_step, current_step - 1, current_step + 1)
                        if totp.generate_otp(s) == digits), None)
        details = {"method": "totp", "directory_entry": secrets_row.name, "time_step": matched}
        if matched is None:
            refusal = _count_failure(ctx, connection, request, user, "totp", details, "TOTP does not match")
        elif secrets_row.totp_last_step is not None and matched <= secrets_row.totp_last_step:
            refusal = _count_failure(ctx, connection, request, user, "totp", details,
                                     "TOTP was already used (replay refused)")
        else:
            connection.execute(update(directory_entries).where(directory_entries.c.id == secrets_row.id)
                               .values(totp_last_step=matched))
            request, _ = add_step(ctx, connection, request, "totp", "ok", user, details)
            request = advance(ctx, connection, request, user)
    if refusal:
        raise WorkflowRefused(refusal)
    return request


def verify_phrase(ctx: Context, actor: User, request_id: int, phrase: str) -> ActionRequest:
    with ctx.database.reading() as connection:
        request = load_request(connection, request_id)
        stored = entry_secrets(connection, request.counterparty_id).phrase_hash
        unsigned = secret_problem(connection, trust_state(connection, ctx.pins), request.counterparty_id, ("phrase",))
    if unsigned:  # a hash a database writer put there would make their own phrase check out
        raise WorkflowRefused(f"request {request_id}: no code phrase check: {unsigned}")
    if stored is None:
        raise WorkflowRefused("the counterparty has no enrolled code phrase; an admin must enrol one")
    good = ctx.hasher.verify(normalise_phrase(phrase), stored)  # slow: outside any lock
    expire_if_due(ctx, request_id)
    refusal = None
    with ctx.database.transaction() as connection:
        user, request = _open(ctx, connection, actor, request_id, "phrase")
        details = {"method": "code_phrase"}
        if not good:
            refusal = _count_failure(ctx, connection, request, user, "phrase", details, "code phrase does not match")
        else:
            request, _ = add_step(ctx, connection, request, "phrase", "ok", user, details)
            request = advance(ctx, connection, request, user)
    if refusal:
        raise WorkflowRefused(refusal)
    return request


def approve(ctx: Context, actor: User, request_id: int, note: str = "") -> ActionRequest:
    """A second approver: approver role, not the requester, once per request, after the other steps."""
    refuse_controls(note, "note", True)
    expire_if_due(ctx, request_id)
    with ctx.database.transaction() as connection:
        user = current(connection, actor)
        if not user.has(Role.APPROVER):
            raise WorkflowRefused(f"user {user.name!r} lacks the approver role")
        request = load_request(connection, request_id, lock=True)
        require_live(request, ctx.clock())
        if request.requester_id == user.id:
            raise WorkflowRefused(f"self-approval refused: {user.name!r} requested request {request_id}")
        if request.state != State.HELD:
            raise WorkflowRefused(f"request {request_id} is {request.state.value}: nothing to approve")
        trust = signing_key_of(ctx, connection, user)
        if not trust.has_role(user.id, "approver"):
            raise WorkflowRefused(f"{user.name!r} holds no approver role granted by two admins through signed records")
        assert user.signer is not None
        if not trust.keys[user.signer.key_id].owner_set:
            raise WorkflowRefused(f"{user.name!r} signs with a key an admin set: change your own password before "
                                  f"approving")
        evidence = gather(connection, request, ctx.pins)
        if any(r.kind == "approval" and r.outcome == "ok" and r.actor_id == user.id for r in evidence.records):
            raise WorkflowRefused(f"{user.name!r} already approved request {request_id}; another approver must")
        before_approvals = missing_steps(request, evidence, ctx.clock(), include_approvals=False)
        if before_approvals:
            raise WorkflowRefused(f"approve after the other steps are done; missing {'; '.join(before_approvals)}")
        request, _ = add_step(ctx, connection, request, "approval", "ok", user, {"approver": user.name, "note": note})
        return advance(ctx, connection, request, user)


def steps_as_dicts(connection: Connection, request_id: int) -> list[dict[str, Any]]:
    return [r.as_dict() for r in index_steps(connection, request_id)]

