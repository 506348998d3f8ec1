"""The policy that submissions and releases rest on, failing closed.

`load_active_policy` says which stored version looks best (for display and for proposing the next
one). Here the signed audit log decides: the newest `policy.activated` record names the version that
must be in force. If that version is missing, was un-activated or replaced outside CallShield, or no
longer verifies (document, signatures, two-admin rule), or another version is marked active without
an activation record, nothing falls back to an older version or the weaker built-in default: the
caller is refused with one line naming the version and what is wrong. The built-in default applies
only while the audit log records no activation at all."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, select

from verification.audit.canonical import sha256_hex
from verification.errors import PolicyError
from verification.policy.active import ACTIVATED, ActivePolicy, builtin_policy, check_version, load_active_policy
from verification.store.tables import audit_log, policies

REFUSED = "submissions and releases are refused until admins activate a policy that verifies"


@dataclass(frozen=True)
class RecordedActivation:
    version: int
    sha256: str | None


def recorded_activation(connection: Connection) -> RecordedActivation | None:
    """The newest activation the audit log records (None: no policy was ever activated)."""
    query = (select(audit_log.c.body).where(audit_log.c.body.like(f'%"action":"{ACTIVATED}"%'))
             .order_by(audit_log.c.seq.desc()))
    for body in connection.execute(query).scalars():
        try:
            record = json.loads(body)
        except ValueError:
            continue  # an edited record: `audit verify` names it
        if isinstance(record, dict) and record.get("action") == ACTIVATED:
            after = record.get("after") if isinstance(record.get("after"), dict) else {}
            return RecordedActivation(int(record.get("policy_version") or 0), after.get("sha256"))
    return None


def policy_problem(connection: Connection) -> str | None:
    """What is wrong with the policy that should be in force, in a phrase naming the version; None if nothing."""
    rows = list(connection.execute(select(policies).order_by(policies.c.version)))
    recorded = recorded_activation(connection)
    newest = 0 if recorded is None else recorded.version
    unrecorded = [row.version for row in rows if row.state == "active" and row.version > newest]
    if unrecorded:
        return (f"policy version {unrecorded[-1]} is marked active but the audit log never recorded its "
                f"activation (changed outside CallShield)")
    if recorded is None:
        return None  # nothing was ever activated: the built-in default applies
    row = next((r for r in rows if r.version == newest), None)
    if row is None:
        return f"policy version {newest} was activated but is missing from the database (deleted outside CallShield)"
    if row.state != "active":
        return f"policy version {newest} was activated but is now marked {row.state!r} (changed outside CallShield)"
    if recorded.sha256 is not None and row.document_sha256 != recorded.sha256:
        return (f"policy version {newest} is not the document its activation recorded "
                f"(replaced outside CallShield)")
    intact = {r.document_sha256: r for r in rows if sha256_hex(r.document.encode("utf-8")) == r.document_sha256}
    try:
        check_version(connection, row, intact, builtin_policy())
    except PolicyError as error:
        return f"policy version {newest} does not verify: {error}"
    return None


def policy_in_force(connection: Connection) -> ActivePolicy:
    """The policy to apply now, or PolicyError naming the version and what is wrong with it."""
    problem = policy_problem(connection)
    if problem is not None:
        raise PolicyError(f"{problem}: {REFUSED}")
    active = load_active_policy(connection)
    recorded = recorded_activation(connection)
    expected = 0 if recorded is None else recorded.version
    if active.version != expected:  # cannot happen once the checks pass; never fall back silently
        raise PolicyError(f"policy version {expected} was activated but version {active.version} would apply: "
                          f"{REFUSED}")
    return active
