"""Registering this installation's audit-signing key, and the audit log an installation writes with.

An admin on the machine signs an `installation` trust record for the key in its data directory (first done
by the set-up ceremony); a machine whose key file was lost or replaced writes nothing until then."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from verification.audit.anchor import AnchorFile
from verification.audit.anchor_keeper import AnchoringAuditLog
from verification.audit.keys import load_installation_key
from verification.audit.log import AuditEvent
from verification.errors import AuditError, AuthError
from verification.store.clock import Clock, format_time
from verification.trust.installations import InstallationGate, installation_keys
from verification.trust.records import installation_body
from verification.trust.root import RootPins
from verification.trust.store import append_record
from verification.workflow.context import Context
from verification.workflow.roles import Role, User, require_role
from verification.workflow.signing import signing_key_of
from verification.workflow.users import current


def installation_audit_log(data_dir: Path, clock: Clock, pins: RootPins) -> AnchoringAuditLog:
    """What the CLI and the desktop write with: this data directory's key, gated, keeping its anchor."""
    return AnchoringAuditLog(load_installation_key(data_dir), clock, InstallationGate(pins),
                             AnchorFile.in_data_dir(data_dir))


def installation_registered(ctx: Context) -> bool:
    """Whether an admin registered the key this session writes with (False without a pinned root)."""
    key = ctx.audit.key
    try:
        with ctx.database.reading() as connection:
            return installation_keys(connection, ctx.pins).get(key.key_id) == key.public_b64
    except (AuthError, AuditError):
        return False


def register_installation(ctx: Context, actor: User, label: str) -> str:
    """The admin signs for the key this session writes with; returns its key id."""
    key = ctx.audit.key
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "register an installation")
        trust = signing_key_of(ctx, connection, admin)
        assert admin.signer is not None
        if not trust.keys[admin.signer.key_id].owner_set:
            raise AuthError(f"{admin.name!r} signs with a key an admin set: change your password first")
        if key.key_id in trust.installations:
            raise AuthError(f"installation key {key.key_id} is already registered")
        _register(ctx, connection, admin, label)
    return key.key_id


def _register(ctx: Context, connection: Connection, admin: User, label: str) -> None:
    key = ctx.audit.key
    assert admin.signer is not None
    now = format_time(ctx.clock())
    append_record(connection, "installation", admin.id,
                  installation_body(admin.id, admin.name, key.key_id, key.public_b64, label, now), [admin.signer])
    ctx.audit.append(connection, AuditEvent(actor=admin.name, action="trust.installation_registered",
                                            subject=f"installation:{key.key_id}",
                                            after={"key_id": key.key_id, "public_key": key.public_b64,
                                                   "label": label}))
