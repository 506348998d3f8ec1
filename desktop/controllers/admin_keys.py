"""An admin's policy-signing key for the desktop: read it (as `--key FILE` does), create one (as
`callshield users keygen` does) and register it (as `callshield users register-key` does).
Qt-free; the engine checks on every signature that the key is registered to the signer."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from desktop.controllers.workflow_session import WorkflowSession
from verification.audit.keys import SigningKey, read_private_key, write_private_key
from verification.errors import AuthError
from verification.workflow.policy_keys import register_admin_key


def load_signing_key(path: str, passphrase: str) -> SigningKey:
    if not path.strip():
        raise AuthError("choose your policy-signing key file first")
    return read_private_key(Path(path).expanduser(), passphrase.encode("utf-8") if passphrase else None)


def create_signing_key(path: str, passphrase: str) -> SigningKey:
    """A new owner-only key file; never overwrites one."""
    if not path.strip():
        raise AuthError("say where to save the new key")
    private = Ed25519PrivateKey.generate()
    try:
        write_private_key(Path(path).expanduser(), private, passphrase.encode("utf-8") if passphrase else None)
    except FileExistsError as error:
        raise AuthError(f"{path} already exists; not overwriting a key") from error
    except OSError as error:
        raise AuthError(f"cannot write {path}: {error.strerror}") from error
    return SigningKey.from_private(private)


def register_signing_key(session: WorkflowSession, key: SigningKey) -> str:
    ctx, user = session.acting()
    return register_admin_key(ctx, user, key.public_b64)
