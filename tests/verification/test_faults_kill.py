"""SIGKILL in the middle of an approval and of a release, on both databases, at the latest point: the
state change and its audit record are written, the commit has not happened. After the process is gone
the request is in exactly one consistent state, `callshield audit verify` passes (root pinned, anchor
kept), and doing it again succeeds exactly once."""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.verification.audit_cli import Cli
from tests.verification.conftest import ALL_NO, FakeClock, World, make_context, register_machine, signed_in
from verification.store.tables import audit_log
from verification.workflow import confirmations, lifecycle
from verification.workflow.request import load_request
from verification.workflow.states import State

LOW = {"session": "c", "verdict": {"risk": 0.1, "level": "low", "reasons": []}, "models": []}


def _die_after_record(url: str, data_dir: str, now: str, request_id: int, operation: str) -> None:
    """Runs in a child: SIGKILLs itself right after the operation's audit record is appended."""
    from verification.audit import log

    append = log.AuditLog._append
    action = "request.release" if operation == "release" else "step."

    def append_then_die(self: Any, connection: Any, event: Any) -> Any:
        written = append(self, connection, event)
        if event.action.startswith(action):
            os.kill(os.getpid(), signal.SIGKILL)
        return written

    log.AuditLog._append = append_then_die  # type: ignore[method-assign]
    clock = FakeClock()
    clock._now = datetime.fromisoformat(now)
    ctx = make_context(url, Path(data_dir), clock)
    if operation == "release":
        lifecycle.release(ctx, signed_in(ctx, "rita"), request_id)
    else:
        confirmations.approve(ctx, signed_in(ctx, "alan"), request_id)


def _records(w: World, action: str, request_id: int) -> int:
    with w.database.reading() as connection:
        bodies = connection.execute(select(audit_log.c.body)).scalars()
        return sum(1 for b in bodies if f'"action":"{action}"' in b and f'"subject":"request:{request_id}"' in b)


def _held_with_callback(w: World) -> int:
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty,
                                       {"iban": "GB33BUKB20201555555555"}, call=LOW, checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J",
                                  ["identity", "request", "amount", "beneficiary"])
    return request.id


@pytest.mark.parametrize("operation", ["approve", "release"])
def test_sigkill_mid_operation_leaves_one_consistent_state(world: World, tmp_path: Path, operation: str,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    cli = Cli.of(w, capsys, monkeypatch)
    request_id = _held_with_callback(w)
    if operation == "release":
        confirmations.approve(w.ctx, w.approver2, request_id)
        w.clock.advance(minutes=61)  # past the hold
    before = State.HELD if operation == "approve" else State.APPROVED
    after = State.APPROVED if operation == "approve" else State.RELEASED
    assert cli("audit", "verify", "--pin")[0] == 0  # this machine pins the chain as it stood
    register_machine(w, tmp_path / "victim")
    url = w.database.url.render_as_string(hide_password=False)
    proc = multiprocessing.get_context("spawn").Process(
        target=_die_after_record, args=(url, str(tmp_path / "victim"), w.clock().isoformat(), request_id, operation))
    proc.start()
    proc.join(90)
    assert proc.exitcode == -signal.SIGKILL, proc.exitcode
    action = "request.release" if operation == "release" else "step.approval"
    with w.database.reading() as connection:
        assert load_request(connection, request_id).state == before
        if w.database.dialect == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert _records(w, action, request_id) == 0  # the record went with the transaction
    code, out, err = cli("audit", "verify")
    assert code == 0 and out.startswith("audit log intact"), err
    if operation == "release":
        assert lifecycle.release(w.ctx, w.requester, request_id).state == after
    else:
        assert confirmations.approve(w.ctx, w.approver, request_id).state == after
    assert _records(w, action, request_id) == 1
    code, out, err = cli("audit", "verify")
    assert code == 0 and out.startswith("audit log intact"), err
