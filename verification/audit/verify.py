"""Verify the audit chain: numbering, links, content hashes, signatures, head, and local anchors.

A record counts only when signed by an installation key an admin registered through the pinned trust root
(`installation_keys`, passed in by the caller); a key the chain introduces itself counts for nothing. The
`audit_keys` table is only an index and is cross-checked. What this cannot catch
on its own, a full rewrite by someone holding a key, is what anchors are for (see anchor.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from sqlalchemy import Connection, select

from verification.audit.keys import verify_b64
from verification.audit.log import GENESIS_HASH, RECORD_SCHEMA, chain_hash, signed_message
from verification.audit.time_order import backwards_problem, record_time
from verification.store.tables import audit_head, audit_keys, audit_log


@dataclass(frozen=True)
class StoredRecord:
    seq: int
    prev_hash: str
    hash: str
    key_id: str
    signature: str
    body: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "prev_hash": self.prev_hash, "hash": self.hash, "key_id": self.key_id,
                "signature": self.signature, "body": self.body}


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    records: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "records": self.records, "head_seq": self.head_seq, "head_hash": self.head_hash,
                "first_bad_seq": self.first_bad_seq, "problem": self.problem}


def check_record(record: StoredRecord, expected_prev: str | None, keys: Mapping[str, str],
                 retired: Mapping[str, int] | None = None) -> str | None:
    """One record on its own and against its predecessor's hash; a problem sentence or None.

    `keys` maps the key ids admins registered to their public keys; `retired` maps a retired key id to the
    last record it may sign (a stolen old key signing after its retirement counts for nothing)."""
    if expected_prev is not None and record.prev_hash != expected_prev:
        return f"record {record.seq} does not follow record {record.seq - 1} (reordered, replaced or inserted)"
    if chain_hash(record.prev_hash, record.body) != record.hash:
        return f"record {record.seq} content does not match its hash (edited)"
    try:
        body = json.loads(record.body)
    except ValueError:
        return f"record {record.seq} body is not JSON (edited)"
    if body.get("schema") != RECORD_SCHEMA or body.get("seq") != record.seq or body.get("key_id") != record.key_id:
        return f"record {record.seq} header does not match its body (renumbered or edited)"
    public = keys.get(record.key_id)
    if public is None:
        return f"record {record.seq} is signed by key {record.key_id}, which no admin registered"
    if not verify_b64(public, record.signature, signed_message(record.hash)):
        return f"record {record.seq} signature is not valid for key {record.key_id} (forged or edited)"
    last = (retired or {}).get(record.key_id)
    if last is not None and record.seq > last:
        return (f"record {record.seq} is signed by installation key {record.key_id}, which an admin retired "
                f"after record {last}")
    return None


def check_chain(records: Iterable[StoredRecord], head_seq: int, head_hash: str, keys: Mapping[str, str],
                table_keys: Mapping[str, str] | None = None, retired: Mapping[str, int] | None = None) -> ChainCheck:
    """`keys`: the installation keys admins registered (key id -> public key); `retired`: see check_record."""
    prev_hash = GENESIS_HASH
    prev_at: str | None = None
    expected_seq = 1
    count = 0
    for record in records:
        if record.seq != expected_seq:
            missing = expected_seq if record.seq > expected_seq else record.seq
            return ChainCheck(False, count, head_seq, head_hash, missing,
                              f"record {missing} is missing (deleted); next present is {record.seq}")
        problem = check_record(record, prev_hash, keys, retired)
        at = record_time(record.body)
        problem = problem or backwards_problem(record.seq, at, prev_at)
        if problem:
            return ChainCheck(False, count, head_seq, head_hash, record.seq, problem)
        if table_keys is not None and record.key_id in table_keys and table_keys[record.key_id] != keys[record.key_id]:
            return ChainCheck(False, count, head_seq, head_hash, record.seq,
                              f"key table entry {record.key_id} differs from the key an admin registered")
        prev_hash = record.hash
        prev_at = at
        expected_seq += 1
        count += 1
    if count != head_seq:
        first = count + 1
        return ChainCheck(False, count, head_seq, head_hash, first,
                          f"record {first} is missing (deleted): the head says {head_seq} records, found {count}")
    if prev_hash != head_hash:
        return ChainCheck(False, count, head_seq, head_hash, head_seq,
                          f"record {head_seq} is not the record the head points to (replaced)")
    return ChainCheck(True, count, head_seq, head_hash)


def read_records(connection: Connection, up_to: int | None = None,
                 seqs: Iterable[int] | None = None) -> Iterable[StoredRecord]:
    query = select(audit_log).order_by(audit_log.c.seq)
    if up_to is not None:
        query = query.where(audit_log.c.seq <= up_to)
    if seqs is not None:
        query = query.where(audit_log.c.seq.in_(list(seqs)))
    for row in connection.execute(query.execution_options(yield_per=500)):
        yield StoredRecord(row.seq, row.prev_hash, row.hash, row.key_id, row.signature, row.body)


def verify_database_chain(connection: Connection, keys: Mapping[str, str],
                          retired: Mapping[str, int] | None = None) -> ChainCheck:
    """Head first, then the records up to it: concurrent appends after the head read are ignored.
    `keys`, `retired`: the installation keys admins registered and retired (trust/installations.py)."""
    head = connection.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).first()
    if head is None:
        return ChainCheck(False, 0, 0, GENESIS_HASH, 1, "the audit head row is missing (deleted)")
    table_keys = {row.key_id: row.public_key for row in connection.execute(select(audit_keys))}
    beyond = connection.execute(select(audit_log.c.seq).where(audit_log.c.seq > head.seq)
                                .order_by(audit_log.c.seq).limit(1)).first()
    result = check_chain(read_records(connection, up_to=head.seq), head.seq, head.hash, keys, table_keys, retired)
    if result.ok and beyond is not None:
        # Only possible if a row was inserted without moving the head, i.e. by hand.
        return ChainCheck(False, result.records, head.seq, head.hash, beyond.seq,
                          f"record {beyond.seq} lies beyond the head (inserted outside CallShield)")
    return result
