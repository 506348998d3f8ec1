"""Which recently issued one-time code of a request a read-back code is, found before the request is
locked: each comparison is a slow hash, and a lock held meanwhile would stall every other writer
(on SQLite, the whole database)."""

from __future__ import annotations

from sqlalchemy import select

from verification.store.tables import one_time_codes
from verification.workflow.codes import code_matches
from verification.workflow.context import Context

RECENT_CODES = 4  # a code older than the last few issued no longer matches at all


def matching_code_id(ctx: Context, request_id: int, code: str) -> int | None:
    """Id of the code `code` is (used, expired or live: the caller judges), or None."""
    with ctx.database.reading() as connection:
        rows = connection.execute(select(one_time_codes.c.id, one_time_codes.c.code_hash)
                                  .where(one_time_codes.c.request_id == request_id)
                                  .order_by(one_time_codes.c.id.desc()).limit(RECENT_CODES)).all()
    return next((row.id for row in rows if code_matches(ctx.hasher, code, row.code_hash)), None)
