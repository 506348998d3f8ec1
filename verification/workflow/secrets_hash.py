"""Slow hashes (scrypt) for passwords and code phrases; never stored or compared in clear.

The cost is written into each hash, so a hash made with test parameters verifies with them and
the defaults stay strong; tests pass a cheaper `ScryptParams` explicitly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

PREFIX = "scrypt"


@dataclass(frozen=True)
class ScryptParams:
    n: int = 2**15  # about 0.1 s and 32 MiB per hash on a laptop core
    r: int = 8
    p: int = 1

    @property
    def maxmem(self) -> int:
        return 128 * self.n * self.r * self.p + 8 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def normalise_phrase(phrase: str) -> str:
    """Code phrases are spoken: ignore case, accents' encoding form and spacing."""
    return " ".join(unicodedata.normalize("NFKC", phrase).casefold().split())


class SlowHasher:
    def __init__(self, params: ScryptParams | None = None) -> None:
        self._params = params or ScryptParams()

    @property
    def params(self) -> ScryptParams:
        return self._params

    def hash(self, secret: str) -> str:
        salt = secrets.token_bytes(16)
        p = self._params
        digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=p.n, r=p.r, p=p.p, maxmem=p.maxmem, dklen=32)
        return f"{PREFIX}${p.n}${p.r}${p.p}${_b64(salt)}${_b64(digest)}"

    def verify(self, secret: str, encoded: str) -> bool:
        try:
            prefix, n, r, p, salt, digest = encoded.split("$")
            params = ScryptParams(int(n), int(r), int(p))
            expected = base64.b64decode(digest)
            got = hashlib.scrypt(secret.encode("utf-8"), salt=base64.b64decode(salt), n=params.n, r=params.r,
                                 p=params.p, maxmem=params.maxmem, dklen=len(expected))
        except (ValueError, TypeError):
            return False
        return prefix == PREFIX and hmac.compare_digest(got, expected)

    def burn(self) -> None:
        """Spend the same time as a verification, so unknown user names cannot be told apart."""
        self.hash("unknown user")
