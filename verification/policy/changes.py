"""Admins propose and sign policy versions. One signature activates a change that weakens nothing;
a weakening stays proposed until a second, different admin signs the same version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from verification.audit.canonical import canonical_json, sha256_hex
from verification.audit.keys import SigningKey
from verification.audit.log import AuditEvent
from verification.errors import PolicyError
from verification.policy.active import ACTIVATED, load_active_policy
from verification.policy.in_force import policy_problem
from verification.policy.parse import policy_from_document
from verification.policy.signing import policy_statement, registered_key, valid_signatures
from verification.policy.weakening import weakenings
from verification.store.clock import format_time
from verification.store.tables import audit_head, policies, policy_signatures
from verification.workflow.context import Context
from verification.workflow.roles import Role, User, require_role
from verification.workflow.users import current


@dataclass(frozen=True)
class PolicyChange:
    version: int
    state: str
    weakens: list[str]
    signers: int
    needed: int

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "state": self.state, "weakens": self.weakens, "signers": self.signers,
                "signatures_needed": self.needed}


def _serialise(connection: Connection) -> None:
    """Policy writes queue on the audit head row (they append to the log anyway)."""
    connection.execute(select(audit_head.c.seq).where(audit_head.c.id == 1).with_for_update())


def _sign(ctx: Context, connection: Connection, admin: User, row: Any, signer: SigningKey) -> None:
    statement = policy_statement(row.version, row.schema_version, row.document_sha256, row.based_on_sha256)
    connection.execute(insert(policy_signatures).values(
        policy_version=row.version, user_id=admin.id, key_id=signer.key_id, signature=signer.sign(statement),
        signed_at=format_time(ctx.clock())))
    ctx.audit.append(connection, AuditEvent(actor=admin.name, action="policy.signed", subject=f"policy:{row.version}",
                                            after={"key_id": signer.key_id, "document_sha256": row.document_sha256},
                                            policy_version=row.version))


def _activate_if_ready(ctx: Context, connection: Connection, admin: User, version: int) -> PolicyChange:
    row = connection.execute(select(policies).where(policies.c.version == version)).one()
    weakens = json.loads(row.weakens)
    needed = 2 if weakens else 1
    signers = len({sig.user_id for sig in valid_signatures(connection, row)})
    if signers < needed:
        return PolicyChange(version, row.state, weakens, signers, needed)
    before = load_active_policy(connection)
    connection.execute(update(policies).where(policies.c.version == version)
                       .values(state="active", activated_at=format_time(ctx.clock())))
    ctx.audit.append(connection, AuditEvent(
        actor=admin.name, action=ACTIVATED, subject=f"policy:{version}", policy_version=version,
        before={"version": before.version, "sha256": before.sha256},
        after={"version": version, "sha256": row.document_sha256, "weakens": weakens, "signers": signers}))
    return PolicyChange(version, "active", weakens, signers, needed)


def propose_policy(ctx: Context, actor: User, document: dict[str, Any], signer: SigningKey) -> PolicyChange:
    policy = policy_from_document(document)
    text = canonical_json(document)
    digest = sha256_hex(text.encode("utf-8"))
    with ctx.database.transaction() as connection:
        _serialise(connection)
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "propose a policy")
        registered_key(connection, admin.id, signer)
        active = load_active_policy(connection)
        if digest == active.sha256:
            raise PolicyError(f"this document is already the active policy (version {active.version})")
        relaxed = weakenings(active.policy, policy)
        broken = policy_problem(connection)
        if broken is not None:  # the base it is compared with is not the policy that should be in force
            relaxed = [f"replaces a policy that does not verify ({broken}): a second admin must sign", *relaxed]
        version = int(connection.execute(select(func.coalesce(func.max(policies.c.version), 0))).scalar_one()) + 1
        connection.execute(insert(policies).values(
            version=version, schema_version=document["schema_version"], document=text, document_sha256=digest,
            based_on_sha256=active.sha256, weakens=json.dumps(relaxed), state="proposed", proposed_by=admin.id,
            proposed_at=format_time(ctx.clock()), activated_at=None))
        ctx.audit.append(connection, AuditEvent(
            actor=admin.name, action="policy.proposed", subject=f"policy:{version}", policy_version=version,
            after={"version": version, "document_sha256": digest, "based_on_version": active.version,
                   "weakens": relaxed}))
        row = connection.execute(select(policies).where(policies.c.version == version)).one()
        _sign(ctx, connection, admin, row, signer)
        return _activate_if_ready(ctx, connection, admin, version)


def sign_policy(ctx: Context, actor: User, version: int, signer: SigningKey) -> PolicyChange:
    with ctx.database.transaction() as connection:
        _serialise(connection)
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "sign a policy")
        registered_key(connection, admin.id, signer)
        row = connection.execute(select(policies).where(policies.c.version == version)).first()
        if row is None:
            raise PolicyError(f"no policy version {version}")
        if row.state != "proposed":
            raise PolicyError(f"policy version {version} is {row.state}, not waiting for signatures")
        if sha256_hex(row.document.encode("utf-8")) != row.document_sha256:
            raise PolicyError(f"policy version {version} document does not match its hash (edited); not signing")
        active = load_active_policy(connection)
        if active.sha256 != row.based_on_sha256:
            raise PolicyError(f"policy version {version} was proposed against a policy no longer active "
                              f"(now version {active.version}); propose it again")
        signed = connection.execute(select(policy_signatures.c.id).where(
            policy_signatures.c.policy_version == version, policy_signatures.c.user_id == admin.id)).first()
        if signed is not None:
            raise PolicyError(f"you already signed policy version {version}; a different admin must sign")
        _sign(ctx, connection, admin, row, signer)
        return _activate_if_ready(ctx, connection, admin, version)


def list_policies(connection: Connection) -> list[dict[str, Any]]:
    out = []
    for row in connection.execute(select(policies).order_by(policies.c.version)):
        signers = len({sig.user_id for sig in valid_signatures(connection, row)})
        out.append({"version": row.version, "state": row.state, "schema_version": row.schema_version,
                    "sha256": row.document_sha256, "weakens": json.loads(row.weakens), "valid_signers": signers,
                    "proposed_at": row.proposed_at, "activated_at": row.activated_at})
    return out
