"""The actor's own key, checked against the trust records before it signs anything."""

from __future__ import annotations

from sqlalchemy import Connection

from verification.errors import AuthError
from verification.trust.records import TrustState
from verification.trust.store import trust_state
from verification.workflow.context import Context
from verification.workflow.roles import User


def signing_key_of(ctx: Context, connection: Connection, user: User) -> TrustState:
    """Refuse unless the actor signed in with the key that signs for them now; returns the trust state."""
    trust = trust_state(connection, ctx.pins)
    if user.signer is None:
        raise AuthError(f"{user.name!r} has no open signing key: sign in with your password to sign this")
    if not trust.is_signing_key(user.id, user.signer.key_id):
        raise AuthError(f"the signing key of {user.name!r} is not registered through the trust root "
                        f"(a password reset may be waiting for a second admin)")
    return trust
