"""A person's Ed25519 private key sealed by their own password: scrypt derives the sealing key,
AES-GCM seals the raw 32 key bytes. Nobody else (an admin, a database writer) can open it."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from verification.audit.keys import SigningKey
from verification.errors import AuthError

PREFIX = "sealed-ed25519-v1"


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=128 * n * r * p + 8 * 1024 * 1024, dklen=32)


def seal(private: Ed25519PrivateKey, password: str, n: int = 2**15, r: int = 8, p: int = 1) -> str:
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_derive(password, salt, n, r, p)).encrypt(nonce, raw, PREFIX.encode("ascii"))
    parts = [PREFIX, str(n), str(r), str(p)] + [base64.b64encode(x).decode("ascii") for x in (salt, nonce, sealed)]
    return "$".join(parts)


def unseal(text: str, password: str) -> SigningKey:
    try:
        prefix, n, r, p, salt, nonce, sealed = text.split("$")
        if prefix != PREFIX:
            raise ValueError(prefix)
        key = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
        raw = AESGCM(key).decrypt(base64.b64decode(nonce), base64.b64decode(sealed), PREFIX.encode("ascii"))
    except (ValueError, InvalidTag) as error:
        raise AuthError("your signing key cannot be opened with this password") from error
    return SigningKey.from_private(Ed25519PrivateKey.from_private_bytes(raw))
