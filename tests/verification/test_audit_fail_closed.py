"""`audit verify` and `audit pack` fail closed on both databases: no anchor is "unanchored" (exit 1)
until the head is pinned; an installation's own writes keep its anchor current, so a truncation after
them is caught even with no `audit verify` in between; `audit pack` refuses a chain that does not verify."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from tests.verification.conftest import ALL_NO, PASSWORD, TEST_HASHER, World
from verification.audit.anchor import AnchorFile
from verification.audit.anchor_keeper import database_id
from verification.audit.log import AuditEvent
from verification.cli import main
from verification.commands.workflow_common import open_context
from verification.store.database import open_database
from verification.store.tables import audit_head, audit_log
from verification.workflow import lifecycle, users
from verification.workflow.context import Context

LOW = {"session": "c", "verdict": {"risk": 0.1, "level": "low", "reasons": []}, "models": []}


class Cli:
    def __init__(self, url: str, data_dir: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.base = ["--db", url, "--data-dir", str(data_dir)]
        self.capsys = capsys
        monkeypatch.setenv("CALLSHIELD_USER", "ada")
        monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD)

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        group, sub, *rest = argv
        code = main([group, sub, *self.base, *rest])
        out, err = self.capsys.readouterr()
        return code, out, err


def _cli(w: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(w.database.url.render_as_string(hide_password=False), w.data_dir, capsys, monkeypatch)


def _one_line(err: str, match: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("callshield: ") and match in lines[0], err
    assert "Traceback" not in err


def _production(w: World) -> argparse.Namespace:
    return argparse.Namespace(db=w.database.url.render_as_string(hide_password=False), data_dir=str(w.data_dir))


def _write_requests(w: World, count: int) -> None:
    """Writes through the context the CLI builds (its audit log keeps this machine's anchor)."""
    with open_context(_production(w), {}) as ctx:
        cheap = dataclasses.replace(ctx, hasher=TEST_HASHER)
        for _ in range(count):
            lifecycle.create_request(cheap, w.requester, "transfer", "25000", "EUR", w.counterparty, {"iban": "GB33BUKB20201555555555"},
                                     call=LOW, checklist=ALL_NO)


def _head(w: World) -> int:
    with w.database.reading() as connection:
        return int(connection.execute(select(audit_head.c.seq)).scalar_one())


def _truncate(w: World, keep: int) -> None:
    """Delete every record after `keep` and point the head at it: a consistent, shorter chain."""
    with w.database.transaction() as connection:
        last = connection.execute(select(audit_log.c.hash).where(audit_log.c.seq == keep)).scalar_one()
        connection.execute(delete(audit_log).where(audit_log.c.seq > keep))
        connection.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=keep, hash=last))


def test_no_anchor_is_unanchored_until_pinned(world: World, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _cli(world, capsys, monkeypatch)
    code, out, err = cli("audit", "verify")
    assert code == 1 and "intact" not in out
    _one_line(err, "audit log unanchored")
    assert "--pin" in err
    code, out, _ = cli("audit", "verify", "--pin")
    assert code == 0 and "pinned" in out
    code, out, _ = cli("audit", "verify")
    assert code == 0 and out.startswith("audit log intact")


def test_tail_and_anchor_file_deleted_is_not_intact(world: World, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _cli(world, capsys, monkeypatch)
    assert cli("audit", "verify", "--pin")[0] == 0
    _write_requests(world, 2)
    _truncate(world, _head(world) - 3)
    (world.data_dir / "audit-anchors.json").unlink()
    code, out, err = cli("audit", "verify")
    assert code == 1 and "intact" not in out
    _one_line(err, "unanchored")


def test_own_writes_keep_the_anchor_current_and_truncation_is_caught(world: World, capsys: pytest.CaptureFixture[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _cli(world, capsys, monkeypatch)
    assert cli("audit", "verify", "--pin")[0] == 0
    pinned = _head(world)
    _write_requests(world, 2)  # no `audit verify` after these writes
    written = _head(world)
    with world.database.reading() as connection:
        anchor = AnchorFile.in_data_dir(world.data_dir).get(database_id(connection))
    assert anchor is not None and anchor.seq == written > pinned
    _truncate(world, pinned)  # what this machine wrote is gone; the rest verifies on its own
    code, _out, err = cli("audit", "verify")
    assert code == 1
    _one_line(err, f"record {pinned + 1} is missing: this machine verified {written} records before (truncated)")


def test_anchor_not_moved_over_a_rewritten_chain(world: World, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _cli(world, capsys, monkeypatch)
    _write_requests(world, 1)
    assert cli("audit", "verify", "--pin")[0] == 0
    anchored = _head(world)
    _truncate(world, anchored - 2)
    _write_requests(world, 2)  # new records take the anchored numbers: the anchor must not follow them
    code, _out, err = cli("audit", "verify")
    assert code == 1
    _one_line(err, f"record {anchored} differs from the one this machine verified before (chain rewritten)")
    assert cli("audit", "verify", "--pin")[0] == 1  # pinning never overwrites an anchor that disagrees


def test_a_rolled_back_write_does_not_move_the_anchor(world: World, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _cli(world, capsys, monkeypatch)
    assert cli("audit", "verify", "--pin")[0] == 0
    anchors = AnchorFile.in_data_dir(world.data_dir)
    with world.database.reading() as connection:
        ident = database_id(connection)
    before = anchors.get(ident)
    with open_context(_production(world), {}) as ctx:
        with pytest.raises(RuntimeError):
            with ctx.database.transaction() as connection:
                ctx.audit.append(connection, AuditEvent(actor="ada", action="test.rolled_back", subject="test:1"))
                raise RuntimeError("the change fails after its audit record")
    assert anchors.get(ident) == before
    assert cli("audit", "verify")[0] == 0


def test_a_new_installation_anchors_the_chain_it_creates(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url, data_dir = f"sqlite:///{tmp_path / 'new.db'}", tmp_path / "data"
    data_dir.mkdir()
    with open_context(argparse.Namespace(db=url, data_dir=str(data_dir)), {}) as ctx:
        cheap: Context = dataclasses.replace(ctx, hasher=TEST_HASHER)
        users.create_first_admin(cheap, "ada", PASSWORD)
    code, out, _ = Cli(url, data_dir, capsys, monkeypatch)("audit", "verify")
    assert code == 0 and out.startswith("audit log intact: ")
    open_database(url).dispose()


def test_pack_refuses_a_chain_that_does_not_verify(world: World, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cli = _cli(world, capsys, monkeypatch)
    _write_requests(world, 1)
    with world.database.reading() as connection:
        rid = max(int(b.split('"subject":"request:')[1].split('"')[0])
                  for b in connection.execute(select(audit_log.c.body)).scalars() if '"subject":"request:' in b)
    out_file = tmp_path / "pack.json"
    assert cli("audit", "pack", str(rid), "--out", str(out_file))[0] == 0
    out_file.unlink()
    with world.database.transaction() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 3).values(body="{}"))
    code, out, err = cli("audit", "pack", str(rid), "--out", str(out_file))
    assert code != 0 and out == "" and not out_file.exists()
    _one_line(err, "audit log broken: record 3")
