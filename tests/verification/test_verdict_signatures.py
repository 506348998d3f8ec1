"""A linked call's verdict counts only when a registered installation signed the report, on both databases;
and no verdict removes what a request with no judged call needs.

Attack: `request create --report low.json` with a hand-written {"schema":"callshield.report/1",
"verdict":{"level":"low"}} dropped the steps that a request with no call needs."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.verification.audit_cli import Cli
from tests.verification.conftest import ALL_NO, World
from verification.audit.keys import SigningKey
from verification.policy.default import default_policy
from verification.policy.evaluate import Facts, evaluate
from verification.policy.parse import policy_document, policy_from_document
from verification.policy.schema import VERDICT_LEVELS
from verification.policy.steps import Steps
from verification.report.signature import sign_report
from verification.workflow import lifecycle
from verification.workflow.call_link import summarise_report

IBAN = "GB33BUKB20201555555555"
HAND_WRITTEN = {"schema": "callshield.report/1", "verdict": {"level": "low"}}
REPORT = {"schema": "callshield.report/1", "input": {"path": "call.mp4", "duration_s": 60.0},
          "models": [], "verdict": {"risk": 0.05, "level": "low", "reasons": []}}


def _write(path: Path, report: dict[str, Any], signature: dict[str, Any] | None = None) -> Path:
    path.write_text(json.dumps(report))
    if signature is not None:
        Path(str(path) + ".sig").write_text(json.dumps(signature))
    return path


def _create(cli: Cli, w: World, report: Path, amount: str = "500") -> tuple[int, str, str]:
    return cli("request", "create", "--amount", amount, "--currency", "EUR", "--counterparty", w.counterparty,
               "--beneficiary", f"iban={IBAN}", "--check", "urgency=no", "--report", str(report), "--json")


@pytest.fixture
def cli(world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    made = Cli.of(world, capsys, monkeypatch)
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    return made


def _steps(out: str) -> dict[str, Any]:
    return json.loads(out)["requirements"]["steps"]


def test_a_hand_written_low_report_counts_as_no_call(world: World, cli: Cli, tmp_path: Path) -> None:
    code, out, err = _create(cli, world, _write(tmp_path / "low.json", HAND_WRITTEN))
    assert code == 0, err
    view = json.loads(out)
    assert view["verdict_level"] == "no_call"
    code, no_report, err = cli("request", "create", "--amount", "500", "--currency", "EUR", "--counterparty",
                               world.counterparty, "--beneficiary", f"iban={IBAN}", "--check", "urgency=no", "--json")
    assert code == 0, err
    assert _steps(out) == _steps(no_report)
    assert _steps(out)["callback"] and _steps(out)["approvals"] >= 1


def test_create_says_plainly_when_a_report_does_not_count(world: World, cli: Cli, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    report = _write(tmp_path / "low.json", HAND_WRITTEN)
    code, out, err = cli("request", "create", "--amount", "500", "--currency", "EUR", "--counterparty",
                         world.counterparty, "--beneficiary", f"iban={IBAN}", "--report", str(report))
    assert code == 0, err
    assert "call report not counted (the report carries no CallShield signature): no call judged" in out


def test_a_report_signed_by_this_registered_installation_counts(world: World, cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "r.json", REPORT, sign_report(REPORT, world.ctx.audit.key))
    code, out, err = _create(cli, world, path)
    assert code == 0, err
    assert json.loads(out)["verdict_level"] == "low"


@pytest.mark.parametrize("attack", ["stranger key", "report edited", "verdict edited", "signature edited"])
def test_signatures_that_do_not_vouch_count_as_no_call(world: World, cli: Cli, tmp_path: Path, attack: str) -> None:
    report, key = copy.deepcopy(REPORT), world.ctx.audit.key
    if attack == "stranger key":
        key = SigningKey.from_private(Ed25519PrivateKey.generate())
    signature = sign_report(report, key)
    if attack == "report edited":
        report["input"]["duration_s"] = 61.0
    elif attack == "verdict edited":
        high = {**report, "verdict": {**report["verdict"], "level": "high"}}
        signature = sign_report(high, key)  # a genuine signature over a high verdict, linked with a low one
        signature["report_sha256"] = sign_report(report, key)["report_sha256"]
    elif attack == "signature edited":
        signature["signature"] = sign_report({**report, "x": 1}, key)["signature"]
    code, out, err = _create(cli, world, _write(tmp_path / "r.json", report, signature))
    assert code == 0, err
    assert json.loads(out)["verdict_level"] == "no_call"


def test_a_call_summary_handed_to_the_engine_is_checked_there(world: World) -> None:
    """Not only the CLI: a summary whose level was changed after signing counts as no call judged."""
    summary = summarise_report(REPORT, "call", sign_report(REPORT, world.ctx.audit.key))
    counted = lifecycle.create_request(world.ctx, world.requester, "transfer", "500", "EUR", world.counterparty,
                                       {"iban": IBAN}, call=summary, checklist=ALL_NO)
    assert counted.verdict_level == "low"
    forged = {**summary, "verdict": {**summary["verdict"], "level": "low", "risk": 0.0}}
    refused = lifecycle.create_request(world.ctx, world.requester, "transfer", "500", "EUR", world.counterparty,
                                       {"iban": IBAN}, call=forged, checklist=ALL_NO)
    assert refused.verdict_level == "no_call"


def _admin_policy_with_empty_low() -> Any:
    doc = copy.deepcopy(policy_document(default_policy()))
    doc["verdict"]["low"] = Steps().model_dump()
    doc["verdict"]["no_call"] = Steps(callback=True, one_time_code=True, approvals=2, checklist=True,
                                      hold_minutes=30).model_dump()
    return policy_from_document(doc)


@pytest.mark.parametrize("policy", [default_policy(), _admin_policy_with_empty_low()], ids=["default", "admin"])
@pytest.mark.parametrize("amount", ["1", "500", "25000", "9000000"])
def test_no_verdict_needs_fewer_steps_than_no_call(policy: Any, amount: str) -> None:
    for kind in ("transfer", "new_beneficiary", "bank_detail_change"):
        no_call = evaluate(policy, Facts(kind, Decimal(amount), "EUR", False, {}, "no_call")).steps
        for level in VERDICT_LEVELS:
            steps = evaluate(policy, Facts(kind, Decimal(amount), "EUR", False, {}, level)).steps
            assert steps.covers(no_call), (kind, amount, level, steps, no_call)
