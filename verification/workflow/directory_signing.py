"""Directory entries as the admin who last changed them signed them.

Each addition or change is a `directory` trust record (trust/records.py): the admin's own key over the entry
as it stands after the change (name, kind, organisation, when it was created, every phone number with its
source, who entered it and whether it is still active). Call-backs and releases read the counterparty from
that signature, and only when the rows still say the same; an entry with no signature (made before entries
were signed) counts for nothing until an admin re-signs it (`callshield directory sign NAME`).

The signature also covers a digest of each stored secret (code phrase hash, TOTP secret, voiceprints), never
the secret itself: the phrase and TOTP steps refuse a secret whose digest is not the signed one. An entry
signed before digests were signed keeps its call-backs but not the steps that need its secrets until an admin
re-signs it."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, select

from verification.audit.canonical import canonical_bytes
from verification.store.clock import format_time
from verification.store.tables import directory_entries, directory_phones, voiceprints
from verification.trust.records import TrustState, directory_body
from verification.trust.store import append_record
from verification.workflow.context import Context
from verification.workflow.roles import User

SNAPSHOT_FIELDS = ("name", "kind", "organisation", "created_at", "active")
PHONE_FIELDS = ("id", "number", "label", "source", "entered_by", "entered_at", "active")
SECRETS = {"phrase": "code phrase", "totp": "TOTP secret", "voiceprints": "voiceprints"}
VOICEPRINT_FIELDS = ("id", "model_id", "embedding", "enrolled_by", "enrolled_at")


def _digest(kind: str, value: Any) -> str | None:
    """A commitment to a stored secret (a TOTP secret is 160 random bits, so its SHA-256 reveals nothing)."""
    if value is None:
        return None
    return hashlib.sha256(f"callshield.directory-secret/1\n{kind}\n".encode() + canonical_bytes(value)).hexdigest()


def secret_digests(connection: Connection, entry_id: int) -> dict[str, str | None]:
    """The digest of each secret the entry holds now (None when it holds none of that kind)."""
    row = connection.execute(select(directory_entries.c.phrase_hash, directory_entries.c.totp_secret)
                             .where(directory_entries.c.id == entry_id)).one()
    prints = [{f: getattr(v, f) for f in VOICEPRINT_FIELDS} for v in connection.execute(
        select(voiceprints).where(voiceprints.c.entry_id == entry_id).order_by(voiceprints.c.id))]
    return {"phrase": _digest("phrase", row.phrase_hash), "totp": _digest("totp", row.totp_secret),
            "voiceprints": _digest("voiceprints", prints or None)}


def snapshot(connection: Connection, entry_id: int) -> dict[str, Any]:
    """The entry's rows as the canonical dict an admin signs (every phone, removed ones too)."""
    row = connection.execute(select(directory_entries).where(directory_entries.c.id == entry_id)).one()
    phones = connection.execute(select(directory_phones).where(directory_phones.c.entry_id == entry_id)
                                .order_by(directory_phones.c.id))
    return {"id": row.id, **{f: getattr(row, f) for f in SNAPSHOT_FIELDS},
            "phones": [{f: getattr(p, f) for f in PHONE_FIELDS} for p in phones],
            "secrets": secret_digests(connection, entry_id)}


def sign_entry(ctx: Context, connection: Connection, admin: User, entry_id: int) -> int:
    """The admin's signature over the entry as it now stands; returns the trust record id."""
    assert admin.signer is not None
    body = directory_body(admin.id, admin.name, snapshot(connection, entry_id), format_time(ctx.clock()))
    return append_record(connection, "directory", admin.id, body, [admin.signer])


def entry_problem(connection: Connection, trust: TrustState, entry_id: int) -> str | None:
    """None when the entry's rows are exactly what an admin last signed; else one sentence naming it."""
    rows = snapshot(connection, entry_id)
    signed = trust.directory.get(entry_id)
    if signed is None:
        return (f"directory entry {rows['name']!r} is not signed by an admin (made before entries were signed, or "
                f"inserted by hand): an admin must check it and run `callshield directory sign {rows['name']!r}`")
    changed = _changes(signed.entry, rows)
    if changed:
        return (f"directory entry {signed.entry.get('name')!r} differs from what {signed.signed_by} signed "
                f"({', '.join(changed)} changed in the database)")
    return None


def secret_problem(connection: Connection, trust: TrustState, entry_id: int,
                   kinds: tuple[str, ...] = tuple(SECRETS)) -> str | None:
    """None when each of `kinds` the entry holds is the one an admin signed; else one sentence naming it."""
    signed = trust.directory.get(entry_id)
    if signed is None:
        return entry_problem(connection, trust, entry_id)
    name, digests = signed.entry.get("name"), secret_digests(connection, entry_id)
    covered = signed.entry.get("secrets")
    if not isinstance(covered, dict):
        held = [SECRETS[k] for k in kinds if digests[k] is not None]
        return None if not held else (
            f"directory entry {name!r} was signed by {signed.signed_by} before enrolments were signed, so nothing "
            f"covers its {' and '.join(held)}: an admin must check it and run `callshield directory sign {name!r}`")
    changed = [SECRETS[k] for k in kinds if covered.get(k) != digests[k]]
    return None if not changed else (f"directory entry {name!r}: its {' and '.join(changed)} changed in the "
                                     f"database since {signed.signed_by} signed it")


def whole_problem(connection: Connection, trust: TrustState, entry_id: int,
                  except_secret: str | None = None) -> str | None:
    """The entry's rows and every secret but `except_secret` (one an admin is replacing) against its signature."""
    kinds = tuple(k for k in SECRETS if k != except_secret)
    return entry_problem(connection, trust, entry_id) or secret_problem(connection, trust, entry_id, kinds)


def _changes(signed: dict[str, Any], rows: dict[str, Any]) -> list[str]:
    changed = [f for f in SNAPSHOT_FIELDS if signed.get(f) != rows.get(f)]
    signed_phones = {p.get("id"): p for p in signed.get("phones", [])}
    row_phones = {p["id"]: p for p in rows["phones"]}
    for phone_id in sorted(set(signed_phones) | set(row_phones), key=str):
        before, after = signed_phones.get(phone_id), row_phones.get(phone_id)
        if before is None or after is None:
            changed.append(f"phone {phone_id} {'added' if before is None else 'deleted'}")
        else:
            changed += [f"phone {phone_id} {f}" for f in PHONE_FIELDS if before.get(f) != after.get(f)]
    return changed


def directory_problems(connection: Connection, trust: TrustState) -> list[str]:
    """Every active entry that does not agree with its signature (for `audit verify`)."""
    ids = connection.execute(select(directory_entries.c.id).where(directory_entries.c.active.is_(True))
                             .order_by(directory_entries.c.id)).scalars()
    return [p for p in (whole_problem(connection, trust, int(i)) for i in ids) if p]
