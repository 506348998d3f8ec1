"""Users, roles, passwords and personal keys (admins' policy-signing keys: policy_keys.py). Every change is audited in the
same transaction.

Each person has an Ed25519 key sealed by their own password (trust/sealed.py). Keys and roles take effect
through signed trust records (trust/records.py), rooted in the first admins' keys pinned on each machine:
granting admin or approver, and resetting an admin's or approver's password, need a second admin; nobody
grants themselves a role. The `roles` column is only the index of what the records grant.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, func, insert, select, update

from verification.audit.keys import SigningKey
from verification.audit.log import AuditEvent
from verification.errors import AuditError, AuthError
from verification.store.clock import format_time
from verification.store.tables import audit_head, trust_records, users
from verification.trust.records import TWO_PERSON_ROLES, StoredTrustRecord, installation_body, key_body, roles_body
from verification.trust.root import RootKey, TrustRoot
from verification.trust.sealed import seal, unseal
from verification.trust.store import (append_record, cosign_record, database_id, publish_root, sealed_key,
                                      store_sealed_key, stored_records, trust_state)
from verification.workflow.context import Context
from verification.workflow.roles import Role, User, format_roles, require_role
from verification.workflow.signin_limits import limited_signin
from verification.workflow.signing import signing_key_of

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
    return user_by_id(connection, actor.id).with_signer(actor.signer)


def list_users(connection: Connection) -> list[User]:
    return [User.from_row(row) for row in connection.execute(select(users).order_by(users.c.name))]


def _serialise_admin_changes(connection: Connection) -> None:
    """Changes that could remove an admin queue on the audit head row (they append to it anyway), before
    reading anything: on PostgreSQL two admins removing each other would otherwise each count two admins in
    their own snapshot and leave none (write skew). SQLite's BEGIN IMMEDIATE already serialises them."""
    connection.execute(select(audit_head.c.seq).where(audit_head.c.id == 1).with_for_update())


def _admin_count(connection: Connection) -> int:
    rows = connection.execute(select(users.c.roles).where(users.c.active.is_(True)))
    return sum(1 for row in rows if Role.ADMIN.value in row.roles.split(","))


def _audit(ctx: Context, connection: Connection, actor: str, action: str, subject: User | str,
           before: User | None, after: User | None) -> None:
    name = subject.name if isinstance(subject, User) else subject
    ctx.audit.append(connection, AuditEvent(actor=actor, action=action, subject=f"user:{name}",
                                            before=before.as_dict() if before else None,
                                            after=after.as_dict() if after else None))


def _new_key(ctx: Context, password: str) -> tuple[SigningKey, str]:
    private = Ed25519PrivateKey.generate()
    p = ctx.hasher.params
    return SigningKey.from_private(private), seal(private, password, p.n, p.r, p.p)


def _sync_index(ctx: Context, connection: Connection, user_id: int) -> set[int]:
    """Write the roles the signed records grant into the index column; returns pending record ids."""
    state = trust_state(connection, ctx.pins)
    roles = {Role(r) for r in state.roles.get(user_id, frozenset())}
    connection.execute(update(users).where(users.c.id == user_id).values(roles=format_roles(roles)))
    own = {row.id for row in connection.execute(select(trust_records.c.id).where(trust_records.c.user_id == user_id))}
    pending = own & set(state.pending)
    connection.execute(update(trust_records).where(trust_records.c.user_id == user_id).values(state="done"))
    if pending:
        connection.execute(update(trust_records).where(trust_records.c.id.in_(pending)).values(state="pending"))
    return pending


def bootstrap_admins(ctx: Context, admins: Sequence[tuple[str, str, str | None]]) -> list[User]:
    """The set-up ceremony: the first admins, each typing their own password, become the trust root that
    every machine pins. With one admin, nothing that needs two admins can ever be done: use two."""
    if ctx.pins is None:
        raise AuthError("no trust root location for this session")
    if not admins or len({name for name, _, _ in admins}) != len(admins):
        raise AuthError("name one or more different first admins")
    for name, password, _ in admins:
        _check_name(name)
        _check_password(password)
    keys = [_new_key(ctx, password) for _, password, _ in admins]
    hashes = [ctx.hasher.hash(password) for _, password, _ in admins]  # slow: outside the transaction
    pinned: list[TrustRoot] = []
    try:
        with ctx.database.transaction() as connection:
            if connection.execute(select(func.count()).select_from(users)).scalar_one():
                raise AuthError("users already exist: an admin must add new users")
            now = format_time(ctx.clock())
            created: list[User] = []
            for (name, _, display), (key, sealed), password_hash in zip(admins, keys, hashes):
                new_id = connection.execute(insert(users).values(
                    name=name, display_name=display or name, roles=format_roles({Role.ADMIN}),
                    password_hash=password_hash, os_account=None, active=True,
                    created_at=now, created_by=None)).inserted_primary_key[0]
                store_sealed_key(connection, int(new_id), key, sealed, now)
                created.append(user_by_id(connection, int(new_id)).with_signer(key))
            signers = [u.signer for u in created if u.signer is not None]
            root = TrustRoot(database_id(connection), tuple(RootKey(u.id, u.name, u.signer.key_id,
                                                                    u.signer.public_b64)
                                                            for u in created if u.signer is not None))
            publish_root(connection, root)
            _pin(ctx, root)  # before the first audit record: the audit gate reads the pinned root
            pinned.append(root)
            # The installation the ceremony runs on: registered by the first admins, so it can write the log.
            install = ctx.audit.key
            append_record(connection, "installation", created[0].id,
                          installation_body(created[0].id, created[0].name, install.key_id, install.public_b64,
                                            "set-up ceremony", now), signers)
            for user in created:
                _audit(ctx, connection, user.name, "user.bootstrap_admin", user, None, user)
            ctx.audit.append(connection, AuditEvent(actor=created[0].name, action="trust.root_created",
                                                    subject="trust-root", after=root.as_dict()))
    except BaseException:
        for root in pinned:
            ctx.pins.forget(root)
        raise
    return created


