"""Races and failures against real databases: approvers racing, releases racing (threads and
processes), a PostgreSQL backend terminated mid-transition, and a process killed mid-transaction.
Nothing is lost, nothing is released twice, nothing is half done, and the audit chain stays whole."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.verification.conftest import ALL_NO, FakeClock, World, make_context, register_machine, signed_in
from verification.trust.installations import installation_keys
from verification.audit.verify import verify_database_chain
from verification.errors import CallShieldError, StoreError
from verification.store.tables import audit_log, steps
from verification.trust.root import PIN_FILE
from verification.workflow import confirmations, lifecycle
from verification.workflow.request import ActionRequest, load_request
from verification.workflow.states import State

LOW = {"session": "c", "verdict": {"risk": 0.1, "level": "low", "reasons": []}, "models": []}


def _approved_request(w: World) -> ActionRequest:
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty,
                                       {"iban": "GB33BUKB20201555555555"}, call=LOW, checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    return confirmations.approve(w.ctx, w.approver, request.id)


def _race(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            value = call()
            with lock:
                results.append(value)
        except CallShieldError as error:
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def _count(w: World, action: str, request_id: int) -> int:
    with w.database.reading() as connection:
        bodies = connection.execute(select(audit_log.c.body)).scalars()
        return sum(1 for b in bodies if f'"action":"{action}"' in b and f'"subject":"request:{request_id}"' in b)


def test_two_approvers_racing_for_the_last_approval(world: World) -> None:
    w = world
    for _ in range(3):
        request = lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty,
                                           {"iban": "GB33BUKB20201555555555"}, call=LOW, checklist=ALL_NO)
        confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J",
                                      ["identity", "request"])
        results, errors = _race([lambda a=a: confirmations.approve(w.ctx, a, request.id)
                                 for a in (w.approver, w.approver2)])
        assert len(results) == 1 and len(errors) == 1, errors
        assert "nothing to approve" in str(errors[0]) or "changed by someone else" in str(errors[0])
        with w.database.reading() as connection:
            assert load_request(connection, request.id).state == State.APPROVED
            approvals = connection.execute(select(func.count()).select_from(steps).where(
                steps.c.request_id == request.id, steps.c.kind == "approval")).scalar_one()
        assert approvals == 1
    with w.database.reading() as connection:
        assert verify_database_chain(connection, installation_keys(connection, world.ctx.pins)).ok


def test_two_approvers_both_needed_no_lost_update(world: World) -> None:
    w = world
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "2000000", "EUR", w.counterparty,
                                       {"iban": "GB33BUKB20201555555555"}, call=LOW, checklist=ALL_NO)  # two approvals needed
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    code = confirmations.issue_code(w.ctx, w.approver, request.id)
    confirmations.verify_code(w.ctx, w.approver, request.id, code)
    results, errors = _race([lambda a=a: confirmations.approve(w.ctx, a, request.id)
                             for a in (w.approver, w.approver2)])
    assert not errors and len(results) == 2
    with w.database.reading() as connection:
        final = load_request(connection, request.id)
    assert final.state == State.APPROVED


def test_releases_racing_in_threads_release_once(world: World) -> None:
    w = world
    request = _approved_request(w)
    results, errors = _race([lambda: lifecycle.release(w.ctx, w.requester, request.id) for _ in range(6)])
    assert len(results) == 1 and len(errors) == 5
    assert all("released" in str(e) or "changed by someone else" in str(e) for e in errors)
    assert _count(w, "request.release", request.id) == 1


def _release_in_process(url: str, data_dir: str, now: str, request_id: int, ready: Any, go: Any,
                        out: Any) -> None:
    clock = FakeClock()
    clock._now = datetime.fromisoformat(now)
    ctx = make_context(url, Path(data_dir), clock)
    user = signed_in(ctx, "rita")
    ready.put(True)
    go.wait(60)  # all processes connected: release together
    try:
        lifecycle.release(ctx, user, request_id)
        out.put("released")
    except CallShieldError as error:
        out.put(f"refused: {error}")
    finally:
        ctx.database.dispose()


def test_releases_racing_in_processes_release_once(world: World, tmp_path: Path) -> None:
    w = world
    request = _approved_request(w)
    spawn = multiprocessing.get_context("spawn")
    out, ready, go = spawn.Queue(), spawn.Queue(), spawn.Event()
    for i in range(2):  # other machines: each has pinned the organisation's trust root, its key registered
        register_machine(w, tmp_path / f"d{i}")
    procs = [spawn.Process(target=_release_in_process,
                           args=(str(w.database.url.render_as_string(hide_password=False)), str(tmp_path / f"d{i}"),
                                 w.clock().isoformat(), request.id, ready, go, out)) for i in range(2)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=60)
    go.set()
    outcomes = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
    assert outcomes.count("released") == 1, outcomes
    assert _count(w, "request.release", request.id) == 1
    with w.database.reading() as connection:
        # three installations' keys in one chain, each registered by an admin
        assert verify_database_chain(connection, installation_keys(connection, world.ctx.pins)).ok


@pytest.mark.parametrize("db_kind", ["postgresql"], indirect=True)
def test_postgres_backend_terminated_mid_transition(world: World) -> None:
    """SQLite has no server backend to lose; the killed-process test covers it."""
    w = world
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty,
                                       {"iban": "GB33BUKB20201555555555"}, call=LOW, checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    blocker = create_engine(w.database.url)
    errors: list[BaseException] = []
    with blocker.connect() as lock_holder:
        lock_holder.execute(text("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"))  # approval will queue here

        def approve() -> None:
            try:
                confirmations.approve(w.ctx, w.approver, request.id)
            except StoreError as error:
                errors.append(error)

        worker = threading.Thread(target=approve)
        worker.start()
        pid = None
        for _ in range(200):  # the approval has written its step and state, and waits for the audit head
            pid = lock_holder.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND pid <> pg_backend_pid()")).scalar()
            if pid:
                break
            time.sleep(0.02)
        assert pid, "the approval never reached the audit head"
        lock_holder.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        lock_holder.rollback()
        worker.join(30)
    blocker.dispose()
    assert len(errors) == 1 and "nothing was committed" in str(errors[0]) and "\n" not in str(errors[0])
    with w.database.reading() as connection:
        assert load_request(connection, request.id).state == State.HELD
        assert not [s for s in confirmations.steps_as_dicts(connection, request.id) if s["kind"] == "approval"]
        assert verify_database_chain(connection, installation_keys(connection, world.ctx.pins)).ok
    assert confirmations.approve(w.ctx, w.approver, request.id).state == State.APPROVED  # retry works


def _approve_then_die(url: str, data_dir: str, now: str, request_id: int) -> None:
    """Dies by SIGKILL inside the transaction, after the step and the new state were written."""
    from verification.audit import log

    original = log.AuditLog._append

    def die_on_step(self: Any, connection: Any, event: Any) -> Any:
        if event.action.startswith("step."):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(self, connection, event)

    log.AuditLog._append = die_on_step  # type: ignore[method-assign]
    clock = FakeClock()
    clock._now = datetime.fromisoformat(now)
    ctx = make_context(url, Path(data_dir), clock)
    user = signed_in(ctx, "alan")
    confirmations.approve(ctx, user, request_id)


def test_process_killed_mid_transaction_leaves_nothing_half_done(world: World, tmp_path: Path) -> None:
    w = world
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty,
                                       {"iban": "GB33BUKB20201555555555"}, call=LOW, checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J", ["identity", "request"])
    register_machine(w, tmp_path / "victim")
    spawn = multiprocessing.get_context("spawn")
    proc = spawn.Process(target=_approve_then_die, args=(w.database.url.render_as_string(hide_password=False),
                                                         str(tmp_path / "victim"), w.clock().isoformat(), request.id))
    proc.start()
    proc.join(60)
    assert proc.exitcode == -signal.SIGKILL
    with w.database.reading() as connection:
        assert load_request(connection, request.id).state == State.HELD
        assert [s["kind"] for s in confirmations.steps_as_dicts(connection, request.id)] == ["callback"]
        assert verify_database_chain(connection, installation_keys(connection, world.ctx.pins)).ok
        if w.database.dialect == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert confirmations.approve(w.ctx, w.approver, request.id).state == State.APPROVED
