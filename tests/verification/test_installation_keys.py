"""Audit-signing keys count only when an admin registered them through the pinned root, on both databases.

Attacks: records appended with a freshly generated key (introducing itself with an `audit.key_registered`
record) still verified with the anchor present; a deleted installation key file was silently replaced by a
new one that went on writing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from tests.verification.audit_cli import Cli, one_line
from tests.verification.conftest import ALL_NO, World, make_context, signed_in
from verification.audit.keys import INSTALLATION_KEY_FILE, SigningKey
from verification.audit.log import AuditEvent, AuditLog
from verification.errors import AuditError, AuthError
from verification.store.tables import audit_log, trust_records
from verification.trust.installations import InstallationGate, installation_keys
from verification.trust.records import installation_body
from verification.trust.store import append_record
from verification.workflow import lifecycle
from verification.workflow.installations import register_installation

IBAN = "GB33BUKB20201555555555"


def _request(w: World) -> int:
    return lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty, {"iban": IBAN},
                                    checklist=ALL_NO).id


def _attacker_appends(w: World) -> tuple[SigningKey, int]:
    """A database writer with a key of their own: appends records exactly as CallShield would, the new key
    introducing itself in the chain; the gate is what they bypass (they write the rows themselves)."""
    key = SigningKey.from_private(Ed25519PrivateKey.generate())
    forger = AuditLog(key, w.clock, lambda connection, k: None)
    with w.database.transaction() as connection:
        record = forger.append(connection, AuditEvent(actor="rita", action="request.released",
                                                      subject="request:1", after={"state": "released"}))
    return key, record.seq - 1  # the key's self-introduction came first


def test_records_signed_by_a_self_introduced_key_fail_verify_with_the_anchor(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    cli = Cli.of(w, capsys, monkeypatch)
    _request(w)
    code, _, err = cli("audit", "verify", "--pin")
    assert code == 0, err
    key, first_forged = _attacker_appends(w)
    code, _, err = cli("audit", "verify")
    assert code == 1
    one_line(err, f"record {first_forged} is signed by key {key.key_id}, which no admin registered")


def test_an_installation_record_signed_by_a_non_admin_or_for_someone_else_does_not_count(world: World) -> None:
    w = world
    key = SigningKey.from_private(Ed25519PrivateKey.generate())
    rita = signed_in(w.ctx, "rita")
    ada = signed_in(w.ctx, "ada")
    with w.database.transaction() as connection:
        now = "2025-09-19T09:00:00.000000Z"
        body = installation_body(rita.id, "rita", key.key_id, key.public_b64, "rita's laptop", now)
        assert rita.signer is not None and ada.signer is not None
        append_record(connection, "installation", rita.id, body, [rita.signer])  # a requester: no
        append_record(connection, "installation", rita.id, body, [ada.signer])  # names rita, signed by ada: no
        other = installation_body(ada.id, "ada", key.key_id, key.public_b64, "x", now)
        append_record(connection, "installation", ada.id, other, [rita.signer])  # names ada, signed by rita: no
    with w.database.reading() as connection:
        assert key.key_id not in installation_keys(connection, w.ctx.pins)
    gate = InstallationGate(w.ctx.pins)
    with w.database.transaction() as connection, pytest.raises(AuditError, match="is not registered by an admin"):
        gate(connection, key)


def test_a_deleted_key_file_stops_writes_until_an_admin_registers_the_new_one(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    (w.data_dir / INSTALLATION_KEY_FILE).unlink()
    cli = Cli.of(w, capsys, monkeypatch)
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    create = ("request", "create", "--amount", "25000", "--currency", "EUR", "--counterparty", w.counterparty,
              "--beneficiary", f"iban={IBAN}", "--check", "urgency=no")
    with w.database.reading() as connection:
        before = len(connection.execute(select(audit_log.c.seq)).all())
    code, _, err = cli(*create)
    assert code != 0
    one_line(err, "is not registered by an admin, so nothing can be saved here")
    code, out, err = cli("audit", "key")
    assert code == 0 and "NOT registered" in out, err
    code, _, err = cli("audit", "register-installation")  # rita is no admin
    assert code != 0 and "admin" in err
    with w.database.reading() as connection:
        assert len(connection.execute(select(audit_log.c.seq)).all()) == before  # nothing was written
    monkeypatch.setenv("CALLSHIELD_USER", "ada")
    code, out, err = cli("audit", "register-installation", "--label", "finance desk 2")
    assert code == 0 and "registered" in out, err
    code, out, err = cli("audit", "key")
    assert code == 0 and "(registered by an admin)" in out, err
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    code, _, err = cli(*create)
    assert code == 0, err
    with w.database.reading() as connection:
        actions = [json.loads(b)["action"] for b in connection.execute(select(audit_log.c.body)).scalars()]
    assert "trust.installation_registered" in actions
    monkeypatch.setenv("CALLSHIELD_USER", "ada")
    code, _, err = cli("audit", "verify", "--pin")
    assert code == 0, err


def test_a_new_data_dir_on_a_database_with_users_cannot_write_until_registered(world: World, tmp_path: Path) -> None:
    w = world
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    (other_dir / "trust-root.json").write_bytes((w.data_dir / "trust-root.json").read_bytes())
    other = make_context(w.database.url.render_as_string(hide_password=False), other_dir, w.clock)
    try:
        with pytest.raises(AuditError, match="is not registered by an admin"):
            lifecycle.create_request(other, w.requester, "transfer", "25000", "EUR", w.counterparty,
                                     {"iban": IBAN}, checklist=ALL_NO)
        with pytest.raises(AuthError, match="admin"):
            register_installation(other, signed_in(other, "rita"), "laptop")
        register_installation(other, signed_in(other, "ben"), "laptop")
        lifecycle.create_request(other, signed_in(other, "rita"), "transfer", "25000", "EUR", w.counterparty,
                                 {"iban": IBAN}, checklist=ALL_NO)
        with other.database.reading() as connection:
            kinds = [r.kind for r in connection.execute(select(trust_records))]
        assert kinds.count("installation") == 2  # the ceremony's and this one
    finally:
        other.database.dispose()


def test_the_ceremony_registers_the_installation_it_runs_on(world: World) -> None:
    with world.database.reading() as connection:
        keys = installation_keys(connection, world.ctx.pins)
    assert keys == {world.ctx.audit.key.key_id: world.ctx.audit.key.public_b64}


def test_a_ceremony_that_does_not_commit_leaves_no_pin(db_url: str, tmp_path: Path) -> None:
    """The ceremony pins the root before its first audit record (the audit gate reads the pin); when the
    transaction then fails, the pin goes too, so a second attempt is not blocked by a root nobody holds."""
    from sqlalchemy import insert, update

    from tests.verification.conftest import PASSWORD, FakeClock
    from verification.audit.log import GENESIS_HASH, chain_hash
    from verification.store.tables import audit_head
    from verification.trust.root import PIN_FILE
    from verification.workflow import users

    clock = FakeClock()
    ctx = make_context(db_url, tmp_path / "data", clock)
    try:
        body = json.dumps({"seq": 1, "at": "2999-01-01T00:00:00.000000Z"})  # a record from a clock far ahead
        with ctx.database.transaction() as connection:
            digest = chain_hash(GENESIS_HASH, body)
            connection.execute(insert(audit_log).values(seq=1, prev_hash=GENESIS_HASH, hash=digest, key_id="x",
                                                        signature="x", body=body))
            connection.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=1, hash=digest))
        with pytest.raises(AuditError, match="the clock runs backwards"):
            users.bootstrap_admins(ctx, [("ada", PASSWORD, None), ("ben", PASSWORD, None)])
        pins = tmp_path / "data" / PIN_FILE
        assert not pins.exists() or json.loads(pins.read_text()) == {}
        with ctx.database.reading() as connection:
            assert not connection.execute(select(trust_records)).first()
    finally:
        ctx.database.dispose()
