"""Directory entries count only as the admin who made or changed them signed them, on both databases.

Attack: a database writer changed the counterparty's phone number on file before the call-back; the
approver dialled the attacker's number from the directory and the release went through (the change was
visible in the evidence only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update

from tests.verification.audit_cli import Cli, one_line
from tests.verification.conftest import ALL_NO, World, signed_in
from verification.audit.canonical import canonical_bytes
from verification.cli import main
from verification.errors import AuthError, DirectoryError, WorkflowRefused
from verification.store.tables import directory_entries, directory_phones, statements, trust_records
from verification.trust.records import directory_body
from verification.trust.statements import make_statement
from verification.trust.store import append_record, trust_state
from verification.workflow import confirmations, directory, lifecycle
from verification.workflow.directory_signing import directory_problems, snapshot
from verification.workflow.evidence import current_content
from verification.workflow.request import ActionRequest, load_request
from verification.workflow.states import State

IBAN = "GB33BUKB20201555555555"
LOW = {"session": "c", "report_sha256": "ab" * 32, "verdict": {"level": "low", "risk": 0.1, "reasons": []},
       "models": []}
EDITS: dict[str, tuple[Any, dict[str, Any], str]] = {
    "number": (directory_phones, {"number": "+447700900666"}, "number changed"),
    "source": (directory_phones, {"source": "the caller said so"}, "source changed"),
    "name": (directory_entries, {"name": "Acme Supplies "}, "name changed"),
}


def _request(w: World) -> ActionRequest:
    return lifecycle.create_request(w.ctx, w.requester, "transfer", "9000", "EUR", w.counterparty,
                                    {"iban": IBAN}, call=LOW, checklist=ALL_NO)


def _callback(w: World, request_id: int) -> ActionRequest:
    return confirmations.record_callback(w.ctx, w.approver, request_id, w.phone.id, "confirmed", "J. Smith",
                                         ["identity", "request", "amount", "beneficiary"])


def _edit(w: World, field: str) -> None:
    table, values, _ = EDITS[field]
    key = table.c.entry_id if table is directory_phones else table.c.id
    with w.database.transaction() as connection:  # a database writer, bypassing the engine
        entry_id = connection.execute(directory_entries.select()).first().id
        connection.execute(update(table).where(key == entry_id).values(**values))


@pytest.mark.parametrize("field", sorted(EDITS))
def test_an_entry_edited_in_the_database_stops_the_callback_and_is_reported(
        world: World, field: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    request = _request(w)
    _edit(w, field)
    with pytest.raises(WorkflowRefused) as refused:
        _callback(w, request.id)
    message = str(refused.value)
    assert "\n" not in message and "'Acme Supplies'" in message and EDITS[field][2] in message, message
    code, _, err = Cli.of(w, capsys, monkeypatch)("audit", "verify", "--pin")
    assert code == 1
    one_line(err, "directory entry 'Acme Supplies' differs from what ada signed (")
    assert f"{EDITS[field][2]} in the database)" in err


def test_a_number_changed_after_the_callback_stops_the_release(world: World) -> None:
    w = world
    request = _request(w)
    _callback(w, request.id)
    assert confirmations.approve(w.ctx, w.approver2, request.id).state == State.APPROVED
    _edit(w, "number")
    w.clock.advance(minutes=61)
    with pytest.raises(WorkflowRefused, match=r"cannot be released: directory entry 'Acme Supplies' differs from "
                                              r"what ada signed \(phone \d+ number changed"):
        lifecycle.release(w.ctx, w.requester, request.id)


def test_a_signature_by_a_non_admin_or_over_other_rows_does_not_count(world: World) -> None:
    w = world
    rita = signed_in(w.ctx, "rita")
    assert rita.signer is not None
    request = _request(w)
    _edit(w, "number")
    with w.database.transaction() as connection:  # rita (no admin) signs the edited rows; so does ada's name
        entry_id = connection.execute(directory_entries.select()).first().id
        rows = snapshot(connection, entry_id)
        append_record(connection, "directory", rita.id, directory_body(rita.id, "rita", rows, "x"), [rita.signer])
        append_record(connection, "directory", w.admin.id, directory_body(w.admin.id, "ada", rows, "x"),
                      [rita.signer])
    with pytest.raises(WorkflowRefused, match="differs from what ada signed"):
        _callback(w, request.id)


def _older_database(w: World) -> None:
    with w.database.transaction() as connection:  # entries made before they were signed: no directory records
        connection.execute(delete(trust_records).where(trust_records.c.kind == "directory"))


def test_entries_from_before_signing_are_refused_until_an_admin_signs_them(world: World) -> None:
    w = world
    _older_database(w)
    request = _request(w)
    with pytest.raises(WorkflowRefused, match="'Acme Supplies' is not signed by an admin"):
        _callback(w, request.id)
    with pytest.raises(DirectoryError, match="is not signed by an admin"):
        directory.add_phone(w.ctx, w.admin, w.counterparty, "+44 20 7946 0001", "contract annex 2")
    with pytest.raises(AuthError, match="lacks the admin role"):
        directory.sign_existing(w.ctx, w.requester, w.counterparty)
    directory.sign_existing(w.ctx, w.admin2, w.counterparty)
    assert _callback(w, request.id).state in (State.HELD, State.APPROVED)
    with w.database.reading() as connection:
        assert directory_problems(connection, trust_state(connection, w.ctx.pins)) == []


def test_directory_sign_on_the_command_line(world: World, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    _older_database(w)
    cli = Cli.of(w, capsys, monkeypatch)
    code, _, err = cli("audit", "verify", "--pin")
    assert code == 1
    one_line(err, "directory entry 'Acme Supplies' is not signed by an admin")
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    code, _, err = cli("directory", "sign", w.counterparty)
    assert code != 0 and "admin" in err
    monkeypatch.setenv("CALLSHIELD_USER", "ada")
    code, out, err = cli("directory", "show", w.counterparty)
    assert code == 0 and "NOT SIGNED, no call-backs: directory entry 'Acme Supplies' is not signed" in out, err
    code, out, err = cli("directory", "sign", w.counterparty)
    assert code == 0 and "+442079460000" in out, err
    code, out, err = cli("directory", "show", w.counterparty)
    assert code == 0 and "NOT SIGNED" not in out, err
    code, _, err = cli("directory", "sign", w.counterparty)
    one_line(err, "is already signed and unchanged")
    code, _, err = cli("audit", "verify")
    assert code == 0, err


def test_signed_changes_keep_working_and_are_what_the_callback_reads(world: World) -> None:
    w = world
    directory.add_entry(w.ctx, w.admin, "Globex", "counterparty")
    phone = directory.add_phone(w.ctx, w.admin2, "Globex", "+1 212 555 0100", "signed contract 2024-03, page 2")
    directory.remove_phone(w.ctx, w.admin, w.phone.id)
    with w.database.reading() as connection:
        trust = trust_state(connection, w.ctx.pins)
        globex = directory.verified_entry(connection, trust, directory.get_entry(connection, "Globex").id)
        acme = directory.verified_entry(connection, trust, directory.get_entry(connection, w.counterparty).id)
    assert [(p.id, p.number) for p in globex.phones] == [(phone.id, "+12125550100")] and acme.phones == []
    request = _request(w)
    with pytest.raises(WorkflowRefused, match="not an active directory number"):
        _callback(w, request.id)


def test_verify_pack_checks_the_callback_number_against_the_signed_entry(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An approver's modified client signs a call-back on a number the signed entry never had."""
    w = world
    cli = Cli.of(w, capsys, monkeypatch)
    request = _request(w)
    _callback(w, request.id)
    alan = signed_in(w.ctx, "alan")
    assert alan.signer is not None
    with w.database.transaction() as connection:
        row = load_request(connection, request.id)
        genuine = connection.execute(select(statements.c.body).where(statements.c.kind == "callback")).scalar_one()
        details = {**json.loads(genuine)["details"], "number": "+447700900666"}
        body, signature = make_statement(alan.signer, request.id, "callback", alan.id, "alan",
                                         current_content(connection, row), "ok", details, "2025-09-19T09:00:00.000000Z")
        connection.execute(insert(statements).values(request_id=request.id, kind="callback", user_id=alan.id,
                                                     key_id=alan.signer.key_id, body=body, signature=signature))
        forged = connection.execute(select(statements.c.id).order_by(statements.c.id.desc())).scalars().first()
    out = tmp_path / "pack.json"
    code, _, err = cli("audit", "pack", str(request.id), "--out", str(out))
    assert code != 0 and not out.exists()
    one_line(err, f"statement {forged} (call-back on +447700900666): the number is not the counterparty's as the "
                  f"directory entry was signed")
    with w.database.transaction() as connection:
        raw = dict(connection.execute(select(statements).where(statements.c.id == forged)).one()._mapping)
        connection.execute(delete(statements).where(statements.c.id == forged))
    code, _, err = cli("audit", "pack", str(request.id), "--out", str(out))
    assert code == 0, err
    assert main(["audit", "verify-pack", str(out), "--data-dir", str(w.data_dir)]) == 0
    capsys.readouterr()
    pack = json.loads(out.read_text())  # the forged statement slipped into a pack re-signed by this installation
    pack["statements"].append({k: raw[k] for k in ("id", "kind", "user_id", "key_id", "body", "signature")})
    del pack["signature"]
    key = w.ctx.audit.key
    pack["signature"] = {"key_id": key.key_id, "public_key": key.public_b64, "value": key.sign(canonical_bytes(pack))}
    out.write_text(json.dumps(pack))
    code = main(["audit", "verify-pack", str(out), "--data-dir", str(w.data_dir)])
    _, err = capsys.readouterr()
    assert code == 1
    one_line(err, f"statement {forged} (call-back on +447700900666): the number is not the counterparty's")
