"""Pinning the organisation's trust root on another machine: from a file an admin exported, checked
against this database, compared by its fingerprint (read out by phone, like a call-back)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Connection

from verification.errors import AuditError
from verification.trust.root import RootPins, TrustRoot
from verification.trust.store import database_id, pinned_root, published_root


def read_root_file(path: Path) -> TrustRoot:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AuditError(f"cannot read trust root file {path}: {error}") from error
    return TrustRoot.from_dict(raw)


def pin_root(connection: Connection, pins: RootPins, root: TrustRoot) -> TrustRoot:
    db_id = database_id(connection)
    if root.database_id != db_id:
        raise AuditError(f"that trust root belongs to database {root.database_id}, not this one ({db_id})")
    published = published_root(connection)
    if published is not None and published != root:
        raise AuditError("that trust root differs from the copy in the database: do not pin it until an admin "
                         "confirms its fingerprint by phone")
    pins.pin(root)
    return root


def export_root(connection: Connection, pins: RootPins) -> TrustRoot:
    """The root this machine pinned (never the database's copy alone: that is what an attacker could edit)."""
    return pinned_root(connection, pins)
