"""Signed key registrations and role grants, replayed from the pinned root into who holds which key and role.

Rules the replay enforces (the database's users table is only an index checked against it):
- a root admin's key and admin role come from the pinned root, nothing else;
- a key record is valid when signed by the key it replaces (its owner rotating it) or by admins other than
  its subject: one admin, or two for an admin's or approver's key (a password reset of such a person);
- a roles record is valid when signed by admins other than its subject: two to add admin or approver, one
  otherwise; a record without enough signatures is a pending request, not a grant;
- only keys their owner made (owner_set) sign for two-person rules: an admin who set a password knew it;
- an installation record (an audit-signing key of one machine) is valid when signed by the admin it names,
  with a key that admin made; nothing else makes an installation's audit records count;
- a directory record is an admin's signature over one directory entry as it stands after their change (its
  name, kind, organisation and every phone number with its source); valid when signed by the admin it names
  with a key that admin made; the latest valid one per entry is what call-backs read;
- a retirement record ends an installation key after a given audit record (a new key registered for the
  same machine, or a stolen machine): any admin with a key they made may sign it; it only ever takes away.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from verification.audit.canonical import canonical_bytes
from verification.audit.keys import key_id_for, verify_b64
from verification.trust.root import TrustRoot

RECORD_SCHEMA = "callshield.trust/1"
TWO_PERSON_ROLES = frozenset({"admin", "approver"})


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    user_id: int
    public_key: str
    owner_set: bool


@dataclass(frozen=True)
class StoredTrustRecord:
    id: int
    kind: str
    user_id: int
    body: str
    signatures: list[dict[str, str]]


def record_message(body: str) -> bytes:
    return f"{RECORD_SCHEMA}\n{body}".encode("utf-8")


def key_body(user_id: int, user_name: str, key_id: str, public_key: str, owner_set: bool, replaces: str | None,
             at: str) -> str:
    return canonical_bytes({"schema": RECORD_SCHEMA, "kind": "key", "user_id": user_id, "user_name": user_name,
                            "key_id": key_id, "public_key": public_key, "owner_set": owner_set,
                            "replaces": replaces, "at": at}).decode("utf-8")


def policy_key_body(user_id: int, user_name: str, key_id: str, public_key: str, active: bool, at: str) -> str:
    return canonical_bytes({"schema": RECORD_SCHEMA, "kind": "policy_key", "user_id": user_id,
                            "user_name": user_name, "key_id": key_id, "public_key": public_key, "active": active,
                            "at": at}).decode("utf-8")


def roles_body(user_id: int, user_name: str, roles: Iterable[str], active: bool, at: str) -> str:
    return canonical_bytes({"schema": RECORD_SCHEMA, "kind": "roles", "user_id": user_id, "user_name": user_name,
                            "roles": sorted(set(roles)), "active": active, "at": at}).decode("utf-8")


def installation_body(user_id: int, user_name: str, key_id: str, public_key: str, label: str,
                      at: str) -> str:
    """An admin (`user_id`) registers one installation's audit-signing key."""
    return canonical_bytes({"schema": RECORD_SCHEMA, "kind": "installation", "user_id": user_id,
                            "user_name": user_name, "key_id": key_id, "public_key": public_key, "label": label,
                            "at": at}).decode("utf-8")


def retirement_body(user_id: int, user_name: str, key_id: str, after_seq: int, reason: str, at: str) -> str:
    """An admin (`user_id`) retires installation key `key_id`: it counts for no audit record after `after_seq`."""
    return canonical_bytes({"schema": RECORD_SCHEMA, "kind": "retirement", "user_id": user_id,
                            "user_name": user_name, "key_id": key_id, "after_seq": after_seq, "reason": reason,
                            "at": at}).decode("utf-8")


def directory_body(user_id: int, user_name: str, entry: dict[str, Any], at: str) -> str:
    """An admin (`user_id`) signs a directory entry as it stands (verification/workflow/directory_signing.py)."""
    return canonical_bytes({"schema": RECORD_SCHEMA, "kind": "directory", "user_id": user_id,
                            "user_name": user_name, "entry": entry, "at": at}).decode("utf-8")


@dataclass(frozen=True)
class SignedEntry:
    record_id: int
    entry: dict[str, Any]  # the signed snapshot
    signed_by: str
    at: str


