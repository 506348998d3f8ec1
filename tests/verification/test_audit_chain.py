"""The audit chain detects edited, deleted, reordered and forged records, on both databases;
evidence packs verify offline and detect edits."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from sqlalchemy import delete, select, update

from tests.verification.conftest import ALL_NO, World
from verification.audit.anchor import Anchor, AnchorFile, check_anchor
from verification.audit.canonical import canonical_json
from verification.audit.log import chain_hash
from verification.audit.pack import build_pack
from verification.audit.pack_verify import verify_pack
from verification.audit.pack_html import render_pack_html
from verification.trust.installations import installation_keys
from verification.audit.verify import read_records, verify_database_chain
from verification.store.tables import audit_head, audit_log
from verification.trust.root import TrustRoot
from verification.trust.store import pinned_root
from verification.workflow import confirmations, lifecycle

CALL = {"session": "call-7", "report_sha256": "1" * 64,
        "verdict": {"risk": 0.91, "level": "high", "reasons": ["voice_synthetic: 0.93"]},
        "models": [{"id": "voice_synthetic", "sha256": "cd" * 32, "provider": "CPUExecutionProvider"}],
        "input": {"path": "call.mp4", "duration_s": 60.0}}


def _history(w: World) -> int:
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty,
                                       {"iban": "GB33BUKB20201555555555"}, call=CALL, checklist=ALL_NO,
                                       claimed_contact="+852 5555 0199")
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J. Smith",
                                  ["identity", "request", "amount"])
    return request.id


def _root(w: World) -> TrustRoot:
    with w.database.reading() as connection:
        return pinned_root(connection, w.ctx.pins)


def _check(w: World) -> tuple[bool, int | None, str | None]:
    with w.database.reading() as connection:
        result = verify_database_chain(connection, installation_keys(connection, w.ctx.pins))
    return result.ok, result.first_bad_seq, result.problem


def _tamper(w: World, statement: object) -> None:
    with w.database.transaction() as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def test_intact_chain_verifies(world: World) -> None:
    _history(world)
    assert _check(world) == (True, None, None)


# Edits swap the whole JSON string "ada" (a user name): a bare substring could also land inside a
# random key id or hash, which fails an earlier check than the one a test means to reach.


def test_edited_row_is_detected(world: World) -> None:
    _history(world)
    with world.database.reading() as connection:
        body = connection.execute(select(audit_log.c.body).where(audit_log.c.seq == 5)).scalar_one()
    _tamper(world, update(audit_log).where(audit_log.c.seq == 5).values(body=body.replace('"ada"', '"eve"')))
    ok, seq, problem = _check(world)
    assert not ok and seq == 5 and "edited" in (problem or "")


def test_rehashed_edit_fails_the_signature(world: World) -> None:
    _history(world)
    with world.database.reading() as connection:
        row = connection.execute(select(audit_log).where(audit_log.c.seq == 5)).one()
    body = row.body.replace('"ada"', '"eve"')
    _tamper(world, update(audit_log).where(audit_log.c.seq == 5).values(body=body, hash=chain_hash(row.prev_hash, body)))
    ok, seq, problem = _check(world)
    assert not ok and seq == 5 and "signature" in (problem or "")


def test_deleted_rows_are_detected(world: World) -> None:
    _history(world)
    _tamper(world, delete(audit_log).where(audit_log.c.seq == 4))
    ok, seq, problem = _check(world)
    assert not ok and seq == 4 and "missing" in (problem or "")


def test_deleted_last_row_is_detected_by_the_head(world: World) -> None:
    _history(world)
    with world.database.reading() as connection:
        head = connection.execute(select(audit_head.c.seq)).scalar_one()
    _tamper(world, delete(audit_log).where(audit_log.c.seq == head))
    ok, seq, problem = _check(world)
    assert not ok and seq == head and "missing" in (problem or "")


def test_truncation_with_head_rewritten_is_caught_by_the_anchor(world: World, tmp_path: Path) -> None:
    _history(world)
    anchors = AnchorFile(tmp_path / "anchors.json")
    with world.database.reading() as connection:
        good = verify_database_chain(connection, installation_keys(connection, world.ctx.pins))
        first = next(iter(read_records(connection, seqs=[1])))
    anchors.put("db", Anchor(first.hash, good.head_seq, good.head_hash))
    with world.database.reading() as connection:
        prev = connection.execute(select(audit_log).where(audit_log.c.seq == good.head_seq - 1)).one()
    _tamper(world, delete(audit_log).where(audit_log.c.seq == good.head_seq))
    _tamper(world, update(audit_head).values(seq=prev.seq, hash=prev.hash))
    with world.database.reading() as connection:
        chain = verify_database_chain(connection, installation_keys(connection, world.ctx.pins))
        anchor = anchors.get("db")
        assert chain.ok and anchor is not None  # a consistent prefix on its own...
        result = check_anchor(anchor, read_records(connection, seqs=[1, anchor.seq]), chain)
    assert not result.ok and result.first_bad_seq == good.head_seq and "truncated" in (result.problem or "")


def test_reordered_rows_are_detected(world: World) -> None:
    _history(world)
    with world.database.reading() as connection:
        a = connection.execute(select(audit_log).where(audit_log.c.seq == 4)).one()
        b = connection.execute(select(audit_log).where(audit_log.c.seq == 5)).one()
    with world.database.transaction() as connection:
        for seq, row in ((4, b), (5, a)):
            connection.execute(update(audit_log).where(audit_log.c.seq == seq).values(
                prev_hash=row.prev_hash, hash=row.hash, key_id=row.key_id, signature=row.signature, body=row.body))
    ok, seq, problem = _check(world)
    assert not ok and seq == 4 and ("follow" in (problem or "") or "renumbered" in (problem or ""))


def test_evidence_pack_binds_call_steps_and_provenance(world: World, tmp_path: Path) -> None:
    w = world
    request_id = _history(w)
    with w.database.reading() as connection:
        pack = build_pack(connection, request_id, w.ctx.audit.key, w.clock, w.ctx.pins)
    assert pack["call"]["verdict"]["level"] == "high"
    assert pack["call"]["models"][0]["sha256"] == "cd" * 32
    callback = pack["steps"][0]
    assert callback["details"]["number_source"] == "vendor master data, signed contract 2023-04"
    assert callback["details"]["called_by"] == "alan" and callback["details"]["answered_by"] == "J. Smith"
    assert pack["request"]["claimed_contact"] == "+852 5555 0199"
    round_trip = json.loads(json.dumps(pack))
    check = verify_pack(round_trip, _root(w))
    assert check.ok, check.problem
    html = render_pack_html(pack, True, None)
    assert "vendor master data" in html and "<script" not in html and "cd" * 32 in html


def test_evidence_pack_edits_are_detected(world: World) -> None:
    w = world
    request_id = _history(w)
    with w.database.reading() as connection:
        pack = build_pack(connection, request_id, w.ctx.audit.key, w.clock, w.ctx.pins)
    edited = copy.deepcopy(pack)
    edited["steps"][0]["details"]["number"] = "+85255550199"
    assert "signature" in (verify_pack(edited, _root(w)).problem or "")
    # Re-signing the edited pack with another key does not help: the views must match the records.
    from verification.audit.keys import SigningKey
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from verification.audit.canonical import canonical_bytes

    forger = SigningKey.from_private(Ed25519PrivateKey.generate())
    edited.pop("signature")
    edited["signature"] = {"key_id": forger.key_id, "public_key": forger.public_b64,
                           "value": forger.sign(canonical_bytes(edited))}
    assert not verify_pack(edited, _root(w)).ok
    record_edit = copy.deepcopy(pack)
    body = json.loads(record_edit["audit"]["records"][-1]["body"])
    body["after"]["step"]["details"]["number"] = "+85255550199"
    record_edit["audit"]["records"][-1]["body"] = canonical_json(body)
    problem = verify_pack(record_edit, _root(w)).problem or ""
    assert "edited" in problem
