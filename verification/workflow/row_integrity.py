"""Request rows checked against what was signed about them: each statement's content and the last audit
record about the request. The rows are an index anyone with database access can edit; `audit verify`
reports a row that no longer says what its signed records say."""

from __future__ import annotations

import json
from typing import Any, Mapping

from sqlalchemy import Connection, select

from verification.store.tables import audit_log, requests, statements
from verification.trust.records import TrustState
from verification.trust.statements import check_statement
from verification.workflow.evidence import current_content
from verification.workflow.request import ActionRequest

# The audit summary's names for what a reader would call them.
FIELD_NAMES = {"counterparty_id": "counterparty", "verdict_sha256": "call verdict", "verdict_level": "call verdict"}


def _changed(signed: Mapping[str, Any], row: Mapping[str, Any]) -> list[str]:
    names = {FIELD_NAMES.get(k, k) for k in set(signed) | set(row) if signed.get(k) != row.get(k)}
    return sorted(names)


def _last_records(connection: Connection) -> dict[str, dict[str, Any]]:
    """subject -> body of the newest audit record about it (request subjects only)."""
    last: dict[str, dict[str, Any]] = {}
    query = select(audit_log.c.body).where(audit_log.c.body.like('%"subject":"request:%')).order_by(audit_log.c.seq)
    for body in connection.execute(query.execution_options(yield_per=500)).scalars():
        data = json.loads(body)
        last[str(data.get("subject"))] = data
    return last


def _request_problem(connection: Connection, request: ActionRequest, record: dict[str, Any] | None,
                     trust: TrustState) -> str | None:
    prefix = f"request {request.id}: row disagrees with its signed records"
    if record is None:
        return f"request {request.id}: no audit record about it (inserted outside CallShield)"
    after = record.get("after") or {}
    changed = _changed(after.get("request") or {}, request.summary())
    if (record.get("call") or {}) != (request.call or {}):
        changed = sorted(set(changed) | {"call verdict"})
    if changed:
        return f"{prefix}: {', '.join(changed)} changed"
    content = current_content(connection, request)
    for row in connection.execute(select(statements).where(statements.c.request_id == request.id)
                                  .order_by(statements.c.id)):
        signed = json.loads(row.body).get("content") or {}
        genuine, problem = check_statement(row.id, request.id, row.kind, row.user_id, row.key_id, row.body,
                                           row.signature, trust, signed)
        if genuine is None:
            return f"request {request.id}: {problem}"
        changed = _changed(signed, content)
        if changed:
            return f"{prefix}: {', '.join(changed)} changed"
    return None


def request_row_problems(connection: Connection, trust: TrustState) -> list[str]:
    """One sentence per request whose row disagrees with what was signed about it."""
    last = _last_records(connection)
    problems = []
    for row in connection.execute(select(requests).order_by(requests.c.id)):
        request = ActionRequest.from_row(row)
        problem = _request_problem(connection, request, last.get(f"request:{request.id}"), trust)
        if problem:
            problems.append(problem)
    return problems
