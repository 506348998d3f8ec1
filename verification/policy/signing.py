"""What an admin signs for a policy version, and checking a version's signatures against admin keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Row, select

from verification.audit.canonical import canonical_bytes
from verification.audit.keys import SigningKey, verify_b64
from verification.errors import AuthError
from verification.store.tables import admin_keys, policy_signatures
from verification.trust.store import published_trust_state

SIGNATURE_SCHEMA = "callshield.policy-signature/1"


def policy_statement(version: int, schema_version: int, document_sha256: str, based_on_sha256: str) -> bytes:
    """Binds the number, the exact document and the policy it replaces: none can be swapped later."""
    return canonical_bytes({"schema": SIGNATURE_SCHEMA, "version": version, "schema_version": schema_version,
                            "document_sha256": document_sha256, "based_on_sha256": based_on_sha256})


@dataclass(frozen=True)
class ValidSignature:
    user_id: int
    key_id: str
    signed_at: str


def registered_key(connection: Connection, user_id: int, signer: SigningKey) -> None:
    """Refuse a key that is not this admin's registered, unrevoked key."""
    row = connection.execute(select(admin_keys).where(admin_keys.c.key_id == signer.key_id)).first()
    if row is None or row.user_id != user_id or row.public_key != signer.public_b64:
        raise AuthError(f"signing key {signer.key_id} is not registered to you; run `callshield users register-key`")
    if row.revoked_at is not None:
        raise AuthError(f"signing key {signer.key_id} was revoked")


def valid_signatures(connection: Connection, policy_row: Row) -> list[ValidSignature]:  # type: ignore[type-arg]
    """Signatures over this row's statement by admins (per the signed trust records) with a policy key they
    registered with their own key; the admin_keys table is only the index of those registrations."""
    message = policy_statement(policy_row.version, policy_row.schema_version, policy_row.document_sha256,
                               policy_row.based_on_sha256)
    trust = published_trust_state(connection)
    if trust is None:
        return []
    out = []
    query = select(policy_signatures, admin_keys.c.public_key, admin_keys.c.user_id.label("key_user"),
                   admin_keys.c.revoked_at).join(admin_keys, admin_keys.c.key_id == policy_signatures.c.key_id)
    for sig in connection.execute(query.where(policy_signatures.c.policy_version == policy_row.version)):
        if sig.key_user != sig.user_id:
            continue  # a key borrowed from another admin counts for nobody
        registered = trust.policy_keys.get(sig.key_id)
        if registered is None or registered.user_id != sig.user_id or registered.public_key != sig.public_key \
                or not trust.has_role(sig.user_id, "admin"):
            continue  # a key row inserted by hand, or a signer who is no admin by the signed records
        if sig.revoked_at is not None and sig.revoked_at <= sig.signed_at:
            continue
        if verify_b64(sig.public_key, sig.signature, message):
            out.append(ValidSignature(sig.user_id, sig.key_id, sig.signed_at))
    return out
