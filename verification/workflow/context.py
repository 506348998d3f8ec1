"""The collaborators every workflow operation needs, built once per entry point and passed in."""

from __future__ import annotations

from dataclasses import dataclass

from verification.audit.log import AuditLog
from verification.store.clock import Clock
from verification.store.database import Database
from verification.trust.root import RootPins
from verification.workflow.secrets_hash import SlowHasher


@dataclass(frozen=True)
class Context:
    database: Database
    audit: AuditLog
    clock: Clock
    hasher: SlowHasher
    pins: RootPins | None = None  # this machine's pinned trust roots; None: nothing can be signed
