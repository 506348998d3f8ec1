"""Audit times never go backwards: each record is dated no earlier than the one before it.

Appending refuses a time earlier than the last record's (a clock turned back, or a client whose
clock lags the others), so nothing is written with it; verification reports a stored chain whose
times go backwards. Times are the fixed-width ISO strings of store/clock.py, so text order is time
order."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from verification.errors import AuditError
from verification.store.tables import audit_log


def record_time(body: str) -> str | None:
    try:
        at = json.loads(body).get("at")
    except (ValueError, AttributeError):
        return None
    return at if isinstance(at, str) else None


def require_forward(connection: Connection, head_seq: int, at: str) -> None:
    """Call with the head locked: refuses `at` when it is earlier than record `head_seq`'s time."""
    if head_seq < 1:
        return
    body = connection.execute(select(audit_log.c.body).where(audit_log.c.seq == head_seq)).scalar()
    last = None if body is None else record_time(body)
    if last is not None and at < last:
        raise AuditError(f"the clock runs backwards: it reads {at}, but audit record {head_seq} was written at "
                         f"{last}; nothing was saved (correct this machine's clock)")


def backwards_problem(seq: int, at: str | None, previous_at: str | None) -> str | None:
    if at is None or previous_at is None or at >= previous_at:
        return None
    return f"record {seq} is dated {at}, before record {seq - 1} ({previous_at}): the clock ran backwards"
