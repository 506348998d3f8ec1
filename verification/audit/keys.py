"""Ed25519 keys: the installation's audit signing key (kept in the data directory, owner-only) and
helpers shared with policy signing (raw public keys as base64, key ids, signing, verifying)."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from verification.errors import AuditError

INSTALLATION_KEY_FILE = "audit-signing-key.pem"


def public_key_b64(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_id_for(public_b64: str) -> str:
    """Short fingerprint people can compare: first 16 hex digits of sha256(raw public key)."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def load_public_key(public_b64: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
    except ValueError as error:
        raise AuditError(f"not an Ed25519 public key: {public_b64[:20]}...") from error


def sign_b64(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode("ascii")


def verify_b64(public_b64: str, signature_b64: str, message: bytes) -> bool:
    try:
        load_public_key(public_b64).verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, AuditError):
        return False
    return True


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public_b64: str
    key_id: str

    @classmethod
    def from_private(cls, private: Ed25519PrivateKey) -> "SigningKey":
        public = public_key_b64(private.public_key())
        return cls(private, public, key_id_for(public))

    def sign(self, message: bytes) -> str:
        return sign_b64(self.private, message)


def write_private_key(path: Path, private: Ed25519PrivateKey, passphrase: bytes | None = None) -> None:
    """Create `path` owner-only (0600) before any key byte is written."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def read_private_key(path: Path, passphrase: bytes | None = None) -> SigningKey:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AuditError(f"cannot read signing key {path}: {error.strerror}") from error
    try:
        private = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError) as error:
        raise AuditError(f"signing key {path} is unreadable or needs the right passphrase") from error
    if not isinstance(private, Ed25519PrivateKey):
        raise AuditError(f"signing key {path} is not an Ed25519 key")
    return SigningKey.from_private(private)


def load_installation_key(data_dir: Path) -> SigningKey:
    """The per-installation audit key: created on first use, refused if others can read it."""
    path = data_dir / INSTALLATION_KEY_FILE
    if not path.exists():
        # Written aside, then linked into place: a second process sees no key or a whole one.
        staging = data_dir / f".{INSTALLATION_KEY_FILE}.{os.getpid()}.tmp"
        write_private_key(staging, Ed25519PrivateKey.generate())
        try:
            os.link(staging, path)
        except FileExistsError:
            pass  # another process created it first; use theirs
        finally:
            staging.unlink()
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise AuditError(f"audit signing key {path} is readable by others; run: chmod 600 {path}")
    return read_private_key(path)
