"""Which installations may write the audit log: audit-signing keys an admin registered through the pinned
root (an `installation` trust record). A new or replaced key file writes nothing until an admin registers it,
and `audit verify` refuses records signed by any other key."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from verification.audit.keys import SigningKey
from verification.errors import AuditError
from verification.store.tables import audit_log
from verification.trust.records import TrustState
from verification.trust.root import RootPins
from verification.trust.store import trust_state


def installation_keys(connection: Connection, pins: RootPins | None) -> dict[str, str]:
    """key id -> public key of every installation registered through this machine's pinned root and not
    retired: what may write now and whose verdicts count."""
    return {k: info.public_key for k, info in trust_state(connection, pins).installations.items()}


def audit_signers(connection: Connection, pins: RootPins | None) -> tuple[dict[str, str], dict[str, int]]:
    """For checking the chain: every key that ever counted, and retired key id -> last record it may sign."""
    state = trust_state(connection, pins)
    return state.audit_keys(), state.retired_after()


def retirement_problems(connection: Connection, trust: TrustState) -> list[str]:
    """Retirements the (chained, anchored) audit log announces but the trust records no longer hold: deleting
    the signed retirement would bring a stolen key back."""
    query = select(audit_log.c.seq, audit_log.c.body).where(
        audit_log.c.body.like('%"action":"trust.installation_retired"%')).order_by(audit_log.c.seq)
    problems = []
    for seq, body in connection.execute(query):
        data = json.loads(body)
        key_id = str((data.get("after") or {}).get("key_id"))
        if data.get("action") == "trust.installation_retired" and key_id not in trust.retired:
            problems.append(f"audit record {seq} retires installation key {key_id}, but its signed retirement is "
                            f"missing from the trust records (deleted): the key would count again")
    return problems


def unregistered_problem(key_id: str) -> str:
    return (f"this installation's audit key {key_id} is not registered by an admin, so nothing can be saved here: "
            f"an admin must register this machine (`callshield audit register-installation`, or "
            f"Register this computer in the app's Audit tab)")


class InstallationGate:
    """The audit log's write gate: only a registered installation key writes."""

    def __init__(self, pins: RootPins | None) -> None:
        self._pins = pins

    def __call__(self, connection: Connection, key: SigningKey) -> None:
        keys = installation_keys(connection, self._pins)  # no pinned root: its own one-line refusal
        if keys.get(key.key_id) != key.public_b64:
            raise AuditError(unregistered_problem(key.key_id))
