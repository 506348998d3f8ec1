"""Which installations may write the audit log: audit-signing keys an admin registered through the pinned
root (an `installation` trust record). A new or replaced key file writes nothing until an admin registers it,
and `audit verify` refuses records signed by any other key."""

from __future__ import annotations

from sqlalchemy import Connection

from verification.audit.keys import SigningKey
from verification.errors import AuditError
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
