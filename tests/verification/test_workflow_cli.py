"""The workflow from the command line, as an integration would drive it: credentials from the
environment or a file, JSON output, refusals as one line with a non-zero exit status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from tests.verification.conftest import PASSWORD, World
from verification.cli import main
from verification.store.tables import audit_log

REPORT = {"schema": "callshield.report/1", "input": {"path": "call.mp4", "duration_s": 42.0},
          "models": [{"id": "voice_synthetic", "sha256": "ef" * 32, "provider": "CPUExecutionProvider"}],
          "detectors": {}, "faces": [], "verdict": {"risk": 0.2, "level": "low", "reasons": ["all quiet"]},
          "timing": {"wall_s": 1.0}}


class Cli:
    def __init__(self, w: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.base = ["--db", w.database.url.render_as_string(hide_password=False), "--data-dir", str(w.data_dir)]
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, user: str | None, *argv: str) -> tuple[int, str, str]:
        if user:
            self.monkeypatch.setenv("CALLSHIELD_USER", user)
            self.monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD)
        else:
            self.monkeypatch.delenv("CALLSHIELD_USER", raising=False)
        group, sub, *rest = argv
        code = main([group, sub, *self.base, *rest])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, user: str, *argv: str) -> Any:
        code, out, err = self(user, *argv, "--json")
        assert code == 0, err
        return json.loads(out)


def _one_line_refusal(result: tuple[int, str, str], match: str) -> None:
    code, _out, err = result
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("callshield: ") and match in lines[0], err
    assert "Traceback" not in err


def test_request_to_release_and_evidence_from_the_cli(world: World, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cli = Cli(world, capsys, monkeypatch)
    report = tmp_path / "report.json"
    report.write_text(json.dumps(REPORT))
    checks = [f"--check={k}=no" for k in ("urgency", "secrecy", "new_beneficiary", "changed_bank_details",
                                          "unusual_channel", "callback_refused")]
    created = cli.json("rita", "request", "create", "--amount", "25000", "--currency", "eur", "--counterparty",
                       world.counterparty, "--beneficiary", "iban=GB33BUKB20201555555555", "--report", str(report), "--session", "s-1",
                       "--claimed-contact", "+852 5555 0199", *checks)
    rid = str(created["id"])
    assert created["state"] == "held" and created["call"]["verdict"]["level"] == "low"
    _one_line_refusal(cli("alan", "request", "callback", rid, "--phone", str(world.phone.id), "--outcome", "confirmed",
                          "--answered-by", "J", "--confirmed", "identity,request", "--dialled", "+852 5555 0199"),
                      "number given in the request")
    _one_line_refusal(cli("rita", "request", "release", rid), "missing call-back")
    assert cli("alan", "request", "callback", rid, "--phone", str(world.phone.id), "--outcome", "confirmed",
               "--answered-by", "J. Smith", "--confirmed", "identity,request,amount")[0] == 0
    _one_line_refusal(cli("rita", "request", "approve", rid), "lacks the approver role")
    assert cli.json("bea", "request", "approve", rid)["state"] == "approved"
    assert cli.json("rita", "request", "release", rid)["state"] == "released"
    _one_line_refusal(cli("rita", "request", "release", rid), "released")

    _one_line_refusal(cli("ada", "audit", "verify"), "unanchored")  # this machine never saw the chain before
    assert cli("ada", "audit", "verify", "--pin")[0] == 0
    assert cli("ada", "audit", "verify")[0] == 0
    pack, html = tmp_path / "pack.json", tmp_path / "pack.html"
    assert cli("ada", "audit", "pack", rid, "--out", str(pack), "--html", str(html))[0] == 0
    assert "vendor master data" in html.read_text()
    assert main(["audit", "verify-pack", str(pack), "--data-dir", str(world.data_dir)]) == 0
    capsys.readouterr()
    data = json.loads(pack.read_text())
    data["approvals"][0]["approver"] = "rita"
    pack.write_text(json.dumps(data))
    code = main(["audit", "verify-pack", str(pack), "--data-dir", str(world.data_dir)])
    _one_line_refusal((code, "", capsys.readouterr().err), "NOT valid")

    with world.database.transaction() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 3).values(body="{}"))
    code, _out, err = cli("ada", "audit", "verify")
    assert code == 1 and "record 3" in err and len(err.strip().splitlines()) == 1


def test_credentials_file_and_missing_credentials(world: World, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cli = Cli(world, capsys, monkeypatch)
    creds = tmp_path / "creds"
    creds.write_text(f"alan\n{PASSWORD}\n")
    monkeypatch.delenv("CALLSHIELD_CREDENTIALS", raising=False)
    code, out, _ = cli(None, "users", "whoami", "--credentials", str(creds))
    assert code == 0 and out.startswith("alan")
    _one_line_refusal(cli(None, "users", "whoami"), "no credentials")
    monkeypatch.setenv("CALLSHIELD_USER", "alan")
    monkeypatch.setenv("CALLSHIELD_PASSWORD", "wrong password")
    code, _o, err = main(["users", "whoami", *cli.base]), *capsys.readouterr()
    _one_line_refusal((code, _o, err), "authentication failed")


def test_database_down_is_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                   tmp_path: Path) -> None:
    monkeypatch.setenv("CALLSHIELD_USER", "ada")
    monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD)
    code = main(["request", "list", "--db", "postgresql://nobody@127.0.0.1:9/none", "--data-dir", str(tmp_path)])
    _one_line_refusal((code, "", capsys.readouterr().err), "cannot open database")


def test_policy_commands(world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                         tmp_path: Path) -> None:
    cli = Cli(world, capsys, monkeypatch)
    key = tmp_path / "ada.key"
    assert main(["users", "keygen", "--out", str(key)]) == 0
    capsys.readouterr()
    assert cli("ada", "users", "register-key", "--key", str(key))[0] == 0
    assert main(["policy", "default"]) == 0
    doc = json.loads(capsys.readouterr().out)
    doc["limits"]["code_ttl_minutes"] = 30
    path = tmp_path / "weaker.json"
    path.write_text(json.dumps(doc))
    checked = cli.json("ada", "policy", "check", str(path))
    assert checked["weakens"] == ["limits.code_ttl_minutes: 10 -> 30"]
    proposed = cli.json("ada", "policy", "propose", str(path), "--key", str(key))
    assert proposed["state"] == "proposed" and proposed["signatures_needed"] == 2
    _one_line_refusal(cli("ada", "policy", "sign", "1", "--key", str(key)), "already signed")
    doc["limits"]["code_ttl_minutes"] = 0
    path.write_text(json.dumps(doc))
    _one_line_refusal(cli("ada", "policy", "check", str(path)), "limits.code_ttl_minutes")
