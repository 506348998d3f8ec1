"""Retiring an installation's audit key, on both databases.

Attack: a machine's key file was copied away (a stolen laptop, a backup); the admin registered a new key for
that machine, yet the old key went on signing audit records and call verdicts that counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete

from tests.verification.audit_cli import Cli, one_line
from tests.verification.conftest import ALL_NO, World, signed_in
from verification.audit.keys import INSTALLATION_KEY_FILE, SigningKey, load_installation_key
from verification.audit.log import AuditEvent, AuditLog
from verification.errors import AuditError, AuthError
from verification.report.signature import sign_report
from verification.store.tables import trust_records
from verification.store.clock import utc_now
from verification.trust.installations import InstallationGate, installation_keys
from verification.trust.records import retirement_body
from verification.trust.store import append_record, trust_state
from verification.workflow import lifecycle
from verification.workflow.installations import retire_installation

IBAN = "GB33BUKB20201555555555"
REPORT = {"schema": "callshield.report/1", "input": {"path": "call.mp4", "duration_s": 60.0},
          "models": [], "verdict": {"risk": 0.05, "level": "low", "reasons": []}}


def _thief_appends(w: World, stolen: SigningKey) -> int:
    """The thief writes rows exactly as CallShield would, with the stolen key (no gate: they write by hand)."""
    thief = AuditLog(stolen, utc_now, lambda connection, k: None)  # the CLI wrote with the real clock
    with w.database.transaction() as connection:
        return thief.append(connection, AuditEvent(actor="rita", action="request.released", subject="request:1",
                                                   after={"state": "released"})).seq


def _create(cli: Cli, w: World, report: Path) -> dict[str, object]:
    code, out, err = cli("request", "create", "--amount", "500", "--currency", "EUR", "--counterparty",
                         w.counterparty, "--beneficiary", f"iban={IBAN}", "--check", "urgency=no",
                         "--report", str(report), "--json")
    assert code == 0, err
    return dict(json.loads(out))


def test_a_stolen_old_key_counts_for_nothing_after_a_new_key_is_registered(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    w = world
    cli = Cli.of(w, capsys, monkeypatch)
    lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty, {"iban": IBAN},
                             checklist=ALL_NO)
    stolen = w.ctx.audit.key  # the thief's copy of the key file
    code, _, err = cli("audit", "verify", "--pin")
    assert code == 0, err
    (w.data_dir / INSTALLATION_KEY_FILE).unlink()  # the machine gets a new key, registered as the same machine
    monkeypatch.setenv("CALLSHIELD_USER", "ada")
    code, out, err = cli("audit", "register-installation", "--label", "set-up ceremony")
    assert code == 0 and f"retired the old key {stolen.key_id}" in out, err
    code, _, err = cli("audit", "verify")
    assert code == 0, err  # what the old key signed before its retirement still counts
    with w.database.reading() as connection:
        assert stolen.key_id not in installation_keys(connection, w.ctx.pins)
        retired_after = trust_state(connection, w.ctx.pins).retired[stolen.key_id][1]
    with w.database.transaction() as connection, pytest.raises(AuditError, match="is not registered by an admin"):
        InstallationGate(w.ctx.pins)(connection, stolen)  # CallShield itself no longer writes with it
    forged = _thief_appends(w, stolen)
    code, _, err = cli("audit", "verify")
    assert code == 1
    one_line(err, f"record {forged} is signed by installation key {stolen.key_id}, which an admin retired "
                  f"after record {retired_after}")
    # A verdict the stolen key signs now: not counted, the request gets the no-call procedure.
    report = tmp_path / "low.json"
    report.write_text(json.dumps(REPORT))
    Path(str(report) + ".sig").write_text(json.dumps(sign_report(REPORT, stolen)))
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    assert _create(cli, w, report)["verdict_level"] == "no_call"
    Path(str(report) + ".sig").write_text(json.dumps(sign_report(REPORT, load_installation_key(w.data_dir))))
    assert _create(cli, w, report)["verdict_level"] == "low"  # the new key's verdicts count


def test_an_admin_retires_a_stolen_machine_and_nothing_it_signs_counts(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    cli = Cli.of(w, capsys, monkeypatch)
    key = w.ctx.audit.key
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    code, _, err = cli("audit", "retire-installation", key.key_id, "--reason", "laptop stolen")
    assert code != 0 and "admin" in err
    monkeypatch.setenv("CALLSHIELD_USER", "ada")
    code, _, err = cli("audit", "retire-installation", "nosuchkey", "--reason", "laptop stolen")
    one_line(err, "no registered installation key 'nosuchkey'")
    code, _, err = cli("audit", "retire-installation", key.key_id, "--reason", "x")
    one_line(err, "say why the installation is retired")
    code, out, err = cli("audit", "retire-installation", key.key_id, "--reason", "laptop stolen")
    assert code == 0 and "retired" in out, err
    with pytest.raises(AuditError, match="is not registered by an admin"):
        lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty, {"iban": IBAN},
                                 checklist=ALL_NO)
    with pytest.raises(AuthError, match="already retired"):
        retire_installation(w.ctx, signed_in(w.ctx, "ben"), key.key_id, "laptop stolen")
    forged = _thief_appends(w, key)
    code, _, err = cli("audit", "verify", "--pin")
    assert code == 1
    one_line(err, f"record {forged} is signed by installation key {key.key_id}, which an admin retired")


def test_a_retirement_signed_by_a_non_admin_retires_nothing(world: World) -> None:
    w = world
    rita = signed_in(w.ctx, "rita")
    key = w.ctx.audit.key
    assert rita.signer is not None
    with w.database.transaction() as connection:
        append_record(connection, "retirement", rita.id,
                      retirement_body(rita.id, "rita", key.key_id, 0, "pretending", "2025-09-19T09:00:00.000000Z"),
                      [rita.signer])
    with w.database.reading() as connection:
        state = trust_state(connection, w.ctx.pins)
    assert key.key_id in state.installations and not state.retired
    assert any("retirement of user" in p and "not signed by the admin it names" in p for p in state.problems)


def test_deleting_the_signed_retirement_is_reported(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    key = w.ctx.audit.key
    retire_installation(w.ctx, signed_in(w.ctx, "ben"), key.key_id, "laptop stolen")
    with w.database.transaction() as connection:  # a database writer brings the stolen key back
        connection.execute(delete(trust_records).where(trust_records.c.kind == "retirement"))
    code, _, err = Cli.of(w, capsys, monkeypatch)("audit", "verify", "--pin")
    assert code == 1
    one_line(err, f"retires installation key {key.key_id}, but its signed retirement is missing from the trust "
                  f"records (deleted)")
