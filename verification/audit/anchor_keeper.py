"""An installation that writes audit records keeps its own anchor current, so that a later truncation
or rewrite of what it wrote is caught by `audit verify` on this machine.

After each committed transaction that appended records, the anchor moves on to the last record this
installation wrote (it knows that record first-hand). It never moves past a chain that no longer
holds what it anchored before (record 1 or the anchored record changed): that anchor is left as it
is for `audit verify` to report. It creates an anchor only when this installation wrote record 1;
an existing database met for the first time stays unanchored until someone runs
`callshield audit verify --pin` after checking its head (a missing anchor file is never re-created
silently, so deleting it plus the tail is reported, not hidden)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from verification.audit.anchor import Anchor, AnchorFile
from verification.audit.keys import SigningKey
from verification.audit.log import AppendedRecord, AuditEvent, AuditLog, WriteGate
from verification.store.clock import Clock
from verification.store.database import after_commit
from verification.store.tables import audit_head, audit_log, meta


def database_id(connection: Connection) -> str:
    return str(connection.execute(select(meta.c.value).where(meta.c.key == "database_id")).scalar_one())


def _hash_at(connection: Connection, seq: int) -> str | None:
    return connection.execute(select(audit_log.c.hash).where(audit_log.c.seq == seq)).scalar()


def next_anchor(connection: Connection, anchors: AnchorFile, written: AppendedRecord,
                created_chain: bool) -> tuple[str, Anchor] | None:
    """The anchor to store once `written` commits, or None to leave this machine's anchor alone.
    `created_chain`: this append began the chain (the head was at 0 before it)."""
    ident = database_id(connection)
    genesis = _hash_at(connection, 1)
    if genesis is None:
        return None
    known = anchors.get(ident)
    if known is None:
        return (ident, Anchor(genesis, written.seq, written.hash)) if created_chain else None
    if known.seq >= written.seq or known.genesis_hash != genesis or _hash_at(connection, known.seq) != known.hash:
        return None
    return ident, Anchor(genesis, written.seq, written.hash)


def advance_anchor(anchors: AnchorFile, ident: str, anchor: Anchor) -> None:
    """Forward only: another process may have moved it further meanwhile."""
    try:
        known = anchors.get(ident)
        if known is None or (known.genesis_hash == anchor.genesis_hash and known.seq < anchor.seq):
            anchors.put(ident, anchor)
    except OSError:
        pass  # the change is committed; an anchor that cannot be written only lags (verify still checks)


class AnchoringAuditLog(AuditLog):
    """The audit log an installation writes with: as AuditLog, plus its anchor kept current."""

    def __init__(self, key: SigningKey, clock: Clock, gate: WriteGate, anchors: AnchorFile,
                 label: str = "installation") -> None:
        super().__init__(key, clock, gate, label)
        self._anchors = anchors

    def append(self, connection: Connection, event: AuditEvent) -> AppendedRecord:
        head = connection.execute(select(audit_head.c.seq).where(audit_head.c.id == 1)).scalar()
        written = super().append(connection, event)
        target = next_anchor(connection, self._anchors, written, created_chain=head == 0)
        if target is not None:
            after_commit(connection, lambda: advance_anchor(self._anchors, *target))
        return written
