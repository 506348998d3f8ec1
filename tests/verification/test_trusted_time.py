"""Time the workflow trusts: on PostgreSQL the production context reads the server's clock, so a client
whose clock is 5 h behind cannot put a hold in the past; on SQLite a clock turned back is refused before
anything is written; `audit verify` reports a stored chain whose times go backwards."""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from sqlalchemy import create_engine, func, insert, select, text, update

from tests.verification.conftest import ALL_NO, PASSWORD, TEST_HASHER, World
from verification.audit.canonical import canonical_json
from verification.audit.log import RECORD_SCHEMA, chain_hash, signed_message
from verification.trust.installations import installation_keys
from verification.audit.verify import verify_database_chain
from verification.cli import main
from verification.commands.workflow_common import open_context
from verification.errors import AuditError, StoreError, WorkflowRefused
from verification.store.clock import format_time, parse_time
from verification.store.database import Database
from verification.store.server_clock import ServerClock
from verification.store.tables import audit_head, audit_log, requests
from verification.workflow import confirmations, lifecycle
from verification.workflow.context import Context
from verification.workflow.states import State

LOW = {"session": "c", "verdict": {"risk": 0.1, "level": "low", "reasons": []}, "models": []}
BEHIND = timedelta(hours=5)


def _behind() -> datetime:
    return datetime.now(timezone.utc) - BEHIND


@pytest.fixture
def production(world: World) -> Iterator[Context]:
    """The context the CLI builds (`open_context`), on a machine whose own clock is 5 h behind."""
    args = argparse.Namespace(db=world.database.url.render_as_string(hide_password=False),
                              data_dir=str(world.data_dir))
    with open_context(args, {}, local_clock=_behind) as ctx:
        yield dataclasses.replace(ctx, hasher=TEST_HASHER)  # cheap hashing; clock and audit log as built


def _server_now(w: World) -> datetime:
    with w.database.reading() as connection:
        return connection.execute(text("SELECT clock_timestamp()")).scalar_one().astimezone(timezone.utc)


@pytest.mark.parametrize("db_kind", ["postgresql"])
def test_client_clock_behind_does_not_shorten_a_hold_on_postgresql(world: World, production: Context) -> None:
    w = world
    before = _server_now(w)
    request = lifecycle.create_request(production, w.requester, "transfer", "2000000", "EUR", w.counterparty,
                                       {"iban": "GB33BUKB20201555555555"}, call=LOW, checklist=ALL_NO)
    after = _server_now(w)
    assert request.requirements is not None and request.requirements.steps.hold_minutes > 0
    hold = timedelta(minutes=request.requirements.steps.hold_minutes)
    assert before <= parse_time(request.created_at) <= after  # the server's time, not the client's
    assert request.held_until is not None and parse_time(request.held_until) >= before + hold
    with w.database.reading() as connection:
        last = json.loads(connection.execute(select(audit_log.c.body).order_by(audit_log.c.seq.desc())
                                             .limit(1)).scalar_one())
    assert before <= parse_time(last["at"]) <= after
    # Every step done at once, through the same client: the hold still stands.
    confirmations.record_callback(production, w.approver, request.id, w.phone.id, "confirmed", "J",
                                  ["identity", "request"])
    code = confirmations.issue_code(production, w.approver, request.id)
    confirmations.verify_code(production, w.approver, request.id, code)
    confirmations.approve(production, w.approver, request.id)
    confirmations.approve(production, w.approver2, request.id)
    with pytest.raises(WorkflowRefused, match="cooling-off hold"):
        lifecycle.release(production, w.requester, request.id)
    with w.database.reading() as connection:
        assert connection.execute(select(requests.c.state).where(requests.c.id == request.id)).scalar_one() \
            == State.APPROVED.value


