"""User administration for the desktop, through the engine's users module (the rules of
`callshield users ...`: admin role required, the last admin kept, approver and admin grants and
password resets of such people confirmed by a second admin). Qt-free."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from desktop.controllers.workflow_session import WorkflowSession
from verification.errors import AuditError, AuthError
from verification.workflow import users
from verification.workflow.roles import Role, User
from verification.workflow.waiting import Waiting, owner_set_admins, waiting_for_second_admin

LONE_ADMIN = ("This database has only one admin with a password of their own. Granting approver or admin, and "
              "resetting an approver's or admin's password, need a second admin, so none of that can be done "
              "here yet.")


def describe_user(user: User) -> str:
    roles = ", ".join(sorted(r.value for r in user.roles)) or ("no roles yet" if user.active else "no roles")
    state = "" if user.active else "; disabled"
    return f"{user.name} ({roles}{state})"


def waits(user: User, wanted: Iterable[Role]) -> str:
    """What was asked for but does not hold yet, in words ("; approver waits for a second admin")."""
    missing = sorted(r.value for r in set(wanted) - set(user.roles))
    if not missing:
        return ""
    return f"; {' and '.join(missing)} {'wait' if len(missing) > 1 else 'waits'} for a second admin"


@dataclass(frozen=True)
class UsersReading:
    """One reading of the Users page: the users, what waits for a second admin, and whether a
    second admin exists at all."""

    users: list[User]
    waiting: list[Waiting]
    lone_admin: bool


class UsersAdmin:
    def __init__(self, session: WorkflowSession) -> None:
        self.session = session

    def users(self) -> list[User]:
        with self.session.ctx.database.reading() as connection:
            return users.list_users(connection)

    def reading(self) -> UsersReading:
        ctx = self.session.ctx
        with ctx.database.reading() as connection:
            listed = users.list_users(connection)
            try:
                return UsersReading(listed, waiting_for_second_admin(connection, ctx),
                                    owner_set_admins(connection, ctx) < 2)
            except (AuthError, AuditError):  # no trust root pinned here: the users, without what waits
                return UsersReading(listed, [], False)

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
