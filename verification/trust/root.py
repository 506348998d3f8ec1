"""The organisation's trust root: the first admins' public keys, pinned on every machine.

Keys and role grants count only when they chain back to these keys (records.py). The pin lives in the
data directory, keyed by database id, so a database writer cannot swap the root; the copy kept in the
database is only what `callshield audit trust-root` exports for other machines to pin.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verification.audit.canonical import canonical_json, sha256_hex
from verification.errors import AuditError

ROOT_SCHEMA = "callshield.trust-root/1"
PIN_FILE = "trust-root.json"


@dataclass(frozen=True)
class RootKey:
    user_id: int
    user_name: str
    key_id: str
    public_key: str


@dataclass(frozen=True)
class TrustRoot:
    database_id: str
    keys: tuple[RootKey, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"schema": ROOT_SCHEMA, "database_id": self.database_id,
                "keys": [{"user_id": k.user_id, "user_name": k.user_name, "key_id": k.key_id,
                          "public_key": k.public_key} for k in self.keys]}

    @property
    def fingerprint(self) -> str:
        """What people compare by phone when pinning the root on a new machine."""
        return sha256_hex(canonical_json(self.as_dict()).encode("utf-8"))[:16]

    @classmethod
    def from_dict(cls, raw: Any) -> "TrustRoot":
        try:
            if raw["schema"] != ROOT_SCHEMA:
                raise ValueError("schema")
            keys = tuple(RootKey(int(k["user_id"]), str(k["user_name"]), str(k["key_id"]), str(k["public_key"]))
                         for k in raw["keys"])
            if not keys:
                raise ValueError("no keys")
            return cls(str(raw["database_id"]), keys)
        except (KeyError, TypeError, ValueError) as error:
            raise AuditError(f"not a CallShield trust root ({error})") from error


class RootPins:
    """The roots this machine pinned, one per database id."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "RootPins":
        return cls(data_dir / PIN_FILE)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise AuditError(f"pinned trust roots {self._path.name} unreadable: {error}") from error
        return data if isinstance(data, dict) else {}

    def get(self, database_id: str) -> TrustRoot | None:
        raw = self._read().get(database_id)
        return None if raw is None else TrustRoot.from_dict(raw)

    def pin(self, root: TrustRoot) -> None:
        data = self._read()
        known = data.get(root.database_id)
        if known is not None and TrustRoot.from_dict(known) != root:
            raise AuditError(f"this machine already pinned a different trust root for database {root.database_id}")
        data[root.database_id] = root.as_dict()
        staging = self._path.with_suffix(f".{os.getpid()}.tmp")
        staging.write_text(json.dumps(data, indent=2, sort_keys=True))
        os.replace(staging, self._path)

    def forget(self, root: TrustRoot) -> None:
        """Undo `pin` of exactly this root (a set-up ceremony that did not commit)."""
        data = self._read()
        known = data.get(root.database_id)
        if known is None or TrustRoot.from_dict(known) != root:
            return
        del data[root.database_id]
        staging = self._path.with_suffix(f".{os.getpid()}.tmp")
        staging.write_text(json.dumps(data, indent=2, sort_keys=True))
        os.replace(staging, self._path)
