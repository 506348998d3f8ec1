"""What waits for a second admin, and whose key an admin set: read from the signed trust records as
this machine's pinned root replays them, so the app shows what the engine will count."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection

from verification.trust.records import TWO_PERSON_ROLES, TrustState
from verification.trust.store import stored_records, trust_state
from verification.workflow.context import Context
from verification.workflow.roles import User
from verification.workflow.users import list_users


@dataclass(frozen=True)
class Waiting:
    """One change that needs a second admin's signature (users.confirm_admin)."""

    user: str
    what: str  # "approver role", "admin and approver roles", "password reset"
    asked_by: str


def _signer_names(state: TrustState, signatures: list[dict[str, str]], names: dict[int, str]) -> list[str]:
    found = []
    for sig in signatures:
        info = state.keys.get(str(sig.get("key_id")))
        if info is not None:
            found.append(names.get(info.user_id, f"user {info.user_id}"))
    return found


def waiting_for_second_admin(connection: Connection, ctx: Context) -> list[Waiting]:
    state = trust_state(connection, ctx.pins)
    names = {u.id: u.name for u in list_users(connection)}
    pending = set(state.pending)
    found: list[Waiting] = []
    for record in stored_records(connection):
        if record.id not in pending:
            continue
        body = json.loads(record.body)
        if record.kind == "key":
            what = "password reset"
        else:
            added = sorted((set(body.get("roles", [])) - state.roles.get(record.user_id, frozenset()))
                           & TWO_PERSON_ROLES)
            what = " and ".join(added) + (" roles" if len(added) > 1 else " role")
        asked = ", ".join(_signer_names(state, record.signatures, names)) or "an unknown key"
        found.append(Waiting(names.get(record.user_id, f"user {record.user_id}"), what, asked))
    return found


def owner_set_admins(connection: Connection, ctx: Context) -> int:
    """Admins whose key they made themselves: only they can be the second admin of a two-person rule."""
    state = trust_state(connection, ctx.pins)
    return sum(1 for uid, roles in state.roles.items()
               if "admin" in roles and (key := state.key_of(uid)) is not None and key.owner_set)


def must_set_own_password(ctx: Context, user: User) -> bool:
    """True while the key that signs for this person is one an admin set: their approvals and
    confirmations do not count until they choose their own password."""
    with ctx.database.reading() as connection:
        state = trust_state(connection, ctx.pins)
    key = state.keys.get(user.signer.key_id) if user.signer is not None else state.key_of(user.id)
    return key is not None and not key.owner_set

