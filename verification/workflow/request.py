"""An action request as read from the database, and the guarded write of its next state.

Writers read the row with FOR UPDATE (PostgreSQL) inside BEGIN IMMEDIATE (SQLite) and write it back
only if its `version` is unchanged: a second, belt-and-braces guard against lost updates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select, update

from verification.errors import StoreError, WorkflowRefused
from verification.policy.evaluate import Requirements
from verification.store.tables import requests
from verification.workflow.states import State

KINDS = ("transfer", "new_beneficiary", "bank_detail_change")
MAX_ID = 2**31 - 1  # INTEGER on PostgreSQL


@dataclass(frozen=True)
class ActionRequest:
    id: int
    kind: str
    state: State
    amount: Decimal
    currency: str
    counterparty_id: int
    beneficiary: dict[str, Any]
    claimed_contact: str | None
    requester_id: int
    call: dict[str, Any]
    verdict_level: str
    checklist: dict[str, bool]
    note: str
    policy_version: int | None
    requirements: Requirements | None
    created_at: str
    submitted_at: str | None
    held_until: str | None
    expires_at: str | None
    decided_at: str | None
    decided_by: int | None
    reason: str | None
    version: int

    @classmethod
    def from_row(cls, row: Any) -> "ActionRequest":
        reqs = None if row.requirements is None else Requirements.from_dict(json.loads(row.requirements))
        return cls(row.id, row.kind, State(row.state), Decimal(row.amount), row.currency, row.counterparty_id,
                   json.loads(row.beneficiary), row.claimed_contact, row.requester_id, json.loads(row.call),
                   row.verdict_level, json.loads(row.checklist), row.note, row.policy_version, reqs,
                   row.created_at, row.submitted_at, row.held_until, row.expires_at, row.decided_at,
                   row.decided_by, row.reason, row.version)

    def summary(self) -> dict[str, Any]:
        """What the audit log records about the request itself."""
        return {"id": self.id, "kind": self.kind, "state": self.state.value, "amount": str(self.amount),
                "currency": self.currency, "counterparty_id": self.counterparty_id, "beneficiary": self.beneficiary,
                "claimed_contact": self.claimed_contact, "requester_id": self.requester_id,
                "verdict_level": self.verdict_level, "checklist": self.checklist, "policy_version": self.policy_version,
                "requirements": None if self.requirements is None else self.requirements.as_dict(),
                "submitted_at": self.submitted_at, "held_until": self.held_until, "expires_at": self.expires_at,
                "decided_at": self.decided_at, "decided_by": self.decided_by, "reason": self.reason,
                "version": self.version}


def load_request(connection: Connection, request_id: int, lock: bool = False) -> ActionRequest:
    if not 0 < request_id <= MAX_ID:  # an id no database column holds: no such request
        raise WorkflowRefused(f"no request {request_id}")
    query = select(requests).where(requests.c.id == request_id)
    row = connection.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise WorkflowRefused(f"no request {request_id}")
    return ActionRequest.from_row(row)


def save_request(connection: Connection, request: ActionRequest, **values: Any) -> ActionRequest:
    """Write `values` if nobody changed the request since it was read; returns the new row."""
    if "requirements" in values and isinstance(values["requirements"], Requirements):
        values["requirements"] = json.dumps(values["requirements"].as_dict(), sort_keys=True)
    if "state" in values and isinstance(values["state"], State):
        values["state"] = values["state"].value
    if "checklist" in values and isinstance(values["checklist"], dict):
        values["checklist"] = json.dumps(values["checklist"], sort_keys=True)
    result = connection.execute(update(requests)
                                .where(requests.c.id == request.id, requests.c.version == request.version)
                                .values(version=request.version + 1, **values))
    if result.rowcount != 1:
        raise StoreError(f"request {request.id} was changed by someone else at the same time; try again")
    return load_request(connection, request.id)
