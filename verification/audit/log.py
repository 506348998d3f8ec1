"""Appending to the audit log inside the caller's transaction.

Each record's body is canonical JSON; hash = sha256(prev_hash + "\\n" + body); the installation
key signs "callshield.audit/1\\n" + hash. The head row is locked (FOR UPDATE on PostgreSQL; SQLite
holds the database lock from BEGIN IMMEDIATE) so concurrent writers get consecutive numbers, and
the record commits or rolls back with the change it describes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import Connection, insert, select, update

from verification.audit.canonical import canonical_json
from verification.audit.keys import SigningKey
from verification.audit.time_order import require_forward
from verification.store.change_notice import announce
from verification.store.clock import Clock, format_time
from verification.store.tables import audit_head, audit_keys, audit_log

RECORD_SCHEMA = "callshield.audit/1"
GENESIS_HASH = "0" * 64
KEY_REGISTERED = "audit.key_registered"


def chain_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{body}".encode("utf-8")).hexdigest()


def signed_message(record_hash: str) -> bytes:
    return f"{RECORD_SCHEMA}\n{record_hash}".encode("ascii")


@dataclass(frozen=True)
class AuditEvent:
    """What happened: `before`/`after` are plain JSON values (None when not applicable)."""

    actor: str
    action: str
    subject: str
    before: Any = None
    after: Any = None
    policy_version: int | None = None
    call: dict[str, Any] | None = field(default=None)  # verdict summary and model hashes


@dataclass(frozen=True)
class AppendedRecord:
    seq: int
    hash: str


# Raises (one line) when `key` may not write to the log on this connection; see trust/installations.py.
WriteGate = Callable[[Connection, SigningKey], None]


class AuditLog:
    """Writes records signed by this installation's key, once `gate` lets that key write."""

    def __init__(self, key: SigningKey, clock: Clock, gate: WriteGate, label: str = "installation") -> None:
        self._key = key
        self._clock = clock
        self._gate = gate
        self._label = label

    @property
    def key(self) -> SigningKey:
        return self._key

    @property
    def gate(self) -> WriteGate:
        return self._gate

    def append(self, connection: Connection, event: AuditEvent) -> AppendedRecord:
        self._gate(connection, self._key)
        self._ensure_key_registered(connection)
        return self._append(connection, event)

    def _ensure_key_registered(self, connection: Connection) -> None:
        known = connection.execute(select(audit_keys.c.key_id).where(audit_keys.c.key_id == self._key.key_id))
        if known.first() is not None:
            return
        connection.execute(insert(audit_keys).values(key_id=self._key.key_id, public_key=self._key.public_b64,
                                                     label=self._label, registered_at=format_time(self._clock())))
        # A readable note of the key in the chain; it counts only through an admin's registration (the gate).
        self._append(connection, AuditEvent(actor="system", action=KEY_REGISTERED, subject=f"key:{self._key.key_id}",
                                            after={"key_id": self._key.key_id, "public_key": self._key.public_b64,
                                                   "label": self._label}))

    def _append(self, connection: Connection, event: AuditEvent) -> AppendedRecord:
        head = connection.execute(select(audit_head.c.seq, audit_head.c.hash)
                                  .where(audit_head.c.id == 1).with_for_update()).one()
        seq = head.seq + 1
        at = format_time(self._clock())  # read with the head locked, so appends are dated in order
        require_forward(connection, head.seq, at)
        body = canonical_json({
            "schema": RECORD_SCHEMA, "seq": seq, "at": at, "actor": event.actor,
            "action": event.action, "subject": event.subject, "before": event.before, "after": event.after,
            "policy_version": event.policy_version, "call": event.call, "key_id": self._key.key_id,
        })
        record_hash = chain_hash(head.hash, body)
        connection.execute(insert(audit_log).values(seq=seq, prev_hash=head.hash, hash=record_hash,
                                                    key_id=self._key.key_id,
                                                    signature=self._key.sign(signed_message(record_hash)),
                                                    body=body))
        connection.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=record_hash))
        announce(connection, seq)  # other processes' views wake when this commits (PostgreSQL)
        return AppendedRecord(seq, record_hash)
