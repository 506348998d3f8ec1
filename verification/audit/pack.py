"""Evidence pack for one request: the signed audit records about it plus readable views derived
from them (request, call verdict and model hashes, policy requirements, steps with provenance,
approvals, history), the whole pack signed by the installation key. It verifies offline: every
record's hash and signature, the pack signature, and that each view is exactly what the records say.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import Connection, select

from verification.audit.canonical import canonical_bytes
from verification.audit.keys import SigningKey, verify_b64
from verification.audit.verify import StoredRecord, check_record
from verification.errors import AuditError
from verification.store.clock import Clock, format_time
from verification.store.tables import audit_log

PACK_SCHEMA = "callshield.evidence-pack/1"


def _records_about(connection: Connection, subject: str) -> list[StoredRecord]:
    query = select(audit_log).where(audit_log.c.body.like(f'%"subject":"{subject}"%')).order_by(audit_log.c.seq)
    found = []
    for row in connection.execute(query):
        if json.loads(row.body).get("subject") == subject:
            found.append(StoredRecord(row.seq, row.prev_hash, row.hash, row.key_id, row.signature, row.body))
    return found


def _key_records(connection: Connection, key_ids: Iterable[str]) -> list[StoredRecord]:
    out = []
    for key_id in sorted(set(key_ids)):
        out += _records_about(connection, f"key:{key_id}")
    return out


def _introduced_key(record: StoredRecord) -> tuple[str, str] | None:
    body = json.loads(record.body)
    if not str(body.get("action")) == "audit.key_registered":
        return None
    after = body.get("after") or {}
    return str(after.get("key_id")), str(after.get("public_key"))


def derive_views(records: list[StoredRecord]) -> dict[str, Any]:
    """Everything a reader sees, computed only from the signed record bodies."""
    bodies = [json.loads(r.body) for r in records if json.loads(r.body)["subject"].startswith("request:")]
    if not bodies:
        raise AuditError("the pack holds no records about a request")
    last = bodies[-1]["after"]["request"]
    steps = []
    for body in bodies:
        step = (body.get("after") or {}).get("step")
        if step is not None:
            steps.append({"seq": body["seq"], "at": step["at"], "actor": body["actor"], "kind": step["kind"],
                          "outcome": step["outcome"], "details": step["details"]})
    return {
        "request": last,
        "counterparty": bodies[0]["after"].get("counterparty"),
        "requester": bodies[0]["actor"],
        "call": bodies[-1].get("call"),
        "policy": {"version": last.get("policy_version"), "requirements": last.get("requirements")},
        "steps": steps,
        "approvals": [{"approver": s["actor"], "at": s["at"], "note": s["details"].get("note", "")}
                      for s in steps if s["kind"] == "approval" and s["outcome"] == "ok"],
        "history": [{"seq": b["seq"], "at": b["at"], "actor": b["actor"], "action": b["action"],
                     "state": b["after"]["request"]["state"]} for b in bodies],
    }


def build_pack(connection: Connection, request_id: int, key: SigningKey, clock: Clock) -> dict[str, Any]:
    records = _records_about(connection, f"request:{request_id}")
    if not records:
        raise AuditError(f"no audit records for request {request_id}")
    key_records = _key_records(connection, [r.key_id for r in records] + [key.key_id])
    pack: dict[str, Any] = {
        "schema": PACK_SCHEMA, "generated_at": format_time(clock()), **derive_views(records),
        "audit": {"records": [r.as_dict() for r in records], "key_records": [r.as_dict() for r in key_records]},
    }
    pack["signature"] = {"key_id": key.key_id, "public_key": key.public_b64,
                         "value": key.sign(canonical_bytes(pack))}
    return pack


@dataclass(frozen=True)
class PackCheck:
    ok: bool
    problem: str | None
    records: int
    keys: list[str]


def _stored(raw: Any) -> StoredRecord:
    return StoredRecord(int(raw["seq"]), str(raw["prev_hash"]), str(raw["hash"]), str(raw["key_id"]),
                        str(raw["signature"]), str(raw["body"]))


def verify_pack(pack: dict[str, Any], trusted_keys: set[str] | None = None) -> PackCheck:
    """Offline check; `trusted_keys` (key ids) pins which installations may have signed."""
    if not isinstance(pack, dict):
        return PackCheck(False, f"pack is malformed: a JSON object was expected, not {type(pack).__name__}", 0, [])
    try:
        return _verify(pack, trusted_keys)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return PackCheck(False, f"pack is malformed: {error}", 0, [])


def _verify(pack: dict[str, Any], trusted_keys: set[str] | None) -> PackCheck:
    if pack.get("schema") != PACK_SCHEMA:
        return PackCheck(False, f"not a {PACK_SCHEMA} document", 0, [])
    keys: dict[str, str] = {}
    for raw in pack["audit"]["key_records"]:
        record = _stored(raw)
        introduced = _introduced_key(record)
        problem = check_record(record, None, dict([introduced]) if introduced else {})
        if problem or introduced is None:
            return PackCheck(False, problem or f"record {record.seq} does not introduce a key", 0, [])
        keys[introduced[0]] = introduced[1]
    records = [_stored(raw) for raw in pack["audit"]["records"]]
    for record in records:
        problem = check_record(record, None, keys)
        if problem:
            return PackCheck(False, problem, len(records), sorted(keys))
    signature = pack["signature"]
    unsigned = {k: v for k, v in pack.items() if k != "signature"}
    if keys.get(signature["key_id"]) != signature["public_key"]:
        return PackCheck(False, "the pack is signed by a key its records do not introduce", len(records), sorted(keys))
    if not verify_b64(signature["public_key"], signature["value"], canonical_bytes(unsigned)):
        return PackCheck(False, "pack signature is not valid (the pack was edited)", len(records), sorted(keys))
    views = derive_views(records)
    for name, value in views.items():
        if canonical_bytes(pack.get(name)) != canonical_bytes(value):
            return PackCheck(False, f"pack section {name!r} differs from its signed audit records", len(records),
                             sorted(keys))
    used = {r.key_id for r in records} | {signature["key_id"]}
    if trusted_keys is not None and not used <= trusted_keys:
        return PackCheck(False, f"signed by untrusted key(s): {', '.join(sorted(used - trusted_keys))}",
                         len(records), sorted(keys))
    return PackCheck(True, None, len(records), sorted(used))
