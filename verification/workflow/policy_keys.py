"""Admins' policy-signing keys: registered with the admin's own personal key (a `policy_key` trust
record), so a row added to the key table by hand signs nothing; any admin may revoke one."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from verification.audit.keys import key_id_for, load_public_key
from verification.audit.log import AuditEvent
from verification.errors import AuthError
from verification.store.clock import format_time
from verification.store.tables import admin_keys
from verification.trust.records import policy_key_body
from verification.trust.store import append_record
from verification.workflow.context import Context
from verification.workflow.roles import Role, User, require_role
from verification.workflow.signing import signing_key_of
from verification.workflow.users import current, user_by_id


def register_admin_key(ctx: Context, actor: User, public_b64: str) -> str:
    """An admin registers their own policy-signing public key, signed with their own personal key; returns its id."""
    load_public_key(public_b64)  # refuses anything that is not an Ed25519 key
    key_id = key_id_for(public_b64)
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "register a policy signing key")
        trust = signing_key_of(ctx, connection, admin)
        assert admin.signer is not None
        if not trust.keys[admin.signer.key_id].owner_set:
            raise AuthError(f"{admin.name!r} signs with a key an admin set: change your own password first")
        if connection.execute(select(admin_keys.c.key_id).where(admin_keys.c.key_id == key_id)).first():
            raise AuthError(f"key {key_id} is already registered")
        now = format_time(ctx.clock())
        connection.execute(insert(admin_keys).values(key_id=key_id, user_id=admin.id, public_key=public_b64,
                                                     added_at=now, revoked_at=None))
        append_record(connection, "policy_key", admin.id,
                      policy_key_body(admin.id, admin.name, key_id, public_b64, True, now), [admin.signer])
        ctx.audit.append(connection, AuditEvent(actor=admin.name, action="user.key_registered",
                                                subject=f"user:{admin.name}",
                                                after={"key_id": key_id, "public_key": public_b64}))
    return key_id


def revoke_admin_key(ctx: Context, actor: User, key_id: str) -> None:
    """Any admin may revoke a policy-signing key (say, another admin's lost one), signed with their own key."""
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "revoke a policy signing key")
        signing_key_of(ctx, connection, admin)
        assert admin.signer is not None
        row = connection.execute(select(admin_keys).where(admin_keys.c.key_id == key_id).with_for_update()).first()
        if row is None or row.revoked_at is not None:
            raise AuthError(f"no active key {key_id}")
        now = format_time(ctx.clock())
        connection.execute(update(admin_keys).where(admin_keys.c.key_id == key_id).values(revoked_at=now))
        owner = user_by_id(connection, row.user_id)
        append_record(connection, "policy_key", owner.id,
                      policy_key_body(owner.id, owner.name, key_id, row.public_key, False, now), [admin.signer])
        ctx.audit.append(connection, AuditEvent(actor=admin.name, action="user.key_revoked",
                                                subject=f"user:{user_by_id(connection, row.user_id).name}",
                                                before={"key_id": key_id}, after={"revoked": True}))
