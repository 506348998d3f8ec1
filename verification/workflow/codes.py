"""One-time codes: generated here, kept only as salted hashes, single use, short-lived."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 8


def generate_code() -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(CODE_DIGITS))


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def hash_code(code: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{normalise_code(code)}".encode("ascii")).hexdigest()


def code_matches(code: str, salt: str, code_hash: str) -> bool:
    return hmac.compare_digest(hash_code(code, salt), code_hash)


def new_salt() -> str:
    return secrets.token_hex(16)
