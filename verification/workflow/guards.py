"""Is every step the request's policy requires complete and still valid? Checked after each step
(to move held -> approved) and again, from the stored steps, at release."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import Connection, select

from verification.policy.schema import CHECKLIST_ITEMS
from verification.store.clock import format_time
from verification.store.tables import steps, users
from verification.workflow.request import ActionRequest
from verification.workflow.roles import Role, parse_roles

CODE_KINDS = frozenset({"code", "totp"})


@dataclass(frozen=True)
class StepRecord:
    id: int
    kind: str
    outcome: str
    actor_id: int
    at: str
    details: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "outcome": self.outcome, "actor_id": self.actor_id,
                "at": self.at, "details": self.details}


def load_steps(connection: Connection, request_id: int) -> list[StepRecord]:
    rows = connection.execute(select(steps).where(steps.c.request_id == request_id).order_by(steps.c.id))
    return [StepRecord(r.id, r.kind, r.outcome, r.actor_id, r.at, json.loads(r.details)) for r in rows]


def _current_approvers(connection: Connection, ids: Iterable[int]) -> set[int]:
    """Approvals count only from users who are still active approvers now."""
    wanted = list(ids)
    if not wanted:
        return set()
    rows = connection.execute(select(users.c.id, users.c.roles, users.c.active).where(users.c.id.in_(wanted)))
    return {r.id for r in rows if r.active and Role.APPROVER in parse_roles(r.roles)}


def missing_steps(connection: Connection, request: ActionRequest, records: list[StepRecord],
                  now: datetime, include_approvals: bool = True) -> list[str]:
    if request.requirements is None:
        return ["policy evaluation (the request was never submitted)"]
    need = request.requirements.steps
    valid_minutes = int(request.requirements.limits["step_valid_minutes"])
    fresh_from = format_time(now - timedelta(minutes=valid_minutes))
    missing: list[str] = []

    def check(kinds: frozenset[str], label: str) -> None:
        done = [r for r in records if r.kind in kinds and r.outcome == "ok"]
        if not done:
            missing.append(label)
        elif all(r.at < fresh_from for r in done):
            missing.append(f"{label} again (the last one is older than {valid_minutes} minutes)")

    if need.checklist:
        unanswered = [item for item in CHECKLIST_ITEMS if item not in request.checklist]
        if unanswered:
            missing.append(f"checklist answers ({', '.join(unanswered)})")
    if need.callback:
        check(frozenset({"callback"}), "call-back to the directory number")
    if need.one_time_code:
        check(CODE_KINDS, "one-time code or TOTP read back")
    if need.code_phrase:
        check(frozenset({"phrase"}), "code phrase")
    if include_approvals and need.approvals:
        given = {r.actor_id for r in records if r.kind == "approval" and r.outcome == "ok" and r.at >= fresh_from
                 and r.actor_id != request.requester_id}
        counted = _current_approvers(connection, given)
        if len(counted) < need.approvals:
            missing.append(f"{need.approvals - len(counted)} more approval(s) by an approver who is not the requester")
    return missing


def failures(records: list[StepRecord]) -> int:
    return sum(1 for r in records if r.kind in CODE_KINDS | {"phrase"} and r.outcome == "failed")