def _pin(ctx: Context, root: TrustRoot) -> None:
    assert ctx.pins is not None
    try:
        ctx.pins.pin(root)
    except (OSError, AuditError) as error:
        raise AuthError(f"the trust root could not be pinned here, so no first admins were created: {error}") \
            from error


def create_first_admin(ctx: Context, name: str, password: str, display_name: str | None = None) -> User:
    """A lone first admin (see bootstrap_admins: rights limited to what one admin may do alone)."""
    return bootstrap_admins(ctx, [(name, password, display_name)])[0]


def add_user(ctx: Context, actor: User, name: str, roles: Iterable[Role], password: str,
             display_name: str | None = None, os_account: str | None = None) -> User:
    """The new person's key is sealed by the initial password and registered by this admin; roles that need
    two admins wait for a second one (`confirm_admin`)."""
    _check_name(name)
    _check_password(password)
    wanted = set(roles)
    if not wanted:
        raise AuthError("give the new user at least one role")
    password_hash = ctx.hasher.hash(password)  # slow: outside the transaction's locks
    key, sealed = _new_key(ctx, password)
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "add users")
        signing_key_of(ctx, connection, admin)
        assert admin.signer is not None
        if find_user(connection, name) is not None:
            raise AuthError(f"a user named {name!r} already exists")
        now = format_time(ctx.clock())
        new_id = int(connection.execute(insert(users).values(
            name=name, display_name=display_name or name, roles="", password_hash=password_hash,
            os_account=os_account, active=True, created_at=now, created_by=admin.id,
            pending_admin_by=admin.id if Role.ADMIN in wanted else None)).inserted_primary_key[0])
        store_sealed_key(connection, new_id, key, sealed, now)
        append_record(connection, "key", new_id, key_body(new_id, name, key.key_id, key.public_b64, False, None, now),
                      [admin.signer])
        at_once = {r for r in wanted if r.value not in TWO_PERSON_ROLES}
        if at_once and at_once != wanted:  # what one admin may grant applies now; the rest waits
            append_record(connection, "roles", new_id, roles_body(new_id, name, (r.value for r in at_once), True, now),
                          [admin.signer])
        append_record(connection, "roles", new_id, roles_body(new_id, name, (r.value for r in wanted), True, now),
                      [admin.signer])
        _sync_index(ctx, connection, new_id)
        user = user_by_id(connection, new_id)
        if Role.ADMIN in user.roles:
            connection.execute(update(users).where(users.c.id == new_id).values(pending_admin_by=None))
            user = user_by_id(connection, new_id)
        _audit(ctx, connection, admin.name, "user.added", user, None, user)
        return user


def set_roles(ctx: Context, actor: User, name: str, roles: Iterable[Role]) -> User:
    wanted = set(roles)
    with ctx.database.transaction() as connection:
        _serialise_admin_changes(connection)
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "change roles")
        signing_key_of(ctx, connection, admin)
        assert admin.signer is not None
        before = get_user(connection, name, lock=True)
        if before.id == admin.id and wanted - set(before.roles):
            raise AuthError("nobody grants themselves a role: another admin must")
        if Role.ADMIN not in wanted and Role.ADMIN in before.roles and _admin_count(connection) <= 1:
            raise AuthError(f"cannot remove the admin role from {name!r}: it is the last admin")
        now = format_time(ctx.clock())
        append_record(connection, "roles", before.id,
                      roles_body(before.id, before.name, (r.value for r in wanted), before.active, now), [admin.signer])
        pending = _sync_index(ctx, connection, before.id)
        adding_admin = Role.ADMIN in wanted and Role.ADMIN not in before.roles
        connection.execute(update(users).where(users.c.id == before.id).values(
            pending_admin_by=admin.id if adding_admin and pending else before.pending_admin_by))
        after = user_by_id(connection, before.id)
        _audit(ctx, connection, admin.name, "user.roles_changed", after, before, after)
        return after


