"""The set-up ceremony and the trust root from the command line: two first admins, the root exported on
one machine and pinned on another (only the root that belongs to this database, as the database has it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verification.cli import main

PASSWORD_ADA, PASSWORD_BEN = "ada's own password", "ben's own password"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ceremony_export_and_pin_on_a_second_machine(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'org.db'}"
    first, second = tmp_path / "machine1", tmp_path / "machine2"
    monkeypatch.setenv("CALLSHIELD_NEW_PASSWORD", PASSWORD_ADA)
    monkeypatch.setenv("CALLSHIELD_SECOND_PASSWORD", PASSWORD_BEN)
    code, out, err = _run(capsys, "users", "init", "ada", "--second", "ben", "--db", db, "--data-dir", str(first))
    assert code == 0, err
    assert "'ada', 'ben'" in out and "pinned here" in out
    root_file = tmp_path / "root.json"
    code, out, err = _run(capsys, "audit", "trust-root", "--out", str(root_file), "--db", db, "--data-dir", str(first))
    assert code == 0, err
    fingerprint = out.split("fingerprint ")[1].split(" ")[0]

    monkeypatch.setenv("CALLSHIELD_USER", "ada")
    monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD_ADA)
    code, _, err = _run(capsys, "users", "list", "--db", db, "--data-dir", str(second))
    assert code == 0, err  # reading needs no key
    monkeypatch.setenv("CALLSHIELD_NEW_PASSWORD", "carl's first password")
    add_carl = ("users", "add", "carl", "--role", "requester", "--db", db, "--data-dir", str(second))
    code, _, err = _run(capsys, *add_carl)  # an admin signs carl's key: not without the pinned root
    assert code != 0 and "no trust root pinned on this machine" in err and len(err.strip().splitlines()) == 1

    forged = json.loads(root_file.read_text())
    forged["keys"] = forged["keys"][:1]
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    code, _, err = _run(capsys, "audit", "trust-root", "--pin", str(tmp_path / "forged.json"), "--db", db,
                        "--data-dir", str(second))
    assert code != 0 and "differs from the copy in the database" in err

    code, out, err = _run(capsys, "audit", "trust-root", "--pin", str(root_file), "--db", db, "--data-dir", str(second))
    assert code == 0, err
    assert fingerprint in out
    code, _, err = _run(capsys, *add_carl)  # this machine's audit key: no admin registered it yet
    assert code != 0 and "is not registered by an admin" in err and len(err.strip().splitlines()) == 1
    code, out, err = _run(capsys, "audit", "register-installation", "--db", db, "--data-dir", str(second))
    assert code == 0 and "registered" in out, err
    code, _, err = _run(capsys, *add_carl)
    assert code == 0, err


def test_root_of_another_database_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSHIELD_NEW_PASSWORD", PASSWORD_ADA)
    for name in ("a", "b"):
        code, _, err = _run(capsys, "users", "init", "ada", "--db", f"sqlite:///{tmp_path / name}.db",
                            "--data-dir", str(tmp_path / name))
        assert code == 0, err
    code, _, err = _run(capsys, "audit", "trust-root", "--out", str(tmp_path / "a.json"), "--db",
                        f"sqlite:///{tmp_path / 'a'}.db", "--data-dir", str(tmp_path / "a"))
    assert code == 0, err
    code, _, err = _run(capsys, "audit", "trust-root", "--pin", str(tmp_path / "a.json"), "--db",
                        f"sqlite:///{tmp_path / 'b'}.db", "--data-dir", str(tmp_path / "x"))
    assert code != 0 and "belongs to database" in err
