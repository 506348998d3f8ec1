"""One-time codes: generated here, kept only as slow salted hashes (scrypt through the Context's
hasher, a fresh salt per code), single use, short-lived.

An 8-digit code has 10^8 values; with a fast hash a stolen row falls to a brute force in seconds.
At the default scrypt cost (about 0.1 s and 32 MiB per try) the whole space costs about 10^7 CPU
seconds, far beyond a code's lifetime of minutes.
"""

from __future__ import annotations

import secrets

from verification.workflow.secrets_hash import SlowHasher

CODE_DIGITS = 8


def generate_code() -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(CODE_DIGITS))


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text if ch in "0123456789")


def hash_code(hasher: SlowHasher, code: str) -> str:
    """Slow: call it outside any transaction."""
    return hasher.hash(normalise_code(code))


def code_matches(hasher: SlowHasher, code: str, encoded: str) -> bool:
    """Slow; False for anything that is not a code of CODE_DIGITS digits, without hashing it."""
    digits = normalise_code(code)
    return len(digits) == CODE_DIGITS and hasher.verify(digits, encoded)
