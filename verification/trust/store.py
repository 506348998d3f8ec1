"""Reading and writing trust records and sealed keys, and the replayed trust state for a database."""

from __future__ import annotations

import json

from sqlalchemy import Connection, delete, insert, select

from verification.audit.keys import SigningKey
from verification.errors import AuthError
from verification.store.tables import meta, trust_records, user_keys
from verification.trust.records import StoredTrustRecord, TrustState, record_message, replay
from verification.trust.root import RootPins, TrustRoot

ROOT_META = "trust_root"


def database_id(connection: Connection) -> str:
    return str(connection.execute(select(meta.c.value).where(meta.c.key == "database_id")).scalar_one())


def pinned_root(connection: Connection, pins: RootPins | None) -> TrustRoot:
    """This machine's pin for this database, or a one-line refusal saying how to pin it."""
    if pins is None:
        raise AuthError("no trust root configured for this session")
    db_id = database_id(connection)
    root = pins.get(db_id)
    if root is None:
        raise AuthError(f"no trust root pinned on this machine for database {db_id}: ask an admin for "
                        f"`callshield audit trust-root --out FILE` and run `callshield audit trust-root --pin FILE`")
    published = published_root(connection)
    if published is not None and published != root:
        # What reads without a pin (policy signatures) trusts this copy: every signed write checks it here.
        raise AuthError(f"the trust root stored in database {db_id} differs from the one pinned on this machine "
                        f"(tampered): nothing can be signed until an admin restores it")
    return root


def published_root(connection: Connection) -> TrustRoot | None:
    raw = connection.execute(select(meta.c.value).where(meta.c.key == ROOT_META)).scalar()
    return None if raw is None else TrustRoot.from_dict(json.loads(raw))


def publish_root(connection: Connection, root: TrustRoot) -> None:
    connection.execute(insert(meta).values(key=ROOT_META, value=json.dumps(root.as_dict(), sort_keys=True)))


def stored_records(connection: Connection) -> list[StoredTrustRecord]:
    rows = connection.execute(select(trust_records).order_by(trust_records.c.id))
    return [StoredTrustRecord(r.id, r.kind, r.user_id, r.body, json.loads(r.signatures)) for r in rows]


def trust_state(connection: Connection, pins: RootPins | None) -> TrustState:
    return replay(pinned_root(connection, pins), stored_records(connection))


def published_trust_state(connection: Connection) -> TrustState | None:
    """The trust state as the database's copy of the root has it, for checks made without a pin (policy
    signatures while loading the policy); every signed write compares that copy with the pin."""
    root = published_root(connection)
    return None if root is None else replay(root, stored_records(connection))


def append_record(connection: Connection, kind: str, user_id: int, body: str,
                  signers: list[SigningKey], state: str = "done") -> int:
    signatures = [{"key_id": k.key_id, "signature": k.sign(record_message(body))} for k in signers]
    return int(connection.execute(insert(trust_records).values(
        kind=kind, user_id=user_id, body=body, signatures=json.dumps(signatures), state=state)
    ).inserted_primary_key[0])


def cosign_record(connection: Connection, record: StoredTrustRecord, signer: SigningKey) -> int:
    """A second admin's signature: the record moves to the end, after every key that signed it."""
    signatures = record.signatures + [{"key_id": signer.key_id, "signature": signer.sign(record_message(record.body))}]
    connection.execute(delete(trust_records).where(trust_records.c.id == record.id))
    return int(connection.execute(insert(trust_records).values(
        kind=record.kind, user_id=record.user_id, body=record.body, signatures=json.dumps(signatures), state="done")
    ).inserted_primary_key[0])


def store_sealed_key(connection: Connection, user_id: int, key: SigningKey, sealed: str, at: str) -> None:
    connection.execute(insert(user_keys).values(key_id=key.key_id, user_id=user_id, public_key=key.public_b64,
                                                sealed=sealed, created_at=at))


def sealed_key(connection: Connection, key_id: str) -> str | None:
    return connection.execute(select(user_keys.c.sealed).where(user_keys.c.key_id == key_id)).scalar()
