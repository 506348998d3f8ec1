"""What a request's signed statements prove: the steps done, by whom, over which content.

Steps are read from statements, never from the `steps` index rows: a statement counts only if its
signature checks against a key registered to its author (through the pinned trust root) and it was
made over the request's current content. Anything else is listed as a problem.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select

from verification.policy.evaluate import Requirements, raise_requirements
from verification.store.clock import format_time
from verification.store.tables import statements
from verification.trust.records import TrustState
from verification.trust.root import RootPins
from verification.trust.statements import Statement, check_statement, make_statement, request_content
from verification.trust.store import trust_state
from verification.workflow.context import Context
from verification.workflow.directory import entry_by_id
from verification.workflow.guards import StepRecord
from verification.workflow.request import ActionRequest
from verification.workflow.roles import User
from verification.workflow.signing import signing_key_of

STEP_KINDS = frozenset({"callback", "code", "totp", "phrase", "approval"})


def current_content(connection: Connection, request: ActionRequest) -> dict[str, Any]:
    verdict = request.call.get("report_sha256") if request.call else None
    return request_content(request.kind, str(request.amount), request.currency, request.beneficiary,
                           request.counterparty_id, entry_by_id(connection, request.counterparty_id).name,
                           request.policy_version, verdict)


@dataclass(frozen=True)
class Evidence:
    trust: TrustState
    records: list[StepRecord]
    statements: list[Statement]
    checklist: dict[str, bool]
    requirements: Requirements | None
    problems: list[str] = field(default_factory=list)

    def submitted_by(self, user_id: int) -> bool:
        return any(s.kind == "submit" and s.user_id == user_id for s in self.statements)


def gather(connection: Connection, request: ActionRequest, pins: RootPins | None,
           trust: TrustState | None = None) -> Evidence:
    """`trust`: a trust state already replayed in this transaction (lists read many requests at once)."""
    trust = trust if trust is not None else trust_state(connection, pins)
    content = current_content(connection, request)
    rows = connection.execute(select(statements).where(statements.c.request_id == request.id)
                              .order_by(statements.c.id))
    good: list[Statement] = []
    problems: list[str] = []
    for row in rows:
        statement, problem = check_statement(row.id, request.id, row.kind, row.user_id, row.key_id, row.body,
                                             row.signature, trust, content)
        if statement is None:
            problems.append(str(problem))
        else:
            good.append(statement)
    checklist: dict[str, bool] = {}
    requirements = request.requirements
    for s in good:
        if s.kind in ("submit", "checklist"):
            for item, answer in (s.details.get("checklist") or {}).items():
                checklist[item] = checklist.get(item, False) or bool(answer)  # a yes is never withdrawn
        if s.kind == "submit" and s.user_id == request.requester_id and s.details.get("requirements"):
            signed = Requirements.from_dict(s.details["requirements"])
            requirements = signed if requirements is None else raise_requirements(requirements, signed)
    records = [StepRecord(s.id, s.kind, s.outcome, s.user_id, s.at, s.details, s.owner_key)
               for s in good if s.kind in STEP_KINDS]
    return Evidence(trust, records, good, checklist, requirements, problems)


def sign_statement(ctx: Context, connection: Connection, request: ActionRequest, kind: str, user: User,
                   outcome: str, details: dict[str, Any]) -> int:
    signing_key_of(ctx, connection, user)
    assert user.signer is not None
    body, signature = make_statement(user.signer, request.id, kind, user.id, user.name,
                                     current_content(connection, request), outcome, details,
                                     format_time(ctx.clock()))
    return int(connection.execute(insert(statements).values(
        request_id=request.id, kind=kind, user_id=user.id, key_id=user.signer.key_id, body=body,
        signature=signature)).inserted_primary_key[0])


def statement_rows(connection: Connection, request_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(select(statements).where(statements.c.request_id == request_id)
                              .order_by(statements.c.id))
    return [{"id": r.id, "kind": r.kind, "user_id": r.user_id, "key_id": r.key_id, "body": json.loads(r.body),
             "signature": r.signature} for r in rows]
