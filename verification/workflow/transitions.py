"""Shared pieces of every request operation: locking and liveness checks, steps, the audit record,
and moving a held request to approved once nothing is missing."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from verification.audit.log import AuditEvent
from verification.errors import WorkflowRefused
from verification.store.clock import format_time, parse_time
from verification.store.tables import steps
from verification.workflow.context import Context
from verification.workflow.evidence import gather, sign_statement
from verification.workflow.guards import StepRecord, missing_steps
from verification.workflow.request import ActionRequest, load_request, save_request
from verification.workflow.roles import User
from verification.workflow.states import FINAL, State, next_state


def audit_request(ctx: Context, connection: Connection, actor: str, action: str, before: ActionRequest | None,
                  after: ActionRequest, step: StepRecord | None = None, extra: dict[str, Any] | None = None) -> None:
    payload: dict[str, Any] = {"request": after.summary()}
    if step is not None:
        payload["step"] = step.as_dict()
    if extra:
        payload.update(extra)
    ctx.audit.append(connection, AuditEvent(
        actor=actor, action=action, subject=f"request:{after.id}",
        before=None if before is None else {"state": before.state.value, "version": before.version},
        after=payload, policy_version=after.policy_version, call=after.call or None))


def transition(ctx: Context, connection: Connection, request: ActionRequest, action: str, actor: User | str,
               extra: dict[str, Any] | None = None, **values: Any) -> ActionRequest:
    target = next_state(request.state, action, request.id)
    name = actor if isinstance(actor, str) else actor.name
    updated = save_request(connection, request, state=target, **values)
    audit_request(ctx, connection, name, f"request.{action}", request, updated, extra=extra)
    return updated


def require_live(request: ActionRequest, now: datetime) -> None:
    if request.state in FINAL:
        raise WorkflowRefused(f"request {request.id} is {request.state.value}: nothing more can be done")
    if request.expires_at is not None and now >= parse_time(request.expires_at):
        raise WorkflowRefused(f"request {request.id} expired at {request.expires_at}")


def require_open_for_steps(request: ActionRequest) -> None:
    if request.state not in (State.HELD, State.APPROVED):
        raise WorkflowRefused(f"request {request.id} is {request.state.value}: steps are recorded only while held")


def add_step(ctx: Context, connection: Connection, request: ActionRequest, kind: str, outcome: str, actor: User,
             details: dict[str, Any]) -> tuple[ActionRequest, StepRecord]:
    """Sign the actor's statement, insert the index row, bump the request's version (so racing writers
    conflict) and audit both."""
    at = format_time(ctx.clock())
    statement_id = sign_statement(ctx, connection, request, kind, actor, outcome, details)
    step_id = connection.execute(insert(steps).values(request_id=request.id, kind=kind, outcome=outcome,
                                                      actor_id=actor.id, at=at,
                                                      details=json.dumps(details, sort_keys=True))
                                 ).inserted_primary_key[0]
    record = StepRecord(int(step_id), kind, outcome, actor.id, at, {**details, "statement": statement_id})
    updated = save_request(connection, request)
    audit_request(ctx, connection, actor.name, f"step.{kind}", request, updated, step=record)
    return updated, record


def advance(ctx: Context, connection: Connection, request: ActionRequest, actor: User | str) -> ActionRequest:
    """held -> approved as soon as every required step is recorded and fresh."""
    if request.state != State.HELD:
        return request
    if missing_steps(request, gather(connection, request, ctx.pins), ctx.clock()):
        return request
    return transition(ctx, connection, request, "complete", actor)


def expire_if_due(ctx: Context, request_id: int) -> None:
    """Own transaction, committed before the operation that found the request past its lifetime."""
    now = ctx.clock()
    with ctx.database.transaction() as connection:
        request = load_request(connection, request_id, lock=True)
        if request.state in (State.HELD, State.APPROVED) and request.expires_at and now >= parse_time(request.expires_at):
            transition(ctx, connection, request, "expire", "system", decided_at=format_time(now),
                       reason="request lifetime ran out before release")
