"""A report's detached signature (REPORT.json.sig): the installation that analysed the call signs the
report's sha256 and its verdict, so a request can tell an engine's verdict from a hand-written file. The
public report schema is unchanged; the signature lives beside it."""

from __future__ import annotations

from typing import Any, Mapping

from verification.audit.canonical import canonical_bytes, canonical_json, sha256_hex
from verification.audit.keys import SigningKey, verify_b64

SIGNATURE_SCHEMA = "callshield.report-signature/1"
SUFFIX = ".sig"


def report_sha256(report: Mapping[str, Any]) -> str:
    """Raises ValueError for NaN or Infinity (not representable in canonical JSON)."""
    return sha256_hex(canonical_bytes(dict(report)))


def _claim(digest: str, verdict: Mapping[str, Any]) -> dict[str, Any]:
    return {"report_sha256": digest, "verdict": {"level": verdict.get("level"), "risk": verdict.get("risk")}}


def _message(claim: Mapping[str, Any]) -> bytes:
    return f"{SIGNATURE_SCHEMA}\n{canonical_json(dict(claim))}".encode("utf-8")


def sign_report(report: Mapping[str, Any], key: SigningKey) -> dict[str, Any]:
    return sign_claim(report_sha256(report), report.get("verdict") or {}, key)


def sign_claim(digest: str, verdict: Mapping[str, Any], key: SigningKey) -> dict[str, Any]:
    """The signature over a report known by its sha256 and verdict."""
    claim = _claim(digest, verdict)
    return {"schema": SIGNATURE_SCHEMA, **claim, "key_id": key.key_id, "public_key": key.public_b64,
            "signature": key.sign(_message(claim))}


def signature_problem(envelope: Any, digest: str, verdict: Mapping[str, Any],
                      registered: Mapping[str, str]) -> str | None:
    """Why this envelope does not vouch for a report with `digest` and `verdict`, or None when it does.
    `registered`: installation key id -> public key, as admins registered them."""
    if not isinstance(envelope, Mapping) or envelope.get("schema") != SIGNATURE_SCHEMA:
        return "the report carries no CallShield signature"
    claim = _claim(digest, verdict)
    if envelope.get("report_sha256") != digest:
        return "the signature is for a different report"
    if envelope.get("verdict") != claim["verdict"]:
        return "the signature is for a different verdict"
    public = registered.get(str(envelope.get("key_id")))
    if public is None:
        return f"the report is signed by key {envelope.get('key_id')}, which no admin registered"
    if not verify_b64(public, str(envelope.get("signature")), _message(claim)):
        return "the report signature is not valid (forged or edited)"
    return None
