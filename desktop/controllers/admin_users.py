"""User administration for the desktop, through the engine's users module (the rules of
`callshield users ...`: admin role required, the last admin kept, admin grants confirmed by a
second admin once two exist). Qt-free."""

from __future__ import annotations

from typing import Iterable

from desktop.controllers.workflow_session import WorkflowSession
from verification.workflow import users
from verification.workflow.roles import Role, User


def describe_user(user: User) -> str:
    roles = ", ".join(sorted(r.value for r in user.roles)) or "no roles"
    state = "" if user.active else "; disabled"
    pending = "; admin role waits for a second admin to confirm" if user.pending_admin_by else ""
    return f"{user.name} ({roles}{state}{pending})"


class UsersAdmin:
    def __init__(self, session: WorkflowSession) -> None:
        self.session = session

    def users(self) -> list[User]:
        with self.session.ctx.database.reading() as connection:
            return users.list_users(connection)

    def add_user(self, name: str, roles: Iterable[Role], password: str, display_name: str) -> User:
        """Slow (the password's scrypt hash): call it on the task runner."""
        ctx, actor = self.session.acting()
        return users.add_user(ctx, actor, name.strip(), roles, password, display_name.strip() or None)

    def set_roles(self, name: str, roles: Iterable[Role]) -> User:
        ctx, actor = self.session.acting()
        return users.set_roles(ctx, actor, name, roles)

    def disable(self, name: str) -> User:
        ctx, actor = self.session.acting()
        return users.disable_user(ctx, actor, name)

    def confirm_admin(self, name: str) -> User:
        ctx, actor = self.session.acting()
        return users.confirm_admin(ctx, actor, name)
