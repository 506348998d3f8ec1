"""Typed errors whose message is one line a person can act on (the CLI prints it as is)."""

from __future__ import annotations


class CallShieldError(Exception):
    """Base class: str(error) is a single human-readable line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class InputError(CallShieldError):
    """A recording or other input that cannot be read (missing, empty, corrupt, truncated)."""


class SourceLost(CallShieldError):
    """A live device disappeared or stopped delivering (camera unplugged, audio device removed)."""


class ModelError(CallShieldError):
    """A model that is missing, unknown to the manifest, or whose sha256 does not match."""


class ConfigError(CallShieldError):
    """Malformed configuration or policy."""


class StoreError(CallShieldError):
    """The database is unreachable, refused the operation, or its schema cannot be brought up to date."""


class AuthError(CallShieldError):
    """Credentials missing or wrong, or the user lacks the role the action needs."""


class PolicyError(CallShieldError):
    """A policy that is invalid, unsigned, tampered with, or a weakening without two admins' signatures."""


class WorkflowRefused(CallShieldError):
    """An action request transition that its guards refuse (missing step, self-approval, wrong number...)."""


class DirectoryError(CallShieldError):
    """A directory entry, phone number or enrolment that is unknown or not acceptable."""


class AuditError(CallShieldError):
    """The audit log or an evidence pack failed verification, or the signing key is unusable."""
