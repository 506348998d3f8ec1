"""The installations whose audit keys count (registered by an admin), for the Admin tab, and retiring one
as `callshield audit retire-installation` does (a stolen or lost machine). Qt-free; the engine decides."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.controllers.workflow_session import WorkflowSession
from verification.trust.store import trust_state
from verification.workflow.installations import retire_installation
from verification.workflow.users import user_by_id


@dataclass(frozen=True)
class InstallationRow:
    key_id: str
    label: str
    registered_by: str
    this_computer: bool


class InstallationsAdmin:
    def __init__(self, session: WorkflowSession) -> None:
        self.session = session

    def reading(self) -> list[InstallationRow]:
        ctx = self.session.ctx
        with ctx.database.reading() as connection:
            registered = trust_state(connection, ctx.pins).installations.values()
            return [InstallationRow(i.key_id, i.label, user_by_id(connection, i.registered_by).name,
                                    i.key_id == ctx.audit.key.key_id)
                    for i in sorted(registered, key=lambda i: (i.label, i.key_id))]

    def retire(self, key_id: str, reason: str) -> None:
        ctx, user = self.session.acting()
        retire_installation(ctx, user, key_id, reason)
