"""Policy administration for the desktop, through the engine's own functions: the policy in force,
an edited document checked by the engine's parser, what the engine says it weakens, and the
two-admin flow of `callshield policy propose|sign`. Qt-free; no rule lives here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import select

from desktop.controllers.policy_diff import DiffRow, policy_diff
from desktop.controllers.workflow_session import WorkflowSession
from verification.audit.keys import SigningKey
from verification.policy.active import ActivePolicy, load_active_policy
from verification.policy.changes import PolicyChange, list_policies, propose_policy, sign_policy
from verification.policy.parse import policy_document, policy_from_document
from verification.policy.schema import Policy
from verification.policy.signing import valid_signatures
from verification.policy.weakening import weakenings
from verification.store.tables import policies
from verification.workflow.users import user_by_id


@dataclass(frozen=True)
class PendingChange:
    """A proposed version waiting for signatures."""

    version: int
    proposed_by: str
    proposed_at: str
    weakens: list[str]
    signed_by: list[str]
    document: dict[str, Any]

    @property
    def needed(self) -> int:
        return 2 if self.weakens else 1  # the engine's rule, for the label only: it decides on signing

    def line(self, show_time: Callable[[str], str] = str) -> str:
        """One line; `show_time` writes the stored UTC time as the reader wants it (local time)."""
        what = f"weakens {len(self.weakens)} rule(s)" if self.weakens else "weakens nothing"
        return (f"v{self.version} proposed by {self.proposed_by} at {show_time(self.proposed_at)}: {what}; "
                f"signed by {', '.join(self.signed_by) or 'nobody'} ({len(self.signed_by)} of {self.needed})")


@dataclass(frozen=True)
class PolicyCheck:
    """An edited document as the engine sees it against the policy in force."""

    weakens: list[str]
    rows: list[DiffRow]


def policy_schema() -> dict[str, Any]:
    return Policy.model_json_schema()


def describe_change(change: PolicyChange) -> str:
    if change.state == "active":
        return f"Policy version {change.version} is now active ({change.signers} of {change.needed} signatures)."
    return (f"Policy version {change.version} is signed by you and waits: it weakens {len(change.weakens)} "
            f"rule(s), so a second, different admin must sign it ({change.signers} of {change.needed} signatures).")


class PolicyAdmin:
    def __init__(self, session: WorkflowSession) -> None:
        self.session = session
        self.schema = policy_schema()

    def active(self) -> ActivePolicy:
        with self.session.ctx.database.reading() as connection:
            return load_active_policy(connection)

    def active_document(self) -> dict[str, Any]:
        return policy_document(self.active().policy)

    def check(self, document: dict[str, Any], against: ActivePolicy | None = None) -> PolicyCheck:
        """PolicyError (one line naming the field) when the engine refuses the document."""
        active = against or self.active()
        relaxed = weakenings(active.policy, policy_from_document(document))
        return PolicyCheck(relaxed, policy_diff(policy_document(active.policy), document, self.schema, relaxed))

    def pending(self) -> list[PendingChange]:
        with self.session.ctx.database.reading() as connection:
            waiting = [p for p in list_policies(connection) if p["state"] == "proposed"]
            out = []
            for item in waiting:
                row = connection.execute(select(policies).where(policies.c.version == item["version"])).one()
                signers = sorted({user_by_id(connection, sig.user_id).name
                                  for sig in valid_signatures(connection, row)})
                out.append(PendingChange(row.version, user_by_id(connection, row.proposed_by).name, row.proposed_at,
                                         list(item["weakens"]), signers, json.loads(row.document)))
        return out

    def propose(self, document: dict[str, Any], key: SigningKey) -> PolicyChange:
        ctx, user = self.session.acting()
        return propose_policy(ctx, user, document, key)

    def sign(self, version: int, key: SigningKey) -> PolicyChange:
        ctx, user = self.session.acting()
        return sign_policy(ctx, user, version, key)
