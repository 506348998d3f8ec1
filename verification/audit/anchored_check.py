"""`audit verify` as a whole: the chain, then this machine's anchor for the database.

Without an anchor a chain that verifies is reported as *unanchored*, not intact: a truncated or
rewritten chain (tail and anchor file deleted, or a key holder's rewrite) verifies on its own. The
explicit `pin` accepts the current head as this machine's anchor; an anchor that disagrees with the
chain is never overwritten (the check reports it instead)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from verification.audit.anchor import Anchor, AnchorFile, check_anchor
from verification.audit.anchor_keeper import advance_anchor, database_id
from verification.audit.verify import ChainCheck, read_records, verify_database_chain
from verification.store.database import Database
from verification.store.tables import audit_log
from verification.trust.installations import audit_signers
from verification.trust.root import RootPins


@dataclass(frozen=True)
class AnchoredCheck:
    chain: ChainCheck
    database_id: str
    anchored: bool  # this machine held an anchor for the database before the check
    pinned: bool = False  # this check accepted the head as the machine's first anchor

    @property
    def ok(self) -> bool:
        return self.chain.ok and (self.anchored or self.pinned)

    @property
    def unanchored(self) -> bool:
        return self.chain.ok and not (self.anchored or self.pinned)

    def as_dict(self) -> dict[str, Any]:
        return {**self.chain.as_dict(), "ok": self.ok, "chain_ok": self.chain.ok, "anchored": self.anchored,
                "pinned": self.pinned, "database_id": self.database_id}


def verify_anchored(database: Database, anchors: AnchorFile, pins: RootPins | None, pin: bool = False,
                    remember: bool = True) -> AnchoredCheck:
    """`remember`: move an existing anchor on to the verified head; `pin`: create one where there is none.
    Records count only when signed by installation keys registered through the root `pins` holds."""
    with database.reading() as connection:
        result = verify_database_chain(connection, *audit_signers(connection, pins))
        ident = database_id(connection)
        anchor = anchors.get(ident)
        if anchor is not None:
            result = check_anchor(anchor, read_records(connection, seqs={1, anchor.seq}), result)
        genesis = connection.execute(select(audit_log.c.hash).where(audit_log.c.seq == 1)).scalar()
    if not result.ok or genesis is None:
        return AnchoredCheck(result, ident, anchor is not None)
    head = Anchor(genesis, result.head_seq, result.head_hash)
    if anchor is None:
        if not pin:
            return AnchoredCheck(result, ident, False)
        anchors.put(ident, head)
        return AnchoredCheck(result, ident, False, pinned=True)
    if remember:
        advance_anchor(anchors, ident, head)
    return AnchoredCheck(result, ident, True)
