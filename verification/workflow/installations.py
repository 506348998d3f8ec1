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
from verification.trust.records import TrustState, installation_body, retirement_body
from verification.trust.root import RootPins
from verification.trust.store import append_record
from verification.workflow.context import Context
from verification.workflow.names import refuse_controls
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


def _admin_signing(ctx: Context, connection: Connection, actor: User, doing: str) -> tuple[User, TrustState]:
    admin = current(connection, actor)
    require_role(admin, Role.ADMIN, doing)
    trust = signing_key_of(ctx, connection, admin)
    assert admin.signer is not None
    if not trust.keys[admin.signer.key_id].owner_set:
        raise AuthError(f"{admin.name!r} signs with a key an admin set: change your password first")
    return admin, trust


def register_installation(ctx: Context, actor: User, label: str) -> tuple[str, list[str]]:
    """The admin signs for the key this session writes with; returns its key id and the key ids it retired.

    A machine is known by its label: registering a new key under the label of a registered one (its key
    file was lost, replaced or copied away) retires the old key from this record on."""
    key = ctx.audit.key
    label = label.strip()
    refuse_controls(label, "installation label", error=AuthError)
    if not label:
        raise AuthError("an installation needs a label saying which machine it is")
    with ctx.database.transaction() as connection:
        admin, trust = _admin_signing(ctx, connection, actor, "register an installation")
        if key.key_id in trust.installations:
            raise AuthError(f"installation key {key.key_id} is already registered")
        if key.key_id in trust.retired:
            raise AuthError(f"installation key {key.key_id} was retired: it cannot be registered again "
                            f"(delete the key file here to make a new one)")
        old = sorted(k for k, info in trust.installations.items() if info.label == label)
        _register(ctx, connection, admin, label)
        for key_id in old:
            _retire(ctx, connection, admin, key_id, f"replaced by {key.key_id} on {label!r}")
    return key.key_id, old


def retire_installation(ctx: Context, actor: User, key_id: str, reason: str) -> None:
    """Any admin ends a registered installation key (a stolen or lost machine): no audit record it signs after
    this one counts, nor any verdict it signed."""
    refuse_controls(reason, "reason", error=AuthError)
    if len(reason.strip()) < 5:
        raise AuthError("say why the installation is retired (--reason), e.g. 'laptop stolen 2025-09-19'")
    with ctx.database.transaction() as connection:
        admin, trust = _admin_signing(ctx, connection, actor, "retire an installation")
        if key_id not in trust.installations:
            raise AuthError(f"no registered installation key {key_id!r}"
                            + (" (already retired)" if key_id in trust.retired else ""))
        _retire(ctx, connection, admin, key_id, reason.strip())


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


def _retire(ctx: Context, connection: Connection, admin: User, key_id: str, reason: str) -> None:
    """The audit record announcing the retirement is the last one the old key's signature may count for."""
    assert admin.signer is not None
    record = ctx.audit.append(connection, AuditEvent(actor=admin.name, action="trust.installation_retired",
                                                     subject=f"installation:{key_id}",
                                                     after={"key_id": key_id, "reason": reason}))
    append_record(connection, "retirement", admin.id,
                  retirement_body(admin.id, admin.name, key_id, record.seq, reason, format_time(ctx.clock())),
                  [admin.signer])
