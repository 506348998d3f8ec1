"""Is every step the request's policy requires complete, still valid and done by the right person?
Checked after each step (to move held -> approved) and again at release, always from the request's
verified signed statements (evidence.py), never from the index rows alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from verification.policy.evaluate import ALL_OTHERS_ONLY
from verification.policy.schema import CHECKLIST_ITEMS
from verification.store.clock import format_time
from verification.store.tables import steps
from verification.workflow.request import ActionRequest

if TYPE_CHECKING:
    from verification.workflow.evidence import Evidence

CODE_KINDS = frozenset({"code", "totp"})


@dataclass(frozen=True)
class StepRecord:
    id: int
    kind: str
    outcome: str
    actor_id: int
    at: str
    details: dict[str, Any]
    owner_key: bool = True  # signed with a key its owner made (counts for two-person rules)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "outcome": self.outcome, "actor_id": self.actor_id,
                "at": self.at, "details": self.details}


def index_steps(connection: Connection, request_id: int) -> list[StepRecord]:
    """The `steps` index rows: for listing and counting failures, never for deciding a release."""
    rows = connection.execute(select(steps).where(steps.c.request_id == request_id).order_by(steps.c.id))
    return [StepRecord(r.id, r.kind, r.outcome, r.actor_id, r.at, json.loads(r.details)) for r in rows]


def counted(evidence: "Evidence", request: ActionRequest, record: StepRecord) -> bool:
    """A step counts only from someone other than the requester who holds a role that may do it."""
    others_only = evidence.requirements.others_only if evidence.requirements else ALL_OTHERS_ONLY
    if record.kind in others_only and record.actor_id == request.requester_id:
        return False
    trust = evidence.trust
    if record.kind == "approval":
        return record.owner_key and trust.has_role(record.actor_id, "approver")
    return trust.has_role(record.actor_id, "approver") or trust.has_role(record.actor_id, "requester")


def missing_steps(request: ActionRequest, evidence: "Evidence", now: datetime,
                  include_approvals: bool = True) -> list[str]:
    requirements = evidence.requirements
    if requirements is None:
        return ["policy evaluation (the request was never submitted)"]
    need = requirements.steps
    valid_minutes = int(requirements.limits["step_valid_minutes"])
    fresh_from = format_time(now - timedelta(minutes=valid_minutes))
    records = [r for r in evidence.records if r.outcome == "ok" and counted(evidence, request, r)]
    missing: list[str] = []

    def check(kinds: frozenset[str], label: str) -> None:
        done = [r for r in records if r.kind in kinds]
        if not done:
            missing.append(label)
        elif all(r.at < fresh_from for r in done):
            missing.append(f"{label} again (the last one is older than {valid_minutes} minutes)")

    if need.checklist:
        unanswered = [item for item in CHECKLIST_ITEMS if item not in evidence.checklist]
        if unanswered:
            missing.append(f"checklist answers ({', '.join(unanswered)})")
    if need.callback:
        check(frozenset({"callback"}), "call-back to the directory number by someone other than the requester")
    if need.one_time_code:
        check(CODE_KINDS, "one-time code or TOTP read back")
    if need.code_phrase:
        check(frozenset({"phrase"}), "code phrase")
    if include_approvals and need.approvals:
        given = {r.actor_id for r in records if r.kind == "approval" and r.at >= fresh_from}
        if len(given) < need.approvals:
            missing.append(f"{need.approvals - len(given)} more approval(s) by an approver who is not the requester")
    return missing


def failures(records: list[StepRecord]) -> int:
    return sum(1 for r in records if r.kind in CODE_KINDS | {"phrase"} and r.outcome == "failed")
