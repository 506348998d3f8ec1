"""Which policy is in force: the newest active version whose document, signatures and two-admin rule
all check out at load time. A tampered or unsigned version is skipped here and the last valid one
reported, for display and as the base of the next proposal; submissions and releases go through
in_force.policy_in_force, which refuses instead of falling back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Connection, Row, select

from verification.audit.canonical import canonical_json, sha256_hex
from verification.errors import PolicyError
from verification.policy.default import default_policy
from verification.policy.parse import policy_document, policy_from_document
from verification.policy.schema import Policy
from verification.policy.signing import valid_signatures
from verification.policy.weakening import weakenings
from verification.store.tables import audit_log, policies

ACTIVATED = "policy.activated"


@dataclass(frozen=True)
class ActivePolicy:
    policy: Policy
    version: int  # 0: the built-in default
    sha256: str
    signer_ids: tuple[int, ...] = ()
    problems: list[str] = field(default_factory=list)


def builtin_policy() -> ActivePolicy:
    policy = default_policy()
    return ActivePolicy(policy, 0, sha256_hex(canonical_json(policy_document(policy)).encode("utf-8")))


def _intact_documents(rows: list[Row]) -> dict[str, Row]:  # type: ignore[type-arg]
    return {row.document_sha256: row for row in rows if sha256_hex(row.document.encode("utf-8")) == row.document_sha256}


def base_policy(row: Row, intact: dict[str, Row], builtin: ActivePolicy) -> Policy:  # type: ignore[type-arg]
    if row.based_on_sha256 == builtin.sha256:
        return builtin.policy
    base = intact.get(row.based_on_sha256)
    if base is None:
        raise PolicyError("the policy it replaced is missing or was edited")
    return policy_from_document(json.loads(base.document))


def check_version(connection: Connection, row: Row, intact: dict[str, Row],  # type: ignore[type-arg]
                  builtin: ActivePolicy) -> ActivePolicy:
    """Raise PolicyError naming what is wrong with this stored version."""
    if row.document_sha256 not in intact or intact[row.document_sha256].version != row.version:
        raise PolicyError("document does not match its recorded hash (edited)")
    policy = policy_from_document(json.loads(row.document))
    signers = tuple(sorted({sig.user_id for sig in valid_signatures(connection, row)}))
    if not signers:
        raise PolicyError("no valid admin signature (unsigned or tampered)")
    relaxed = weakenings(base_policy(row, intact, builtin), policy)
    if relaxed and len(signers) < 2:
        raise PolicyError(f"weakens {relaxed[0]} but only one admin signed; a second admin must sign")
    return ActivePolicy(policy, row.version, row.document_sha256, signers)


def last_recorded_activation(connection: Connection) -> int | None:
    query = (select(audit_log.c.body).where(audit_log.c.body.like(f'%"action":"{ACTIVATED}"%'))
             .order_by(audit_log.c.seq.desc()).limit(1))
    body = connection.execute(query).scalar()
    return None if body is None else json.loads(body).get("policy_version")


def load_active_policy(connection: Connection) -> ActivePolicy:
    builtin = builtin_policy()
    rows = list(connection.execute(select(policies).order_by(policies.c.version.desc())))
    intact = _intact_documents(rows)
    problems: list[str] = []
    chosen = builtin
    for row in rows:
        if row.state != "active":
            continue
        try:
            chosen = check_version(connection, row, intact, builtin)
            break
        except PolicyError as error:
            problems.append(f"policy version {row.version} refused: {error}")
    recorded = last_recorded_activation(connection)
    if recorded is not None and recorded > chosen.version and not any(f"version {recorded} " in p for p in problems):
        problems.append(f"policy version {recorded} was activated but is no longer marked active or is missing")
    return ActivePolicy(chosen.policy, chosen.version, chosen.sha256, chosen.signer_ids, problems)
