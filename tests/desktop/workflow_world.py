"""A real, temporary SQLite workflow database for the desktop's workflow tabs, built through the
engine's own functions (cheap scrypt), and a WorkflowSession opened on it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from desktop.controllers.workflow_session import WorkflowSession
from tests.verification.conftest import (ALL_NO, PASSWORD, TEST_HASHER, FakeClock, add_person, engine_call,
                                        make_context)
from verification.audit.anchor import AnchorFile
from verification.audit.anchor_keeper import AnchoringAuditLog
from verification.workflow import confirmations, directory, lifecycle, users
from verification.workflow.context import Context
from verification.workflow.directory import Phone
from verification.workflow.roles import Role, User

CALL = {"session": "call-7", "report_sha256": "1" * 64,
        "verdict": {"risk": 0.91, "level": "high", "reasons": ["voice_synthetic: 0.93"]},
        "models": [{"id": "voice_synthetic", "sha256": "cd" * 32, "provider": "CPUExecutionProvider"}],
        "input": {"path": "call.mp4", "duration_s": 60.0}}
#: a calm call: with the call-back done, only the approval is missing
LOW_CALL = {**CALL, "verdict": {"risk": 0.08, "level": "low", "reasons": []}}


@dataclass
class DeskWorld:
    ctx: Context
    clock: FakeClock
    data_dir: Path
    admin: User
    requester: User
    approver: User
    both: User  # requester and approver: may still not approve their own request
    phone: Phone
    admin2: User  # "bea": the second admin of the set-up ceremony
    counterparty: str = "Acme Supplies"

    def session(self) -> WorkflowSession:
        """A desktop session on the same database, data directory, clock and cheap hasher."""
        return WorkflowSession(lambda: (self.ctx, self.data_dir))

    def held_request(self, requester: User | None = None, call: dict[str, Any] | None = None) -> int:
        """A held request with its call-back done, so only the approval is missing."""
        request = lifecycle.create_request(self.ctx, requester or self.requester, "transfer", "25000", "EUR",
                                           self.counterparty, {"iban": "GB33BUKB20201555555555"},
                                           call=engine_call(self.ctx, call or CALL), checklist=ALL_NO)
        confirmations.record_callback(self.ctx, self.approver, request.id, self.phone.id, "confirmed", "J. Smith",
                                      ["identity", "request", "amount"])
        return request.id


@pytest.fixture
def desk_world(tmp_path: Path) -> DeskWorld:
    clock = FakeClock()
    data_dir = tmp_path / "data"
    ctx = make_context(f"sqlite:///{tmp_path / 'callshield.db'}", data_dir, clock)
    assert ctx.hasher is TEST_HASHER
    # As the app writes: this installation creates the log, so its own writes keep its anchor current.
    ctx = replace(ctx, audit=AnchoringAuditLog(ctx.audit.key, clock, ctx.audit.gate, AnchorFile.in_data_dir(data_dir)))
    admin, admin2 = users.bootstrap_admins(ctx, [("ada", PASSWORD, None), ("bea", PASSWORD, None)])
    requester = add_person(ctx, admin, admin2, "rita", [Role.REQUESTER])
    approver = add_person(ctx, admin, admin2, "alan", [Role.APPROVER])
    both = add_person(ctx, admin, admin2, "sam", [Role.REQUESTER, Role.APPROVER])
    directory.add_entry(ctx, admin, "Acme Supplies", "counterparty", "Acme Ltd")
    phone = directory.add_phone(ctx, admin, "Acme Supplies", "+44 20 7946 0000",
                                "vendor master data, signed contract 2023-04")
    clock.advance(days=200)  # an established counterparty
    return DeskWorld(ctx, clock, data_dir, admin, requester, approver, both, phone, admin2)
