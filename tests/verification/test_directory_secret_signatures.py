"""A directory entry's code phrase hash, TOTP secret and voiceprints count only as an admin signed them.

Attack: a database writer replaces the counterparty's code phrase hash (or TOTP secret, or voiceprint) with
one of their own; the fraudster on the phone then says the attacker's phrase (or reads the attacker's
authenticator) and the step passes. The signed entry carries a digest of each, never the secret."""

from __future__ import annotations

import json

import pyotp
import pytest
from sqlalchemy import insert, select, update

from tests.verification.audit_cli import Cli, one_line
from tests.verification.conftest import ALL_NO, World, signed_in
from verification.errors import DirectoryError, WorkflowRefused
from verification.store.tables import directory_entries, trust_records, voiceprints
from verification.trust.records import directory_body
from verification.trust.store import append_record, trust_state
from verification.workflow import confirmations, directory, lifecycle
from verification.workflow.directory_signing import directory_problems, snapshot, whole_problem
from verification.workflow.request import ActionRequest
from verification.workflow.states import State

IBAN = "GB33BUKB20201555555555"
LOW = {"session": "c", "report_sha256": "ab" * 32, "verdict": {"level": "low", "risk": 0.1, "reasons": []},
       "models": []}
PHRASE = "blue heron at dawn"
ENTRY = "directory entry 'Acme Supplies': its "


def _request(w: World) -> ActionRequest:
    return lifecycle.create_request(w.ctx, w.requester, "transfer", "9000", "EUR", w.counterparty,
                                    {"iban": IBAN}, call=LOW, checklist=ALL_NO)


def _write_entry(w: World, **values: object) -> int:
    with w.database.transaction() as connection:  # a database writer, bypassing the engine
        entry_id = int(connection.execute(select(directory_entries.c.id)
                                          .where(directory_entries.c.name == w.counterparty)).scalar_one())
        connection.execute(update(directory_entries).where(directory_entries.c.id == entry_id).values(**values))
    return entry_id


def _reported(w: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, match: str) -> None:
    code, _, err = Cli.of(w, capsys, monkeypatch)("audit", "verify", "--pin")
    assert code == 1
    one_line(err, match)


def _refused(call: object, *needles: str) -> None:
    with pytest.raises(WorkflowRefused) as refused:
        call()  # type: ignore[operator]
    message = str(refused.value)
    assert "\n" not in message and "'Acme Supplies'" in message, message
    assert all(n in message for n in needles), message


