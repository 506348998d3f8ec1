"""Local anchors: after a good verification this machine remembers the chain's first and last
record hashes for that database. A later verification that no longer finds them reports the
chain as rewritten or truncated, which a key holder could otherwise do without a trace."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from verification.audit.verify import ChainCheck, StoredRecord

ANCHOR_FILE = "audit-anchors.json"


@dataclass(frozen=True)
class Anchor:
    genesis_hash: str
    seq: int
    hash: str


class AnchorFile:
    def __init__(self, path: Path) -> None:
        self._path = path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "AnchorFile":
        return cls(data_dir / ANCHOR_FILE)

    def _read_all(self) -> dict[str, dict[str, object]]:
        try:
            return json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}
        except ValueError:
            return {}  # a damaged anchor file only loses the extra check, never blocks work

    def get(self, database_id: str) -> Anchor | None:
        raw = self._read_all().get(database_id)
        if not raw:
            return None
        return Anchor(str(raw["genesis_hash"]), int(str(raw["seq"])), str(raw["hash"]))

    def put(self, database_id: str, anchor: Anchor) -> None:
        data = self._read_all()
        data[database_id] = {"genesis_hash": anchor.genesis_hash, "seq": anchor.seq, "hash": anchor.hash}
        staging = self._path.with_suffix(f".{os.getpid()}.tmp")
        staging.write_text(json.dumps(data, indent=2, sort_keys=True))
        os.replace(staging, self._path)


def check_anchor(anchor: Anchor, records: Iterable[StoredRecord], result: ChainCheck) -> ChainCheck:
    """`records` are the stored records with seq 1 and `anchor.seq` (if present)."""
    if not result.ok:
        return result
    found = {record.seq: record.hash for record in records}
    if anchor.seq > result.head_seq:
        return ChainCheck(False, result.records, result.head_seq, result.head_hash, result.head_seq + 1,
                          f"record {result.head_seq + 1} is missing: this machine verified {anchor.seq} "
                          f"records before (truncated)")
    if found.get(1) != anchor.genesis_hash:
        return ChainCheck(False, result.records, result.head_seq, result.head_hash, 1,
                          "record 1 differs from the one this machine verified before (chain rewritten)")
    if found.get(anchor.seq) != anchor.hash:
        return ChainCheck(False, result.records, result.head_seq, result.head_hash, anchor.seq,
                          f"record {anchor.seq} differs from the one this machine verified before (chain rewritten)")
    return result
