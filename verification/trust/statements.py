"""A person's signed statement about an action request, over the request's canonical content.

The content is what a release rests on (kind, amount as a decimal string, ISO currency, beneficiary,
counterparty entry, policy version, hash of the linked verdict): change any of it after a statement was
made and the statement no longer counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from verification.audit.canonical import canonical_bytes, canonical_json, sha256_hex
from verification.audit.keys import SigningKey, verify_b64
from verification.trust.records import TrustState

STATEMENT_SCHEMA = "callshield.statement/1"


def request_content(kind: str, amount: str, currency: str, beneficiary: Mapping[str, Any], counterparty_id: int,
                    counterparty_name: str, policy_version: int | None, verdict_sha256: str | None) -> dict[str, Any]:
    return {"kind": kind, "amount": amount, "currency": currency, "beneficiary": dict(beneficiary),
            "counterparty": {"id": counterparty_id, "name": counterparty_name},
            "policy_version": policy_version, "verdict_sha256": verdict_sha256}


def content_hash(content: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_bytes(dict(content)))


def statement_message(body: str) -> bytes:
    return f"{STATEMENT_SCHEMA}\n{body}".encode("utf-8")


def make_statement(signer: SigningKey, request_id: int, kind: str, user_id: int, user_name: str,
                   content: Mapping[str, Any], outcome: str, details: Mapping[str, Any], at: str) -> tuple[str, str]:
    body = canonical_json({"schema": STATEMENT_SCHEMA, "request_id": request_id, "kind": kind, "user_id": user_id,
                           "user_name": user_name, "key_id": signer.key_id, "content": dict(content),
                           "content_sha256": content_hash(content), "outcome": outcome, "details": dict(details),
                           "at": at})
    return body, signer.sign(statement_message(body))


@dataclass(frozen=True)
class Statement:
    id: int
    kind: str
    user_id: int
    key_id: str
    outcome: str
    details: dict[str, Any]
    at: str
    content: dict[str, Any]
    owner_key: bool  # made with a key its owner created (counts for two-person rules)


def check_statement(row_id: int, request_id: int, kind: str, user_id: int, key_id: str, body: str, signature: str,
                    trust: TrustState, content: Mapping[str, Any]) -> tuple[Statement | None, str | None]:
    """The statement if it is genuine and about this content, else why not (a sentence)."""
    key = trust.keys.get(key_id)
    if key is None or key.user_id != user_id:
        return None, f"statement {row_id} is signed by key {key_id}, which is not registered to its author"
    if not verify_b64(key.public_key, signature, statement_message(body)):
        return None, f"statement {row_id} signature is not valid (forged or edited)"
    data = json.loads(body)
    if data.get("request_id") != request_id or data.get("kind") != kind or data.get("user_id") != user_id \
            or data.get("key_id") != key_id:
        return None, f"statement {row_id} header does not match its signed body (edited)"
    if data.get("content_sha256") != content_hash(content):
        changed = sorted(k for k in content if data.get("content", {}).get(k) != content[k])
        return None, (f"statement {row_id} ({kind} by {data.get('user_name')}) was made over different request "
                      f"content: {', '.join(changed) or 'content'} changed since")
    return Statement(row_id, kind, user_id, key_id, str(data["outcome"]), dict(data["details"]), str(data["at"]),
                     dict(data["content"]), key.owner_set), None
