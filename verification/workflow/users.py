"""Users, roles, passwords and admin signing keys. Every change is audited in the same transaction.

Admin grants follow a two-person rule once two admins exist: the grant waits until a different
admin confirms it, so one admin cannot mint a second "admin" to co-sign a policy weakening.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import Connection, func, insert, select, update

from verification.audit.keys import key_id_for, load_public_key
from verification.audit.log import AuditEvent
from verification.errors import AuthError
from verification.store.clock import format_time
from verification.store.tables import admin_keys, users
from verification.workflow.context import Context
from verification.workflow.roles import Role, User, format_roles, require_role
from verification.workflow.signin_limits import limited_signin

MIN_PASSWORD = 10


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password too short: at least {MIN_PASSWORD} characters")


def _check_name(name: str) -> None:
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
        raise AuthError(f"invalid user name {name!r}: letters, digits and . _ - @ only, at most 64")


def find_user(connection: Connection, name: str, lock: bool = False) -> User | None:
    query = select(users).where(users.c.name == name)
    row = connection.execute(query.with_for_update() if lock else query).first()
    return None if row is None else User.from_row(row)


def user_by_id(connection: Connection, user_id: int) -> User:
    return User.from_row(connection.execute(select(users).where(users.c.id == user_id)).one())


def get_user(connection: Connection, name: str, lock: bool = False) -> User:
    user = find_user(connection, name, lock)
    if user is None:
        raise AuthError(f"no user named {name!r}")
    return user


def current(connection: Connection, actor: User) -> User:
    """Re-read the actor inside the transaction: a role removed a second ago no longer counts."""
    return user_by_id(connection, actor.id)


def list_users(connection: Connection) -> list[User]:
    return [User.from_row(row) for row in connection.execute(select(users).order_by(users.c.name))]


def _admin_count(connection: Connection) -> int:
    rows = connection.execute(select(users.c.roles).where(users.c.active.is_(True)))
    return sum(1 for row in rows if Role.ADMIN.value in row.roles.split(","))


def _audit(ctx: Context, connection: Connection, actor: str, action: str, subject: User | str,
           before: User | None, after: User | None) -> None:
    name = subject.name if isinstance(subject, User) else subject
    ctx.audit.append(connection, AuditEvent(actor=actor, action=action, subject=f"user:{name}",
                                            before=before.as_dict() if before else None,
                                            after=after.as_dict() if after else None))


def create_first_admin(ctx: Context, name: str, password: str, display_name: str | None = None) -> User:
    """Bootstrap: only while the database has no users at all."""
    _check_name(name)
    _check_password(password)
    with ctx.database.transaction() as connection:
        if connection.execute(select(func.count()).select_from(users)).scalar_one():
            raise AuthError("users already exist: an admin must add new users")
        new_id = connection.execute(insert(users).values(
            name=name, display_name=display_name or name, roles=format_roles({Role.ADMIN}),
            password_hash=ctx.hasher.hash(password), os_account=None, active=True,
            created_at=format_time(ctx.clock()), created_by=None)).inserted_primary_key[0]
        user = user_by_id(connection, new_id)
        _audit(ctx, connection, name, "user.bootstrap_admin", user, None, user)
        return user


def add_user(ctx: Context, actor: User, name: str, roles: Iterable[Role], password: str,
             display_name: str | None = None, os_account: str | None = None) -> User:
    _check_name(name)
    _check_password(password)
    wanted = set(roles)
    if not wanted:
        raise AuthError("give the new user at least one role")
    password_hash = ctx.hasher.hash(password)  # slow: outside the transaction's locks
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "add users")
        if find_user(connection, name) is not None:
            raise AuthError(f"a user named {name!r} already exists")
        pending = Role.ADMIN in wanted and _admin_count(connection) >= 2
        if pending:
            wanted.discard(Role.ADMIN)
        new_id = connection.execute(insert(users).values(
            name=name, display_name=display_name or name, roles=format_roles(wanted), password_hash=password_hash,
            os_account=os_account, active=True, created_at=format_time(ctx.clock()), created_by=admin.id,
            pending_admin_by=admin.id if pending else None)).inserted_primary_key[0]
        user = user_by_id(connection, new_id)
        _audit(ctx, connection, admin.name, "user.added", user, None, user)
        return user


def set_roles(ctx: Context, actor: User, name: str, roles: Iterable[Role]) -> User:
    wanted = set(roles)
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "change roles")
        before = get_user(connection, name, lock=True)
        pending_by = before.pending_admin_by
        if Role.ADMIN in wanted and Role.ADMIN not in before.roles and _admin_count(connection) >= 2:
            wanted.discard(Role.ADMIN)
            pending_by = admin.id  # a second admin must confirm
        if Role.ADMIN not in wanted and Role.ADMIN in before.roles and _admin_count(connection) <= 1:
            raise AuthError(f"cannot remove the admin role from {name!r}: it is the last admin")
        connection.execute(update(users).where(users.c.id == before.id)
                           .values(roles=format_roles(wanted), pending_admin_by=pending_by))
        after = user_by_id(connection, before.id)
        _audit(ctx, connection, admin.name, "user.roles_changed", after, before, after)
        return after


def confirm_admin(ctx: Context, actor: User, name: str) -> User:
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "confirm an admin grant")
        before = get_user(connection, name, lock=True)
        if before.pending_admin_by is None:
            raise AuthError(f"user {name!r} has no admin grant waiting for confirmation")
        if admin.id in (before.pending_admin_by, before.id):
            raise AuthError("an admin grant must be confirmed by a different admin than the one who granted it")
        connection.execute(update(users).where(users.c.id == before.id).values(
            roles=format_roles(set(before.roles) | {Role.ADMIN}), pending_admin_by=None))
        after = user_by_id(connection, before.id)
        _audit(ctx, connection, admin.name, "user.admin_confirmed", after, before, after)
        return after


def set_password(ctx: Context, actor: User, name: str, password: str) -> None:
    _check_password(password)
    password_hash = ctx.hasher.hash(password)
    with ctx.database.transaction() as connection:
        who = current(connection, actor)
        target = get_user(connection, name, lock=True)
        if who.id != target.id:
            require_role(who, Role.ADMIN, "set another user's password")
        connection.execute(update(users).where(users.c.id == target.id).values(password_hash=password_hash))
        ctx.audit.append(connection, AuditEvent(actor=who.name, action="user.password_changed",
                                                subject=f"user:{target.name}", after={"password_changed": True}))


def disable_user(ctx: Context, actor: User, name: str) -> User:
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "disable users")
        before = get_user(connection, name, lock=True)
        if Role.ADMIN in before.roles and _admin_count(connection) <= 1:
            raise AuthError(f"cannot disable {name!r}: it is the last admin")
        connection.execute(update(users).where(users.c.id == before.id).values(active=False))
        after = user_by_id(connection, before.id)
        _audit(ctx, connection, admin.name, "user.disabled", after, before, after)
        return after


def authenticate(ctx: Context, name: str, password: str) -> User:
    """Rate limited per account name; every failure is audited (see signin_limits)."""
    return limited_signin(ctx, name, lambda: _check_password_of(ctx, name, password))


def _check_password_of(ctx: Context, name: str, password: str) -> User:
    with ctx.database.reading() as connection:
        row = connection.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        ctx.hasher.burn()
        raise AuthError(f"authentication failed for user {name!r}")
    if not ctx.hasher.verify(password, row.password_hash) or not row.active:
        raise AuthError(f"authentication failed for user {name!r}")
    return User.from_row(row)


def authenticate_os_account(ctx: Context, os_account: str) -> User:
    """The operating system already authenticated this account; map it to a CallShield user."""
    with ctx.database.reading() as connection:
        row = connection.execute(select(users).where(users.c.os_account == os_account)).first()
    if row is None or not row.active:
        raise AuthError(f"operating-system account {os_account!r} is not mapped to an active CallShield user")
    return User.from_row(row)


def register_admin_key(ctx: Context, actor: User, public_b64: str) -> str:
    """An admin registers their own policy-signing public key; returns its key id."""
    load_public_key(public_b64)  # refuses anything that is not an Ed25519 key
    key_id = key_id_for(public_b64)
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "register a policy signing key")
        if connection.execute(select(admin_keys.c.key_id).where(admin_keys.c.key_id == key_id)).first():
            raise AuthError(f"key {key_id} is already registered")
        connection.execute(insert(admin_keys).values(key_id=key_id, user_id=admin.id, public_key=public_b64,
                                                     added_at=format_time(ctx.clock()), revoked_at=None))
        ctx.audit.append(connection, AuditEvent(actor=admin.name, action="user.key_registered",
                                                subject=f"user:{admin.name}",
                                                after={"key_id": key_id, "public_key": public_b64}))
    return key_id


def revoke_admin_key(ctx: Context, actor: User, key_id: str) -> None:
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "revoke a policy signing key")
        row = connection.execute(select(admin_keys).where(admin_keys.c.key_id == key_id).with_for_update()).first()
        if row is None or row.revoked_at is not None:
            raise AuthError(f"no active key {key_id}")
        connection.execute(update(admin_keys).where(admin_keys.c.key_id == key_id)
                           .values(revoked_at=format_time(ctx.clock())))
        ctx.audit.append(connection, AuditEvent(actor=admin.name, action="user.key_revoked",
                                                subject=f"user:{user_by_id(connection, row.user_id).name}",
                                                before={"key_id": key_id}, after={"revoked": True}))
