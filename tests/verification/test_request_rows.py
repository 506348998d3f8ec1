"""`audit verify` checks every request row against its signed statements and the last audit record about
it, on both databases. Attack: a database writer edits a request row (amount, verdict, state) and `audit
verify` said the log was intact."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from tests.verification.audit_cli import Cli, one_line
from tests.verification.conftest import ALL_NO, World
from verification.store.tables import requests
from verification.workflow import confirmations, lifecycle
from verification.workflow.states import State

IBAN = "GB33BUKB20201555555555"
LOW = {"session": "c", "report_sha256": "ab" * 32, "verdict": {"level": "low", "risk": 0.1, "reasons": []},
       "models": []}


def _approved(w: World) -> int:
    request = lifecycle.create_request(w.ctx, w.requester, "transfer", "9000", "EUR", w.counterparty,
                                       {"iban": IBAN}, call=LOW, checklist=ALL_NO)
    confirmations.record_callback(w.ctx, w.approver, request.id, w.phone.id, "confirmed", "J. Smith",
                                  ["identity", "request", "amount", "beneficiary"])
    assert confirmations.approve(w.ctx, w.approver2, request.id).state == State.APPROVED
    return request.id


def _edit(w: World, request_id: int, **values: Any) -> None:
    with w.database.transaction() as connection:  # a database writer, bypassing the engine
        connection.execute(update(requests).where(requests.c.id == request_id).values(**values))


@pytest.fixture
def cli(world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli.of(world, capsys, monkeypatch)


def test_untouched_requests_verify(world: World, cli: Cli) -> None:
    released = _approved(world)
    world.clock.advance(minutes=61)
    lifecycle.release(world.ctx, world.requester, released)
    held = lifecycle.create_request(world.ctx, world.requester, "transfer", "250000", "EUR", world.counterparty,
                                    {"iban": IBAN}, call=LOW, checklist=ALL_NO)
    lifecycle.answer_checklist(world.ctx, world.requester, held.id, {"urgency": True})
    lifecycle.reject(world.ctx, world.approver, held.id, "not expected")
    draft = lifecycle.create_request(world.ctx, world.requester, "transfer", "100", "EUR", world.counterparty,
                                     {"iban": IBAN}, checklist=ALL_NO, submit=False)
    lifecycle.cancel(world.ctx, world.requester, draft.id, "typo")
    code, out, err = cli("audit", "verify", "--pin")
    assert code == 0 and "intact" in out, err


def test_amount_edited_in_the_row_is_reported(world: World, cli: Cli) -> None:
    request_id = _approved(world)
    _edit(world, request_id, amount="900000")
    code, _, err = cli("audit", "verify", "--pin")
    assert code == 1
    one_line(err, f"request {request_id}: row disagrees with its signed records: amount changed")


def test_verdict_swapped_in_the_row_is_reported(world: World, cli: Cli) -> None:
    request_id = _approved(world)
    _edit(world, request_id, call=json.dumps({**LOW, "verdict": {**LOW["verdict"], "level": "high"}}))
    code, _, err = cli("audit", "verify", "--pin")
    assert code == 1
    one_line(err, f"request {request_id}: row disagrees with its signed records: call verdict changed")


def test_state_of_a_draft_edited_is_reported(world: World, cli: Cli) -> None:
    """A draft has no statements yet: the audit record still says what it was."""
    draft = lifecycle.create_request(world.ctx, world.requester, "transfer", "100", "EUR", world.counterparty,
                                     {"iban": IBAN}, checklist=ALL_NO, submit=False)
    _edit(world, draft.id, state="approved")
    code, _, err = cli("audit", "verify", "--pin")
    assert code == 1
    one_line(err, f"request {draft.id}: row disagrees with its signed records: state changed")


def test_a_request_row_inserted_by_hand_is_reported(world: World, cli: Cli) -> None:
    request_id = _approved(world)
    with world.database.transaction() as connection:
        row = dict(connection.execute(select(requests).where(requests.c.id == request_id)).one()._mapping)
        row["id"] = request_id + 100
        connection.execute(insert(requests).values(**row))
    code, _, err = cli("audit", "verify", "--pin")
    assert code == 1
    one_line(err, f"request {request_id + 100}: no audit record about it")