@dataclass(frozen=True)
class InstallationInfo:
    key_id: str
    public_key: str
    label: str
    registered_by: int


@dataclass
class TrustState:
    """Who holds which key and which roles, as far as signed records rooted in the pin show."""

    keys: dict[str, KeyInfo] = field(default_factory=dict)
    active_key: dict[int, str] = field(default_factory=dict)  # user id -> the one key that signs for them now
    roles: dict[int, frozenset[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)  # record ids still waiting for a second admin
    policy_keys: dict[str, KeyInfo] = field(default_factory=dict)  # an admin's policy-signing keys, while active
    installations: dict[str, InstallationInfo] = field(default_factory=dict)  # audit keys admins registered
    retired: dict[str, tuple[InstallationInfo, int]] = field(default_factory=dict)  # key id -> (key, last seq)
    directory: dict[int, SignedEntry] = field(default_factory=dict)  # entry id -> its latest signed snapshot
    directory_records: dict[int, SignedEntry] = field(default_factory=dict)  # record id -> every valid snapshot

    def audit_keys(self) -> dict[str, str]:
        """Every installation key that ever counted (retired ones too): key id -> public key."""
        keys = {k: info.public_key for k, (info, _) in self.retired.items()}
        keys.update({k: info.public_key for k, info in self.installations.items()})
        return keys

    def retired_after(self) -> dict[str, int]:
        """Retired key id -> the last audit record it may have signed."""
        return {k: seq for k, (_, seq) in self.retired.items()}

    def key_of(self, user_id: int) -> KeyInfo | None:
        key_id = self.active_key.get(user_id)
        return None if key_id is None else self.keys[key_id]

    def has_role(self, user_id: int, role: str) -> bool:
        return role in self.roles.get(user_id, frozenset())

    def is_signing_key(self, user_id: int, key_id: str) -> bool:
        return self.active_key.get(user_id) == key_id

    def signers(self, record: StoredTrustRecord) -> dict[int, KeyInfo]:
        """Users whose current key made a valid signature over this record."""
        found: dict[int, KeyInfo] = {}
        for sig in record.signatures:
            info = self.keys.get(str(sig.get("key_id")))
            if info is None or self.active_key.get(info.user_id) != info.key_id:
                continue
            if verify_b64(info.public_key, str(sig.get("signature")), record_message(record.body)):
                found[info.user_id] = info
        return found

    def admin_signers(self, record: StoredTrustRecord, subject: int) -> set[int]:
        return {uid for uid, info in self.signers(record).items()
                if uid != subject and info.owner_set and self.has_role(uid, "admin")}


def _apply_key(state: TrustState, record: StoredTrustRecord, body: dict[str, Any]) -> str | None:
    subject = record.user_id
    info = KeyInfo(str(body["key_id"]), subject, str(body["public_key"]), bool(body["owner_set"]))
    signers = state.signers(record)
    rotated = body.get("replaces") is not None and signers.get(subject) is not None \
        and signers[subject].key_id == body["replaces"] and state.active_key.get(subject) == body["replaces"]
    if rotated:
        if info.owner_set is not True:
            return "a rotated key must be its owner's"
    else:
        if info.owner_set:
            return "a key registered by an admin cannot claim its owner made it"
        needed = 2 if state.roles.get(subject, frozenset()) & TWO_PERSON_ROLES else 1
        if len(state.admin_signers(record, subject)) < needed:
            return "pending" if state.admin_signers(record, subject) else "not signed by an admin"
    state.keys[info.key_id] = info
    state.active_key[subject] = info.key_id
    return None


def _apply_roles(state: TrustState, record: StoredTrustRecord, body: dict[str, Any]) -> str | None:
    subject = record.user_id
    wanted = frozenset(str(r) for r in body["roles"]) if body.get("active", True) else frozenset()
    added = wanted - state.roles.get(subject, frozenset())
    needed = 2 if added & TWO_PERSON_ROLES else 1
    admins = state.admin_signers(record, subject)
    if len(admins) < needed:
        return "pending" if admins else "not signed by an admin other than its subject"
    state.roles[subject] = wanted
    return None


def _apply_policy_key(state: TrustState, record: StoredTrustRecord, body: dict[str, Any]) -> str | None:
    """An admin's policy-signing key counts only when their own key (one they made) registered it; any admin
    may revoke it (revoking only ever takes away)."""
    own = state.signers(record).get(record.user_id)
    key_id = str(body["key_id"])
    if not body.get("active", True):
        if (own is None or not own.owner_set) and not state.admin_signers(record, -1):
            return "revocation not signed by an admin"
        state.policy_keys.pop(key_id, None)
        return None
    if own is None or not own.owner_set:
        return "not signed by its owner's own key"
    state.policy_keys[key_id] = KeyInfo(key_id, record.user_id, str(body["public_key"]), True)
    return None


def _signed_by_its_admin(state: TrustState, record: StoredTrustRecord) -> bool:
    """Signed by the admin the record names, with a key that admin made (not one another admin set)."""
    admin = state.signers(record).get(record.user_id)
    return admin is not None and admin.owner_set and state.has_role(record.user_id, "admin")


def _apply_installation(state: TrustState, record: StoredTrustRecord, body: dict[str, Any]) -> str | None:
    key_id, public = str(body["key_id"]), str(body["public_key"])
    if key_id_for(public) != key_id:
        return "key id does not match its public key"
    if not _signed_by_its_admin(state, record):
        return "not signed by the admin it names"
    known = state.installations.get(key_id)
    if known is not None and known.public_key != public:
        return "a different public key under a registered key id"
    if key_id in state.retired:
        return "a retired installation key cannot be registered again"
    state.installations[key_id] = InstallationInfo(key_id, public, str(body["label"]), record.user_id)
    return None


def _apply_retirement(state: TrustState, record: StoredTrustRecord, body: dict[str, Any]) -> str | None:
    if not _signed_by_its_admin(state, record):
        return "not signed by the admin it names"
    after_seq = body["after_seq"]
    if not isinstance(after_seq, int) or isinstance(after_seq, bool) or after_seq < 0:
        raise ValueError("after_seq is not a record number")
    info = state.installations.pop(str(body["key_id"]), None)
    if info is None:
        return "retires no registered installation key"
    state.retired[info.key_id] = (info, after_seq)
    return None


def _apply_directory(state: TrustState, record: StoredTrustRecord, body: dict[str, Any]) -> str | None:
    if not _signed_by_its_admin(state, record):
        return "not signed by the admin it names"
    entry = body["entry"]
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), int) or not isinstance(entry.get("phones"), list):
        raise ValueError("entry is not a directory snapshot")
    signed = SignedEntry(record.id, entry, str(body["user_name"]), str(body["at"]))
    state.directory[int(entry["id"])] = signed
    state.directory_records[record.id] = signed
    return None


