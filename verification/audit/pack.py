"""Evidence pack for one request: the signed audit records and statements about it, the trust records and
root they rest on, and readable views derived from the records (request, call verdict and model hashes,
policy requirements, steps with provenance, approvals, history), the whole pack signed by the installation
key. pack_verify.py checks it offline against a trust root the checker holds.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from verification.audit.canonical import canonical_bytes
from verification.audit.keys import SigningKey
from verification.audit.verify import StoredRecord
from verification.errors import AuditError
from verification.store.clock import Clock, format_time
from verification.store.tables import audit_log, statements
from verification.trust.root import RootPins
from verification.trust.store import pinned_root, stored_records

PACK_SCHEMA = "callshield.evidence-pack/1"


def _records_about(connection: Connection, subject: str) -> list[StoredRecord]:
    query = select(audit_log).where(audit_log.c.body.like(f'%"subject":"{subject}"%')).order_by(audit_log.c.seq)
    found = []
    for row in connection.execute(query):
        if json.loads(row.body).get("subject") == subject:
            found.append(StoredRecord(row.seq, row.prev_hash, row.hash, row.key_id, row.signature, row.body))
    return found


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


def _statements(connection: Connection, request_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(select(statements).where(statements.c.request_id == request_id)
                              .order_by(statements.c.id))
    return [{"id": r.id, "kind": r.kind, "user_id": r.user_id, "key_id": r.key_id, "body": r.body,
             "signature": r.signature} for r in rows]


def build_pack(connection: Connection, request_id: int, key: SigningKey, clock: Clock,
               pins: RootPins | None) -> dict[str, Any]:
    """The pack carries what it rests on: the request's records and statements, and the trust records and
    root (as pinned here) that register the keys which signed them."""
    records = _records_about(connection, f"request:{request_id}")
    if not records:
        raise AuditError(f"no audit records for request {request_id}")
    root = pinned_root(connection, pins)
    pack: dict[str, Any] = {
        "schema": PACK_SCHEMA, "generated_at": format_time(clock()), **derive_views(records),
        "audit": {"records": [r.as_dict() for r in records]},
        "statements": _statements(connection, request_id),
        "trust": {"root": root.as_dict(),
                  "records": [{"id": t.id, "kind": t.kind, "user_id": t.user_id, "body": t.body,
                               "signatures": t.signatures} for t in stored_records(connection)]},
    }
    pack["signature"] = {"key_id": key.key_id, "public_key": key.public_b64,
                         "value": key.sign(canonical_bytes(pack))}
    return pack
