"""Failed sign-ins: each one is audited and counted per account name, and an account name with too
many failures in a row is refused for a growing wait before its password is even checked.

The rule: failures since the last successful sign-in, within the last 24 hours, are counted. From the
5th on, the next try must wait 1 minute after the last failure, doubling with each further failure
(1, 2, 4 ... minutes) up to an hour. So a guesser gets 5 quick tries, then about two dozen a day.
Counting is by the name typed, whether or not such a user exists, and every message is the same for
both: neither the refusal nor the wait tells a guesser which names are real. A refused try (during a
wait) checks no password and is not counted, so it does not lengthen the owner's wait. An attempt
counts as a failure from the moment it starts until its password proves right, so many attempts
started at once (separate processes, other machines) count against each other and cannot all slip
through before the first of them is recorded.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Connection, delete, insert, select

from verification.audit.log import AuditEvent
from verification.errors import AuditError, AuthError
from verification.store.clock import format_time, parse_time
from verification.store.tables import signin_failures
from verification.workflow.context import Context
from verification.workflow.roles import User

FREE_FAILURES = 5
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
LOOKBACK = timedelta(hours=24)
SIGNIN_ACTOR = "(sign-in)"


def account_key(name: str) -> str:
    return name[:64]


def wait_after(failures: list[datetime], now: datetime) -> timedelta:
    """How long the account must still wait, given its recent failure times (zero: it may try)."""
    if len(failures) < FREE_FAILURES:
        return timedelta(0)
    wait = min(FIRST_WAIT * 2 ** min(len(failures) - FREE_FAILURES, 16), LONGEST_WAIT)
    return max(timedelta(0), max(failures) + wait - now)


def describe_wait(wait: timedelta) -> str:
    seconds = math.ceil(wait.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def _recent(connection: Connection, key: str, now: datetime) -> list[datetime]:
    rows = connection.execute(select(signin_failures.c.at).where(
        signin_failures.c.account == key, signin_failures.c.at > format_time(now - LOOKBACK)))
    return [parse_time(row.at) for row in rows]


def recent_failures(ctx: Context, name: str, now: datetime) -> list[datetime]:
    with ctx.database.reading() as connection:
        return _recent(connection, account_key(name), now)


def _begin_attempt(ctx: Context, name: str, now: datetime) -> None:
    """Refuse while the account must wait; else count this attempt as a failure until it succeeds, so
    that attempts started in parallel count against each other."""
    key = account_key(name)
    with ctx.database.transaction() as connection:
        earlier = _recent(connection, key, now)
        wait = wait_after(earlier, now)
        if wait > timedelta(0):
            raise AuthError(f"too many failed sign-ins for {key!r}: wait {describe_wait(wait)} before trying again")
        connection.execute(delete(signin_failures).where(signin_failures.c.at <= format_time(now - LOOKBACK)))
        connection.execute(insert(signin_failures).values(account=key, at=format_time(now)))


def _audit_failure(ctx: Context, name: str, now: datetime) -> None:
    key = account_key(name)
    with ctx.database.transaction() as connection:
        times = _recent(connection, key, now)
        wait = wait_after(times, now)
        ctx.audit.append(connection, AuditEvent(
            actor=SIGNIN_ACTOR, action="user.signin_failed", subject=f"user:{key}",
            after={"failures_in_a_row": len(times), "next_try_in_seconds": math.ceil(wait.total_seconds())}))


def _clear_failures(ctx: Context, name: str) -> None:
    with ctx.database.transaction() as connection:
        connection.execute(delete(signin_failures).where(signin_failures.c.account == account_key(name)))


def limited_signin(ctx: Context, name: str, check: Callable[[], User]) -> User:
    """Run `check` (the password comparison) unless the account must wait; audit and count its failure."""
    now = ctx.clock()
    _begin_attempt(ctx, name, now)
    try:
        user = check()
    except AuthError as refused:
        try:
            _audit_failure(ctx, name, now)  # the attempt's row stays: it was a failure
        except (AuditError, AuthError) as unaudited:  # e.g. an installation no admin registered yet: still counted
            raise AuthError(f"{refused} (not audited: {unaudited})") from refused
        raise
    _clear_failures(ctx, name)
    return user
