"""Checking an evidence pack offline against a trust root the checker holds (`--root FILE`, or the root
pinned on this machine), never against keys the pack brings along:
- audit records and the pack itself signed by installation keys registered through that root;
- statements signed by keys registered to their authors through that root, over the pack's request content;
- every call-back's number, as its statement records it, is a number of the counterparty's directory entry as an
  admin signed it (the trust record the statement names);
- completeness: the request's records run from its creation (version 1) without a version gap, and every
  step they record, and the requester's submission, has its signed statement in the pack;
- every readable view is exactly what the signed records say."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from verification.audit.canonical import canonical_bytes
from verification.audit.keys import verify_b64
from verification.audit.pack import PACK_SCHEMA, derive_views
from verification.audit.verify import StoredRecord, check_record
from verification.errors import AuditError
from verification.trust.records import StoredTrustRecord, TrustState, replay
from verification.trust.root import TrustRoot
from verification.trust.statements import Statement, check_statement, request_content


@dataclass(frozen=True)
class PackCheck:
    ok: bool
    problem: str | None
    records: int
    keys: list[str]


def _stored(raw: Any) -> StoredRecord:
    return StoredRecord(int(raw["seq"]), str(raw["prev_hash"]), str(raw["hash"]), str(raw["key_id"]),
                        str(raw["signature"]), str(raw["body"]))


def verify_pack(pack: Any, root: TrustRoot | None) -> PackCheck:
    """`root`: the trust root the checker holds; None only for a pack that names none (reported malformed)."""
    if not isinstance(pack, dict):
        return PackCheck(False, f"pack is malformed: a JSON object was expected, not {type(pack).__name__}", 0, [])
    try:
        return _verify(pack, root)
    except (KeyError, TypeError, ValueError, AttributeError, AuditError) as error:
        return PackCheck(False, f"pack is malformed: {error}", 0, [])


def _trust(pack: dict[str, Any], root: TrustRoot) -> TrustState:
    records = [StoredTrustRecord(int(r["id"]), str(r["kind"]), int(r["user_id"]), str(r["body"]),
                                 list(r["signatures"])) for r in pack["trust"]["records"]]
    return replay(root, records)


def _version_gap(records: list[StoredRecord]) -> str | None:
    versions = [int(json.loads(r.body)["after"]["request"]["version"]) for r in records]
    expected = 1
    for record, version in zip(records, versions):
        if version > expected:
            return (f"the request's records are incomplete: version {expected} is missing before record "
                    f"{record.seq} (a record was removed)")
        expected = max(expected, version + 1)
    return None


def _content(pack: dict[str, Any]) -> dict[str, Any]:
    request, call = pack["request"], pack.get("call") or {}
    return request_content(request["kind"], str(request["amount"]), request["currency"], request["beneficiary"],
                           int(request["counterparty_id"]), str(pack["counterparty"]), request["policy_version"],
                           call.get("report_sha256"))


def _callback_number_problem(statement: Statement, trust: TrustState, counterparty_id: int) -> str | None:
    details = statement.details
    record_id = details.get("directory_record")
    signed = None if record_id is None else trust.directory_records.get(int(record_id))
    what = f"statement {statement.id} (call-back on {details.get('number')})"
    if signed is None:
        return f"{what} names no admin-signed directory entry for its number"
    phones = {p.get("id"): p for p in signed.entry.get("phones", [])}
    phone = phones.get(details.get("phone_id"))
    if signed.entry.get("id") != counterparty_id or phone is None or not phone.get("active") \
            or phone.get("number") != details.get("number") or phone.get("source") != details.get("number_source"):
        return f"{what}: the number is not the counterparty's as the directory entry was signed"
    return None


def _statement_problem(pack: dict[str, Any], trust: TrustState) -> str | None:
    request, content = pack["request"], _content(pack)
    found: dict[int, str] = {}
    for raw in pack["statements"]:
        statement, problem = check_statement(int(raw["id"]), int(request["id"]), str(raw["kind"]),
                                             int(raw["user_id"]), str(raw["key_id"]), str(raw["body"]),
                                             str(raw["signature"]), trust, content)
        if statement is not None and statement.kind == "callback":
            problem = _callback_number_problem(statement, trust, int(request["counterparty_id"]))
        if problem:
            return problem
        found[int(raw["id"])] = str(raw["kind"])
    for step in pack["steps"]:
        wanted = step["details"].get("statement")
        if wanted is not None and found.get(int(wanted)) != step["kind"]:
            return f"statement {wanted} ({step['kind']} by {step['actor']}) is missing from the pack"
    if request.get("policy_version") is not None and "submit" not in found.values():
        return "the requester's signed submission is missing from the pack"
    return None


def _verify(pack: dict[str, Any], root: TrustRoot | None) -> PackCheck:
    if pack.get("schema") != PACK_SCHEMA:
        return PackCheck(False, f"not a {PACK_SCHEMA} document", 0, [])
    named = pack["trust"]["root"]
    if root is None:
        return PackCheck(False, f"pack is malformed: it names no trust root ({type(named).__name__})", 0, [])
    if TrustRoot.from_dict(named) != root:
        return PackCheck(False, "the pack rests on a different trust root than the one it is checked against", 0,
                         [])
    trust = _trust(pack, root)
    keys = trust.audit_keys()
    retired = trust.retired_after()
    records = [_stored(raw) for raw in pack["audit"]["records"]]
    for record in records:
        problem = check_record(record, None, keys, retired)
        if problem:
            return PackCheck(False, problem, len(records), sorted(keys))
    signature = pack["signature"]
    if {k: info.public_key for k, info in trust.installations.items()}.get(signature["key_id"]) \
            != signature["public_key"]:
        return PackCheck(False, f"the pack is signed by key {signature['key_id']}, which no admin registered "
                         f"(or an admin retired)",
                         len(records), sorted(keys))
    unsigned = {k: v for k, v in pack.items() if k != "signature"}
    if not verify_b64(signature["public_key"], signature["value"], canonical_bytes(unsigned)):
        return PackCheck(False, "pack signature is not valid (the pack was edited)", len(records), sorted(keys))
    for name, value in derive_views(records).items():
        if canonical_bytes(pack.get(name)) != canonical_bytes(value):
            return PackCheck(False, f"pack section {name!r} differs from its signed audit records", len(records),
                             sorted(keys))
    problem = _version_gap(records) or _statement_problem(pack, trust)
    if problem:
        return PackCheck(False, problem, len(records), sorted(keys))
    used = {r.key_id for r in records} | {signature["key_id"]}
    return PackCheck(True, None, len(records), sorted(used))
