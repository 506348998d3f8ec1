"""Users as the engine sees them, and the role checks every operation makes itself."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from sqlalchemy import Row

from verification.audit.keys import SigningKey
from verification.errors import AuthError


class Role(str, Enum):
    REQUESTER = "requester"  # creates action requests
    APPROVER = "approver"  # performs call-backs and approves others' requests
    ADMIN = "admin"  # users, directory, policy; never implied approval rights


def parse_roles(text: str) -> frozenset[Role]:
    return frozenset(Role(part) for part in text.split(",") if part)


def format_roles(roles: frozenset[Role] | set[Role]) -> str:
    return ",".join(sorted(role.value for role in roles))


@dataclass(frozen=True)
class User:
    id: int
    name: str
    display_name: str
    roles: frozenset[Role]
    active: bool
    os_account: str | None = None
    pending_admin_by: int | None = None
    # The person's own key, opened with their password at sign-in; never read from the database.
    signer: SigningKey | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_row(cls, row: Row[Any]) -> "User":
        return cls(row.id, row.name, row.display_name, parse_roles(row.roles), bool(row.active), row.os_account,
                   row.pending_admin_by)

    def with_signer(self, signer: SigningKey | None) -> "User":
        return replace(self, signer=signer)

    def has(self, role: Role) -> bool:
        return self.active and role in self.roles

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "display_name": self.display_name,
                "roles": sorted(r.value for r in self.roles), "active": self.active, "os_account": self.os_account,
                "admin_pending": self.pending_admin_by is not None}


def require_role(user: User, role: Role, doing: str) -> None:
    if not user.active:
        raise AuthError(f"user {user.name!r} is disabled and cannot {doing}")
    if role not in user.roles:
        raise AuthError(f"user {user.name!r} lacks the {role.value} role needed to {doing}")