@pytest.mark.parametrize("db_kind", ["postgresql"])
def test_server_clock_reads_the_server(world: World) -> None:
    clock = ServerClock(world.database)
    first, second = clock(), clock()
    assert first.tzinfo is not None and first <= second
    assert abs(first - _server_now(world)) < timedelta(seconds=5)


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_clock_turned_back_is_refused_on_sqlite(world: World) -> None:
    w = world
    args = argparse.Namespace(db=w.database.url.render_as_string(hide_password=False), data_dir=str(w.data_dir))
    with open_context(args, {}) as right:  # this machine's true clock writes first
        lifecycle.create_request(dataclasses.replace(right, hasher=TEST_HASHER), w.requester, "transfer", "25000",
                                 "EUR", w.counterparty, {"iban": "GB33BUKB20201555555555"}, call=LOW, checklist=ALL_NO)
    with w.database.reading() as connection:
        records = connection.execute(select(func.count()).select_from(audit_log)).scalar_one()
        made = connection.execute(select(func.count()).select_from(requests)).scalar_one()
    with open_context(args, {}, local_clock=_behind) as wrong:
        with pytest.raises(AuditError, match="the clock runs backwards") as refused:
            lifecycle.create_request(dataclasses.replace(wrong, hasher=TEST_HASHER), w.requester, "transfer",
                                     "2000000", "EUR", w.counterparty, {"iban": "GB33BUKB20201555555555"}, call=LOW, checklist=ALL_NO)
    assert "\n" not in str(refused.value)
    with w.database.reading() as connection:
        assert connection.execute(select(func.count()).select_from(audit_log)).scalar_one() == records
        assert connection.execute(select(func.count()).select_from(requests)).scalar_one() == made
        assert verify_database_chain(connection, installation_keys(connection, world.ctx.pins)).ok


def test_fake_clock_moved_back_is_refused(world: World) -> None:
    w = world
    lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty, {"iban": "GB33BUKB20201555555555"},
                             call=LOW, checklist=ALL_NO)
    w.clock.advance(seconds=-1)
    with pytest.raises(AuditError, match="the clock runs backwards"):
        lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty, {"iban": "GB33BUKB20201555555555"},
                                 call=LOW, checklist=ALL_NO)
    w.clock.advance(seconds=1)  # the same instant again is fine
    lifecycle.create_request(w.ctx, w.requester, "transfer", "25000", "EUR", w.counterparty, {"iban": "GB33BUKB20201555555555"},
                             call=LOW, checklist=ALL_NO)


def test_audit_verify_reports_times_going_backwards(world: World, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A chain written before this check, by clients whose clocks disagreed: properly linked and signed,
    but record N+1 is dated before record N."""
    w = world
    key = w.ctx.audit.key
    with w.database.transaction() as connection:
        head = connection.execute(select(audit_head).where(audit_head.c.id == 1)).one()
        last = json.loads(connection.execute(select(audit_log.c.body).where(audit_log.c.seq == head.seq))
                          .scalar_one())
        seq, at = head.seq + 1, format_time(parse_time(last["at"]) - BEHIND)
        body = canonical_json({"schema": RECORD_SCHEMA, "seq": seq, "at": at, "actor": "rita",
                               "action": "request.created", "subject": "request:999", "before": None,
                               "after": None, "policy_version": None, "call": None, "key_id": key.key_id})
        digest = chain_hash(head.hash, body)
        connection.execute(insert(audit_log).values(seq=seq, prev_hash=head.hash, hash=digest, key_id=key.key_id,
                                                    signature=key.sign(signed_message(digest)), body=body))
        connection.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=digest))
    with w.database.reading() as connection:
        result = verify_database_chain(connection, installation_keys(connection, world.ctx.pins))
    assert not result.ok and result.first_bad_seq == seq and "clock ran backwards" in (result.problem or "")
    monkeypatch.setenv("CALLSHIELD_USER", "ada")
    monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD)
    code = main(["audit", "verify", "--db", w.database.url.render_as_string(hide_password=False),
                 "--data-dir", str(w.data_dir)])
    err = capsys.readouterr().err
    assert code == 1 and "clock ran backwards" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("db_kind", ["postgresql"])
def test_server_clock_unreachable_is_one_line(world: World) -> None:
    url = world.database.url.set(database="no_such_database")
    broken = Database(create_engine(url), url)
    with pytest.raises(StoreError, match="cannot read the clock of database") as refused:
        ServerClock(broken)()
    assert "\n" not in str(refused.value)
    broken.dispose()
