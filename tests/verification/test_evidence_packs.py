"""Evidence packs checked against a trust root the checker holds, on both databases.

Attacks: `verify-pack` accepted a pack re-signed by an attacker's key unless `--trust` was given, and never
noticed a removed record or statement; `audit pack` packed a request whose statements did not verify."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from tests.verification.audit_cli import Cli, one_line
from tests.verification.conftest import ALL_NO, World
from verification.audit.canonical import canonical_bytes
from verification.audit.keys import SigningKey
from verification.store.tables import statements
from verification.workflow import confirmations, lifecycle
from verification.workflow.states import State

IBAN = "GB33BUKB20201555555555"


def _released(w: World) -> int:
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "9000", "EUR", w.counterparty,
                                       {"iban": IBAN}, checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J. Smith",
                                  ["identity", "request", "amount", "beneficiary"])
    assert confirmations.approve(w.ctx, w.approver2, request.id).state == State.APPROVED
    w.clock.advance(minutes=61)
    assert lifecycle.release(w.ctx, w.requester, request.id).state == State.RELEASED
    return request.id


@pytest.fixture
def packed(world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
           tmp_path: Path) -> tuple[Cli, Path, dict[str, Any]]:
    cli = Cli.of(world, capsys, monkeypatch)
    request_id = _released(world)
    out = tmp_path / "pack.json"
    code, _, err = cli("audit", "pack", str(request_id), "--out", str(out))
    assert code == 0, err
    return cli, out, json.loads(out.read_text())


def _verify_pack(cli: Cli, path: Path, *extra: str) -> tuple[int, str, str]:
    from verification.cli import main

    code = main(["audit", "verify-pack", str(path), *extra])
    out, err = cli.capsys.readouterr()
    return code, out, err


def _save(path: Path, pack: dict[str, Any]) -> Path:
    path.write_text(json.dumps(pack))
    return path


def _resign(pack: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    pack = {k: v for k, v in pack.items() if k != "signature"}
    pack["signature"] = {"key_id": key.key_id, "public_key": key.public_b64, "value": key.sign(canonical_bytes(pack))}
    return pack


def test_a_genuine_pack_verifies_with_the_pinned_root_or_a_root_file(
        world: World, packed: tuple[Cli, Path, dict[str, Any]], tmp_path: Path) -> None:
    cli, path, pack = packed
    code, out, err = _verify_pack(cli, path, "--data-dir", str(world.data_dir))
    assert code == 0 and "evidence pack valid" in out, err
    root = tmp_path / "root.json"
    assert cli("audit", "trust-root", "--out", str(root))[0] == 0
    code, out, err = _verify_pack(cli, path, "--root", str(root), "--data-dir", str(tmp_path / "elsewhere"))
    assert code == 0, err
    assert {s["kind"] for s in pack["statements"]} >= {"submit", "callback", "approval", "release"}


def test_without_a_trust_root_nothing_is_accepted(packed: tuple[Cli, Path, dict[str, Any]], tmp_path: Path) -> None:
    cli, path, _ = packed
    code, _, err = _verify_pack(cli, path, "--data-dir", str(tmp_path / "empty"))
    assert code != 0
    one_line(err, "no trust root to check")


def test_a_pack_re_signed_by_another_key_fails(world: World, packed: tuple[Cli, Path, dict[str, Any]],
                                              tmp_path: Path) -> None:
    cli, _, pack = packed
    forger = SigningKey.from_private(Ed25519PrivateKey.generate())
    edited = copy.deepcopy(pack)
    edited["request"]["amount"] = "900000.00"
    path = _save(tmp_path / "forged.json", _resign(edited, forger))
    code, _, err = _verify_pack(cli, path, "--data-dir", str(world.data_dir))
    assert code == 1
    one_line(err, f"the pack is signed by key {forger.key_id}, which no admin registered")


def test_a_pack_with_its_own_trust_root_fails(world: World, packed: tuple[Cli, Path, dict[str, Any]],
                                              tmp_path: Path) -> None:
    """The attacker brings a root of their own: the pack is checked against the root the checker holds."""
    cli, _, pack = packed
    edited = copy.deepcopy(pack)
    edited["trust"]["root"]["keys"][0]["public_key"] = SigningKey.from_private(
        Ed25519PrivateKey.generate()).public_b64
    path = _save(tmp_path / "forged.json", _resign(edited, world.ctx.audit.key))
    code, _, err = _verify_pack(cli, path, "--data-dir", str(world.data_dir))
    assert code == 1
    one_line(err, "rests on a different trust root")


def test_a_pack_with_a_record_removed_fails(world: World, packed: tuple[Cli, Path, dict[str, Any]],
                                            tmp_path: Path) -> None:
    from verification.audit.pack import derive_views
    from verification.audit.pack_verify import _stored

    cli, _, pack = packed
    edited = copy.deepcopy(pack)
    del edited["audit"]["records"][2]  # an installation key holder re-signs the shortened pack
    edited.update(derive_views([_stored(r) for r in edited["audit"]["records"]]))
    path = _save(tmp_path / "short.json", _resign(edited, world.ctx.audit.key))
    code, _, err = _verify_pack(cli, path, "--data-dir", str(world.data_dir))
    assert code == 1
    one_line(err, "the request's records are incomplete: version")


def test_a_pack_with_a_statement_removed_fails(world: World, packed: tuple[Cli, Path, dict[str, Any]],
                                               tmp_path: Path) -> None:
    cli, _, pack = packed
    for kind in ("callback", "submit"):
        edited = copy.deepcopy(pack)
        edited["statements"] = [s for s in edited["statements"] if s["kind"] != kind]
        path = _save(tmp_path / f"no-{kind}.json", _resign(edited, world.ctx.audit.key))
        code, _, err = _verify_pack(cli, path, "--data-dir", str(world.data_dir))
        assert code == 1
        one_line(err, "is missing from the pack" if kind == "callback" else "signed submission is missing")


def test_audit_pack_refuses_a_request_whose_statements_do_not_verify(
        world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cli = Cli.of(world, capsys, monkeypatch)
    request_id = _released(world)
    with world.database.transaction() as connection:
        first = connection.execute(select(statements.c.id).where(statements.c.request_id == request_id)
                                   .order_by(statements.c.id)).scalars().first()
        connection.execute(update(statements).where(statements.c.id == first)
                           .values(signature=SigningKey.from_private(Ed25519PrivateKey.generate()).sign(b"x")))
    out = tmp_path / "pack.json"
    code, _, err = cli("audit", "pack", str(request_id), "--out", str(out))
    assert code != 0 and not out.exists()
    one_line(err, f"statement {first} signature is not valid")