def _pending_records(connection: Connection, user_id: int) -> list[StoredTrustRecord]:
    ids = {row.id for row in connection.execute(select(trust_records.c.id).where(
        trust_records.c.user_id == user_id, trust_records.c.state == "pending"))}
    return [r for r in stored_records(connection) if r.id in ids]


def confirm_admin(ctx: Context, actor: User, name: str) -> User:
    """A second admin co-signs what waits for them about this user: a role grant or a password reset."""
    with ctx.database.transaction() as connection:
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "confirm a grant")
        signing_key_of(ctx, connection, admin)
        assert admin.signer is not None
        before = get_user(connection, name, lock=True)
        waiting = _pending_records(connection, before.id)
        if not waiting:
            raise AuthError(f"user {name!r} has nothing waiting for a second admin")
        if admin.id == before.id:
            raise AuthError("nobody confirms their own grant or reset: another admin must")
        for record in waiting:
            if any(s.get("key_id") == admin.signer.key_id for s in record.signatures):
                raise AuthError("a grant must be confirmed by a different admin than the one who made it")
            cosign_record(connection, record, admin.signer)
        if _sync_index(ctx, connection, before.id):
            raise AuthError(f"the grant for {name!r} still does not verify (its first signer may have lost the "
                            f"admin role or changed key); make it again")
        connection.execute(update(users).where(users.c.id == before.id).values(pending_admin_by=None))
        after = user_by_id(connection, before.id)
        _audit(ctx, connection, admin.name, "user.admin_confirmed", after, before, after)
        return after


def set_password(ctx: Context, actor: User, name: str, password: str) -> None:
    """Your own: a fresh key, registered by your old one (it now counts for two-person rules). Another's
    (admin only): a fresh key the admin registers; for an admin or approver a second admin must confirm."""
    _check_password(password)
    password_hash = ctx.hasher.hash(password)
    key, sealed = _new_key(ctx, password)
    with ctx.database.transaction() as connection:
        who = current(connection, actor)
        target = get_user(connection, name, lock=True)
        signing_key_of(ctx, connection, who)
        assert who.signer is not None
        own = who.id == target.id
        if not own:
            require_role(who, Role.ADMIN, "set another user's password")
        now = format_time(ctx.clock())
        store_sealed_key(connection, target.id, key, sealed, now)
        append_record(connection, "key", target.id,
                      key_body(target.id, target.name, key.key_id, key.public_b64, own,
                               who.signer.key_id if own else None, now), [who.signer])
        pending = _sync_index(ctx, connection, target.id)
        connection.execute(update(users).where(users.c.id == target.id).values(password_hash=password_hash))
        ctx.audit.append(connection, AuditEvent(actor=who.name, action="user.password_changed",
                                                subject=f"user:{target.name}",
                                                after={"password_changed": True, "key_id": key.key_id,
                                                       "by_owner": own, "waits_for_second_admin": bool(pending)}))


def disable_user(ctx: Context, actor: User, name: str) -> User:
    with ctx.database.transaction() as connection:
        _serialise_admin_changes(connection)
        admin = current(connection, actor)
        require_role(admin, Role.ADMIN, "disable users")
        signing_key_of(ctx, connection, admin)
        assert admin.signer is not None
        before = get_user(connection, name, lock=True)
        if Role.ADMIN in before.roles and _admin_count(connection) <= 1:
            raise AuthError(f"cannot disable {name!r}: it is the last admin")
        append_record(connection, "roles", before.id, roles_body(before.id, before.name, (), False,
                                                                 format_time(ctx.clock())), [admin.signer])
        _sync_index(ctx, connection, before.id)
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
    return User.from_row(row).with_signer(_open_key(ctx, row.id, password))


def _open_key(ctx: Context, user_id: int, password: str) -> SigningKey | None:
    """The key that signs for this person now, opened with their password; None when there is none
    they can open (no pinned root here, or a reset still waiting for a second admin)."""
    try:
        with ctx.database.reading() as connection:
            key_id = trust_state(connection, ctx.pins).active_key.get(user_id)
            sealed = None if key_id is None else sealed_key(connection, key_id)
    except (AuthError, AuditError):
        return None
    if sealed is None:
        return None
    try:
        return unseal(sealed, password)
    except AuthError:
        return None


def authenticate_os_account(ctx: Context, os_account: str) -> User:
    """The operating system already authenticated this account; map it to a CallShield user."""
    with ctx.database.reading() as connection:
        row = connection.execute(select(users).where(users.c.os_account == os_account)).first()
    if row is None or not row.active:
        raise AuthError(f"operating-system account {os_account!r} is not mapped to an active CallShield user")
    return User.from_row(row)
