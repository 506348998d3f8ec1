"""Attack: a request whose kind moves money to (or changes) a beneficiary account, made without a valid
IBAN. The engine refuses it with one line naming the field, writes nothing, and the audit chain stays
intact: through the engine call and through `callshield request create`, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tests.verification.conftest import PASSWORD, World
from verification.audit.verify import verify_database_chain
from verification.cli import main
from verification.errors import WorkflowRefused
from verification.store.tables import audit_log, requests
from verification.trust.installations import installation_keys
from verification.workflow import lifecycle
from verification.workflow.request import KINDS

NO_ACCOUNT: list[dict[str, Any]] = [{}, {"iban": ""}, {"iban": "   "}, {"name": "Acme Ltd", "bic": "DEUTDEFF"}]


def _counts(w: World) -> tuple[int, int, bool]:
    with w.database.reading() as connection:
        made = connection.execute(select(func.count()).select_from(requests)).scalar_one()
        audited = connection.execute(select(func.count()).select_from(audit_log)).scalar_one()
        chain = verify_database_chain(connection, installation_keys(connection, w.ctx.pins))
    return made, audited, chain.ok


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("beneficiary", NO_ACCOUNT)
def test_engine_refuses_a_request_without_an_iban(world: World, kind: str, beneficiary: dict[str, Any]) -> None:
    before = _counts(world)
    with pytest.raises(WorkflowRefused, match=r"beneficiary iban") as refused:
        lifecycle.create_request(world.ctx, world.requester, kind, "25000" if kind == "transfer" else "0", "EUR",
                                 world.counterparty, beneficiary)
    assert "\n" not in str(refused.value)
    assert _counts(world) == before and before[2]


@pytest.mark.parametrize("kind", KINDS)
def test_engine_refuses_an_invalid_iban_even_as_a_draft(world: World, kind: str) -> None:
    before = _counts(world)
    with pytest.raises(WorkflowRefused, match=r"beneficiary iban .* is not valid"):
        lifecycle.create_request(world.ctx, world.requester, kind, "25000" if kind == "transfer" else "0", "EUR",
                                 world.counterparty, {"iban": "DE89370400440532013001"}, submit=False)
    assert _counts(world) == before


def test_engine_accepts_a_valid_iban(world: World) -> None:
    made = lifecycle.create_request(world.ctx, world.requester, "transfer", "25000", "EUR", world.counterparty,
                                    {"iban": "DE89 3704 0044 0532 0130 00"})
    assert made.beneficiary["iban"] == "DE89370400440532013000"


@pytest.mark.parametrize("extra", [[], ["--beneficiary", "iban="], ["--beneficiary", "name=Acme Ltd"]])
def test_cli_refuses_a_transfer_without_an_iban(world: World, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    monkeypatch.setenv("CALLSHIELD_PASSWORD", PASSWORD)
    monkeypatch.setenv("CALLSHIELD_USER", "rita")
    before = _counts(world)
    code = main(["request", "create", "--db", world.database.url.render_as_string(hide_password=False),
                 "--data-dir", str(world.data_dir), "--amount", "25000", "--currency", "EUR",
                 "--counterparty", world.counterparty, *extra])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code != 0 and len(lines) == 1 and "beneficiary iban" in lines[0] and "Traceback" not in err, err
    assert _counts(world) == before