def test_a_replaced_code_phrase_hash_is_refused_and_reported(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    directory.set_code_phrase(w.ctx, w.admin, w.counterparty, PHRASE)
    request = _request(w)
    _write_entry(w, phrase_hash=w.ctx.hasher.hash("the attacker's own phrase"))
    _refused(lambda: confirmations.verify_phrase(w.ctx, w.approver, request.id, "the attacker's own phrase"),
             "no code phrase check", "code phrase changed in the database since ada signed it")
    _reported(w, capsys, monkeypatch, f"{ENTRY}code phrase changed in the database since ada signed it")
    # no engine change signs over the replaced hash
    with pytest.raises(DirectoryError, match="code phrase changed in the database"):
        directory.add_phone(w.ctx, w.admin, w.counterparty, "+44 20 7946 0001", "contract annex 2")
    directory.set_code_phrase(w.ctx, w.admin2, w.counterparty, "green finch at noon")  # an admin sets a new one
    confirmations.verify_phrase(w.ctx, w.approver, request.id, "green finch at noon")
    code, _, err = Cli.of(w, capsys, monkeypatch)("audit", "verify")
    assert code == 0, err


def test_a_replaced_totp_secret_is_refused_and_reported(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    genuine = pyotp.parse_uri(directory.enroll_totp(w.ctx, w.admin, w.counterparty))
    request = _request(w)
    attacker = pyotp.random_base32()
    _write_entry(w, totp_secret=attacker, totp_last_step=None)
    _refused(lambda: confirmations.verify_totp(w.ctx, w.approver, request.id, pyotp.TOTP(attacker).at(w.clock())),
             "no TOTP check", "TOTP secret changed in the database since ada signed it")
    _reported(w, capsys, monkeypatch, f"{ENTRY}TOTP secret changed in the database since ada signed it")
    _write_entry(w, totp_secret=genuine.secret)  # put back: the signed secret works again
    confirmations.verify_totp(w.ctx, w.approver, request.id, genuine.at(w.clock()))
    with w.database.reading() as connection:  # the trust records hold a digest, never the secret
        bodies = connection.execute(select(trust_records.c.body)).scalars().all()
    assert not any(genuine.secret in b or attacker in b for b in bodies)


@pytest.mark.parametrize("how", ["replaced", "added"])
def test_a_replaced_or_added_voiceprint_is_reported_and_never_signed_over(
        world: World, how: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    vp = directory.enroll_voiceprint(w.ctx, w.admin, w.counterparty, "voice_identity", [0.1] * 192)
    fake = json.dumps([0.3] * 192)
    with w.database.transaction() as connection:
        if how == "replaced":
            connection.execute(update(voiceprints).where(voiceprints.c.id == vp).values(embedding=fake))
        else:
            row = connection.execute(select(voiceprints).where(voiceprints.c.id == vp)).one()
            connection.execute(insert(voiceprints).values(entry_id=row.entry_id, model_id="voice_identity",
                                                          embedding=fake, enrolled_by=row.enrolled_by,
                                                          enrolled_at=row.enrolled_at))
    _reported(w, capsys, monkeypatch, f"{ENTRY}voiceprints changed in the database since ada signed it")
    with pytest.raises(DirectoryError, match="voiceprints changed in the database"):
        directory.enroll_voiceprint(w.ctx, w.admin, w.counterparty, "voice_identity", [0.2] * 192)
    with pytest.raises(DirectoryError, match="voiceprints changed in the database"):
        directory.set_code_phrase(w.ctx, w.admin, w.counterparty, PHRASE)
    request = _request(w)  # call-backs do not use voiceprints: they go on
    assert confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J. Smith",
                                         ["identity", "request"]).state in (State.HELD, State.APPROVED)
    directory.sign_existing(w.ctx, w.admin2, w.counterparty)  # an admin checked them and signs
    code, _, err = Cli.of(w, capsys, monkeypatch)("audit", "verify")
    assert code == 0, err


def _signed_without_digests(w: World) -> None:
    """An entry as `directory` records signed it before they carried secret digests."""
    ada = signed_in(w.ctx, "ada")
    assert ada.signer is not None
    with w.database.transaction() as connection:
        entry_id = int(connection.execute(select(directory_entries.c.id)
                                          .where(directory_entries.c.name == w.counterparty)).scalar_one())
        rows = snapshot(connection, entry_id)
        del rows["secrets"]
        append_record(connection, "directory", ada.id, directory_body(ada.id, "ada", rows, "x"), [ada.signer])


def test_an_entry_signed_before_digests_keeps_callbacks_but_not_its_secrets_until_re_signed(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    _signed_without_digests(w)
    with w.database.reading() as connection:  # nothing secret held: nothing to re-sign
        assert directory_problems(connection, trust_state(connection, w.ctx.pins)) == []
    directory.set_code_phrase(w.ctx, w.admin, w.counterparty, PHRASE)
    directory.enroll_totp(w.ctx, w.admin, w.counterparty)
    _signed_without_digests(w)
    request = _request(w)
    assert confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J. Smith",
                                         ["identity", "request"]).state in (State.HELD, State.APPROVED)
    _refused(lambda: confirmations.verify_phrase(w.ctx, w.approver, request.id, PHRASE),
             "signed by ada before enrolments were signed, so nothing covers its code phrase:",
             "callshield directory sign 'Acme Supplies'")
    _refused(lambda: confirmations.verify_totp(w.ctx, w.approver, request.id, "123456"),
             "so nothing covers its TOTP secret:")
    _reported(w, capsys, monkeypatch, "nothing covers its code phrase and TOTP secret")
    directory.sign_existing(w.ctx, w.admin2, w.counterparty)  # an admin checked the enrolments and re-signs
    with w.database.reading() as connection:
        entry_id = directory.get_entry(connection, w.counterparty).id
        assert whole_problem(connection, trust_state(connection, w.ctx.pins), entry_id) is None
    confirmations.verify_phrase(w.ctx, w.approver, request.id, PHRASE)


def test_directory_show_and_sign_on_the_command_line_for_an_entry_signed_before_digests(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    directory.set_code_phrase(w.ctx, w.admin, w.counterparty, PHRASE)
    _signed_without_digests(w)
    cli = Cli.of(w, capsys, monkeypatch)
    code, out, err = cli("directory", "show", w.counterparty)
    assert code == 0 and "SECRETS NOT SIGNED, no code phrase or TOTP checks: directory entry" in out, err
    code, _, err = cli("directory", "sign", w.counterparty)
    assert code == 0, err
    code, out, err = cli("directory", "show", w.counterparty)
    assert code == 0 and "NOT SIGNED" not in out, err
    code, _, err = cli("audit", "verify", "--pin")
    assert code == 0, err
