"""The directory of counterparties and internal executives, managed by admins only.

Call-back numbers come from here and nowhere else; each carries its provenance (who entered it,
from what independent source, when). Every addition or change is signed by the admin who makes it
(directory_signing.py), and call-backs read an entry only as signed. Code phrases are kept as slow
hashes; TOTP secrets are kept because verifying a code needs them; voiceprints are embeddings only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

import pyotp
from sqlalchemy import Connection, insert, select, update

from verification.audit.log import AuditEvent
from verification.errors import DirectoryError
from verification.store.clock import format_time
from verification.store.tables import directory_entries, directory_phones, voiceprints
from verification.trust.records import TrustState
from verification.trust.store import trust_state
from verification.workflow.context import Context
from verification.workflow.directory_signing import entry_problem, sign_entry, whole_problem
from verification.workflow.names import normalise_name, refuse_controls
from verification.workflow.roles import Role, User, require_role
from verification.workflow.secrets_hash import normalise_phrase
from verification.workflow.signing import signing_key_of
from verification.workflow.users import current
from verification.workflow.vectors import finite_vector

KINDS = ("counterparty", "executive")
MIN_SOURCE = 5


@dataclass(frozen=True)
class Phone:
    id: int
    number: str
    label: str
    source: str
    entered_by: int
    entered_at: str
    active: bool

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "label": self.label, "source": self.source,
                "entered_by": self.entered_by, "entered_at": self.entered_at, "active": self.active}


@dataclass(frozen=True)
class Entry:
    id: int
    name: str
    kind: str
    organisation: str | None
    created_at: str
    has_phrase: bool
    has_totp: bool
    phones: list[Phone] = field(default_factory=list)
    voiceprints: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "organisation": self.organisation,
                "created_at": self.created_at, "code_phrase_enrolled": self.has_phrase,
                "totp_enrolled": self.has_totp, "voiceprints": self.voiceprints,
                "phones": [p.as_dict() for p in self.phones]}


def normalise_number(text: str) -> str:
    """Digits with an optional leading +; spaces, dots, dashes and brackets are dropped."""
    stripped = "".join(ch for ch in text.strip() if ch not in " .-()/\t")
    digits = stripped[1:] if stripped.startswith("+") else stripped
    if not digits.isdigit() or not 6 <= len(digits) <= 16:
        raise DirectoryError(f"not a phone number: {text!r}")
    return stripped


def _phones(connection: Connection, entry_id: int, only_active: bool) -> list[Phone]:
    query = select(directory_phones).where(directory_phones.c.entry_id == entry_id).order_by(directory_phones.c.id)
    if only_active:
        query = query.where(directory_phones.c.active.is_(True))
    return [Phone(r.id, r.number, r.label, r.source, r.entered_by, r.entered_at, bool(r.active))
            for r in connection.execute(query)]


def _entry(connection: Connection, row: Any, only_active_phones: bool = True) -> Entry:
    count = len(connection.execute(select(voiceprints.c.id).where(voiceprints.c.entry_id == row.id)).all())
    return Entry(row.id, row.name, row.kind, row.organisation, row.created_at, row.phrase_hash is not None,
                 row.totp_secret is not None, _phones(connection, row.id, only_active_phones), count)


def get_entry(connection: Connection, name: str, lock: bool = False) -> Entry:
    query = select(directory_entries).where(directory_entries.c.name == name)
    row = connection.execute(query.with_for_update() if lock else query).first()
    if row is None or not row.active:
        raise DirectoryError(f"no directory entry named {name!r}")
    return _entry(connection, row)


def entry_by_id(connection: Connection, entry_id: int) -> Entry:
    return _entry(connection, connection.execute(select(directory_entries)
                                                 .where(directory_entries.c.id == entry_id)).one())


def entry_secrets(connection: Connection, entry_id: int, lock: bool = False) -> Any:
    query = select(directory_entries).where(directory_entries.c.id == entry_id)
    return connection.execute(query.with_for_update() if lock else query).one()


def list_entries(connection: Connection) -> list[Entry]:
    rows = connection.execute(select(directory_entries).where(directory_entries.c.active.is_(True))
                              .order_by(directory_entries.c.name))
    return [_entry(connection, row) for row in rows]


def _admin(connection: Connection, actor: User, doing: str) -> User:
    admin = current(connection, actor)
    require_role(admin, Role.ADMIN, doing)
    return admin


def _signing_admin(ctx: Context, connection: Connection, actor: User) -> User:
    """An admin whose own key (not one an admin set) signs directory changes."""
    admin = _admin(connection, actor, "edit the directory")
    trust = signing_key_of(ctx, connection, admin)
    assert admin.signer is not None
    if not trust.keys[admin.signer.key_id].owner_set:
        raise DirectoryError(f"{admin.name!r} signs with a key an admin set: change your password first")
    return admin


def _require_signed(ctx: Context, connection: Connection, entry_id: int, replacing: str | None = None) -> None:
    """A change is signed over the whole entry: never over rows or secrets someone edited in the database
    (bar the secret this change replaces)."""
    problem = whole_problem(connection, trust_state(connection, ctx.pins), entry_id, replacing)
    if problem:
        raise DirectoryError(problem)


def verified_entry(connection: Connection, trust: TrustState, entry_id: int) -> Entry:
    """The entry as its admin signed it, with its active phones; a one-line refusal naming the counterparty
    when it is unsigned or its rows were changed in the database."""
    problem = entry_problem(connection, trust, entry_id)
    if problem:
        raise DirectoryError(problem)
    data = trust.directory[entry_id].entry
    phones = [Phone(int(p["id"]), str(p["number"]), str(p["label"]), str(p["source"]), int(p["entered_by"]),
                  str(p["entered_at"]), True) for p in data["phones"] if p["active"]]
    row = entry_secrets(connection, entry_id)
    count = len(connection.execute(select(voiceprints.c.id).where(voiceprints.c.entry_id == entry_id)).all())
    return Entry(entry_id, str(data["name"]), str(data["kind"]), data["organisation"], str(data["created_at"]),
                 row.phrase_hash is not None, row.totp_secret is not None, phones, count)


def _audit(ctx: Context, connection: Connection, admin: User, action: str, name: str, after: Any,
           before: Any = None) -> None:
    ctx.audit.append(connection, AuditEvent(actor=admin.name, action=action, subject=f"directory:{name}",
                                            before=before, after=after))


def add_entry(ctx: Context, actor: User, name: str, kind: str, organisation: str | None = None) -> Entry:
    if kind not in KINDS:
        raise DirectoryError(f"directory kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not name.strip():
        raise DirectoryError("directory entry needs a name")
    name = normalise_name(name, "directory entry name", DirectoryError)
    organisation = organisation and normalise_name(organisation, "organisation", DirectoryError)
    with ctx.database.transaction() as connection:
        admin = _signing_admin(ctx, connection, actor)
        exists = connection.execute(select(directory_entries.c.id).where(directory_entries.c.name == name)).first()
        if exists:
            raise DirectoryError(f"a directory entry named {name!r} already exists")
        connection.execute(insert(directory_entries).values(
            name=name, kind=kind, organisation=organisation, phrase_hash=None, totp_secret=None, totp_last_step=None,
            created_at=format_time(ctx.clock()), created_by=admin.id, active=True))
        entry = get_entry(connection, name)
        record = sign_entry(ctx, connection, admin, entry.id)
        _audit(ctx, connection, admin, "directory.entry_added", name, {**entry.as_dict(), "signed_record": record})
        return entry


def sign_existing(ctx: Context, actor: User, name: str) -> Entry:
    """An admin signs an entry as it stands after checking it (one made before entries were signed, or one
    whose rows were changed in the database): from now on call-backs may use it."""
    with ctx.database.transaction() as connection:
        admin = _signing_admin(ctx, connection, actor)
        entry = get_entry(connection, name, lock=True)
        before = whole_problem(connection, signing_key_of(ctx, connection, admin), entry.id)
        if before is None:
            raise DirectoryError(f"directory entry {name!r} is already signed and unchanged")
        record = sign_entry(ctx, connection, admin, entry.id)
        signed = _entry(connection, entry_secrets(connection, entry.id), only_active_phones=False)
        _audit(ctx, connection, admin, "directory.entry_signed", name, {**signed.as_dict(), "signed_record": record},
               before={"problem": before})
        return entry


def add_phone(ctx: Context, actor: User, name: str, number: str, source: str, label: str = "main") -> Phone:
    """`source` says where the number came from, independently of any request (contract, master data...)."""
    normalised = normalise_number(number)
    refuse_controls(source + label, "source or label", error=DirectoryError)
    if len(source.strip()) < MIN_SOURCE:
        raise DirectoryError("say where the number came from (--source), e.g. 'signed contract 2024-03, page 2'")
    with ctx.database.transaction() as connection:
        admin = _signing_admin(ctx, connection, actor)
        entry = get_entry(connection, name, lock=True)
        _require_signed(ctx, connection, entry.id)
        phone_id = connection.execute(insert(directory_phones).values(
            entry_id=entry.id, number=normalised, label=label, source=source.strip(), entered_by=admin.id,
            entered_at=format_time(ctx.clock()), active=True)).inserted_primary_key[0]
        phone = next(p for p in _phones(connection, entry.id, True) if p.id == phone_id)
        record = sign_entry(ctx, connection, admin, entry.id)
        _audit(ctx, connection, admin, "directory.phone_added", name, {**phone.as_dict(), "signed_record": record})
        return phone


def remove_phone(ctx: Context, actor: User, phone_id: int) -> None:
    with ctx.database.transaction() as connection:
        admin = _signing_admin(ctx, connection, actor)
        row = connection.execute(select(directory_phones).where(directory_phones.c.id == phone_id)
                                 .with_for_update()).first()
        if row is None or not row.active:
            raise DirectoryError(f"no active phone number with id {phone_id}")
        entry_secrets(connection, row.entry_id, lock=True)  # one signed snapshot at a time per entry
        _require_signed(ctx, connection, row.entry_id)
        connection.execute(update(directory_phones).where(directory_phones.c.id == phone_id).values(
            active=False, removed_at=format_time(ctx.clock()), removed_by=admin.id))
        entry = entry_by_id(connection, row.entry_id)
        record = sign_entry(ctx, connection, admin, entry.id)
        _audit(ctx, connection, admin, "directory.phone_removed", entry.name,
               {"phone_id": phone_id, "active": False, "signed_record": record},
               before={"phone_id": phone_id, "number": row.number})


def set_code_phrase(ctx: Context, actor: User, name: str, phrase: str) -> None:
    spoken = normalise_phrase(phrase)
    if len(spoken) < 8:
        raise DirectoryError("code phrase too short: at least 8 characters")
    phrase_hash = ctx.hasher.hash(spoken)
    with ctx.database.transaction() as connection:
        admin = _signing_admin(ctx, connection, actor)
        entry = get_entry(connection, name, lock=True)
        _require_signed(ctx, connection, entry.id, replacing="phrase")
        connection.execute(update(directory_entries).where(directory_entries.c.id == entry.id)
                           .values(phrase_hash=phrase_hash))
        record = sign_entry(ctx, connection, admin, entry.id)
        _audit(ctx, connection, admin, "directory.phrase_set", name,
               {"code_phrase_enrolled": True, "signed_record": record})


def enroll_totp(ctx: Context, actor: User, name: str, issuer: str = "CallShield") -> str:
    """Returns the provisioning URI, shown once to set up the counterparty's authenticator."""
    secret = pyotp.random_base32()
    with ctx.database.transaction() as connection:
        admin = _signing_admin(ctx, connection, actor)
        entry = get_entry(connection, name, lock=True)
        _require_signed(ctx, connection, entry.id, replacing="totp")
        connection.execute(update(directory_entries).where(directory_entries.c.id == entry.id)
                           .values(totp_secret=secret, totp_last_step=None))
        record = sign_entry(ctx, connection, admin, entry.id)
        _audit(ctx, connection, admin, "directory.totp_enrolled", name,
               {"totp_enrolled": True, "signed_record": record})
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=issuer)


def enroll_voiceprint(ctx: Context, actor: User, name: str, model_id: str, embedding: Sequence[float]) -> int:
    vector = finite_vector(embedding, "a voiceprint embedding", 4096)
    refuse_controls(model_id, "model id", error=DirectoryError)
    with ctx.database.transaction() as connection:
        admin = _signing_admin(ctx, connection, actor)
        entry = get_entry(connection, name, lock=True)
        _require_signed(ctx, connection, entry.id)
        vp_id = connection.execute(insert(voiceprints).values(
            entry_id=entry.id, model_id=model_id, embedding=json.dumps(vector), enrolled_by=admin.id,
            enrolled_at=format_time(ctx.clock()))).inserted_primary_key[0]
        record = sign_entry(ctx, connection, admin, entry.id)
        _audit(ctx, connection, admin, "directory.voiceprint_enrolled", name,
               {"voiceprint_id": vp_id, "model_id": model_id, "dimensions": len(vector), "signed_record": record})
        return int(vp_id)