def replay(root: TrustRoot, records: Iterable[StoredTrustRecord]) -> TrustState:
    state = TrustState()
    for key in root.keys:
        state.keys[key.key_id] = KeyInfo(key.key_id, key.user_id, key.public_key, True)
        state.active_key[key.user_id] = key.key_id
        state.roles[key.user_id] = frozenset({"admin"})
    root_users = {key.user_id for key in root.keys}
    for record in records:
        try:
            body = json.loads(record.body)
            if body.get("schema") != RECORD_SCHEMA or body.get("kind") != record.kind \
                    or body.get("user_id") != record.user_id:
                raise ValueError("header does not match its body")
            if record.kind == "key":
                if record.user_id in root_users and body.get("replaces") is None:
                    continue  # a root key's own registration: the pin already says it
                problem = _apply_key(state, record, body)
            elif record.kind == "roles":
                problem = _apply_roles(state, record, body)
            elif record.kind == "policy_key":
                problem = _apply_policy_key(state, record, body)
            elif record.kind == "installation":
                problem = _apply_installation(state, record, body)
            elif record.kind == "directory":
                problem = _apply_directory(state, record, body)
            elif record.kind == "retirement":
                problem = _apply_retirement(state, record, body)
            else:
                problem = f"unknown kind {record.kind!r}"
        except (KeyError, TypeError, ValueError) as error:
            problem = f"unreadable ({error})"
        if problem == "pending":
            state.pending.append(record.id)
        elif problem:
            state.problems.append(f"trust record {record.id} ({record.kind} of user {record.user_id}): {problem}")
    return state
