"""Failed sign-ins are audited and rate limited per account name, identically for names that exist
and names that do not; one-time codes are slow scrypt hashes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.verification.conftest import ALL_NO, PASSWORD, World
from verification.errors import AuthError
from verification.store.tables import audit_log, one_time_codes
from verification.workflow import confirmations, lifecycle, users
from verification.workflow.secrets_hash import SlowHasher
from verification.workflow.roles import User
from verification.workflow.signin_limits import FREE_FAILURES, limited_signin, recent_failures


def _failures_audited(world: World, name: str) -> list[dict[str, object]]:
    with world.database.reading() as connection:
        bodies = [json.loads(body) for body in connection.execute(select(audit_log.c.body)).scalars()]
    return [b for b in bodies if b["action"] == "user.signin_failed" and b["subject"] == f"user:{name}"]


def _fail(world: World, name: str) -> str:
    with pytest.raises(AuthError) as caught:
        users.authenticate(world.ctx, name, "wrong password")
    return str(caught.value)


def test_failures_are_audited_then_refused_for_a_growing_wait(world: World) -> None:
    messages = [_fail(world, "rita") for _ in range(FREE_FAILURES)]
    assert set(messages) == {"authentication failed for user 'rita'"}
    assert [a["after"]["failures_in_a_row"] for a in _failures_audited(world, "rita")] == [1, 2, 3, 4, 5]
    with pytest.raises(AuthError, match="too many failed sign-ins for 'rita': wait 60 seconds"):
        users.authenticate(world.ctx, "rita", PASSWORD)  # even the right password waits
    assert len(_failures_audited(world, "rita")) == 5  # a refused try checks nothing and counts nothing
    world.clock.advance(seconds=61)
    _fail(world, "rita")  # the 6th failure doubles the wait
    with pytest.raises(AuthError, match="wait 2 minutes"):
        users.authenticate(world.ctx, "rita", PASSWORD)
    world.clock.advance(seconds=121)
    _fail(world, "rita")
    with pytest.raises(AuthError, match="wait 4 minutes"):
        users.authenticate(world.ctx, "rita", PASSWORD)
    world.clock.advance(minutes=4, seconds=1)
    assert users.authenticate(world.ctx, "rita", PASSWORD).name == "rita"  # success starts afresh
    assert _fail(world, "rita") == "authentication failed for user 'rita'"
    assert users.authenticate(world.ctx, "rita", PASSWORD).name == "rita"
    assert users.authenticate(world.ctx, "alan", PASSWORD).name == "alan"  # per account


def test_unknown_names_look_exactly_like_known_ones(world: World) -> None:
    known = [_fail(world, "rita") for _ in range(FREE_FAILURES)]
    unknown = [_fail(world, "nobody") for _ in range(FREE_FAILURES)]
    assert [m.replace("rita", "X") for m in known] == [m.replace("nobody", "X") for m in unknown]
    refusals = []
    for name in ("rita", "nobody"):
        with pytest.raises(AuthError) as caught:
            users.authenticate(world.ctx, name, PASSWORD)
        refusals.append(str(caught.value).replace(name, "X"))
    assert refusals[0] == refusals[1] and "wait" in refusals[0]
    assert len(_failures_audited(world, "nobody")) == FREE_FAILURES


def test_failures_older_than_a_day_are_forgotten(world: World) -> None:
    for _ in range(FREE_FAILURES):
        _fail(world, "rita")
    world.clock.advance(hours=25)
    assert _fail(world, "rita") == "authentication failed for user 'rita'"  # 1 recent failure: no wait
    assert users.authenticate(world.ctx, "rita", PASSWORD).name == "rita"


def test_one_time_codes_are_slow_salted_hashes(world: World) -> None:
    request = lifecycle.create_request(world.ctx, world.requester, "transfer", "250000", "EUR", world.counterparty,
                                       {"iban": "GB33BUKB20201555555555"}, checklist=ALL_NO)
    first = confirmations.issue_code(world.ctx, world.approver, request.id)
    second = confirmations.issue_code(world.ctx, world.approver, request.id)
    with world.database.reading() as connection:
        stored = connection.execute(select(one_time_codes.c.code_hash)).scalars().all()
    assert len(stored) == 2 and all(h.startswith("scrypt$") for h in stored)
    assert first not in stored[0] and second not in stored[1]
    salts = [h.split("$")[4] for h in stored]
    assert salts[0] != salts[1]  # a salt per code: no table of all 10^8 codes serves two rows
    assert world.ctx.hasher.verify(second, stored[1]) and not world.ctx.hasher.verify(first, stored[1])


def test_default_code_hash_cost_makes_the_code_space_expensive() -> None:
    """At the default cost, trying all 10^8 codes against one stolen row takes scrypt 10^8 times."""
    encoded = SlowHasher().hash("12345678")
    n, r = (int(part) for part in encoded.split("$")[1:3])
    assert n * r >= 2**15 * 8  # about 0.1 s and 32 MiB per try: about 10^7 CPU seconds for the space


def test_an_attempt_counts_as_a_failure_while_its_password_is_checked(world: World) -> None:
    seen = []

    def check() -> User:
        seen.append(len(recent_failures(world.ctx, "rita", world.clock())))
        return world.requester

    assert limited_signin(world.ctx, "rita", check) is world.requester
    assert seen == [1] and recent_failures(world.ctx, "rita", world.clock()) == []  # in flight, then cleared
    for _ in range(FREE_FAILURES - 1):
        _fail(world, "rita")
    in_flight = []

    def parallel_check() -> User:  # a second process starts while this one is still hashing
        with pytest.raises(AuthError) as caught:
            users.authenticate(world.ctx, "rita", PASSWORD)
        in_flight.append(str(caught.value))
        raise AuthError("authentication failed for user 'rita'")

    with pytest.raises(AuthError):
        limited_signin(world.ctx, "rita", parallel_check)
    assert in_flight == ["too many failed sign-ins for 'rita': wait 60 seconds before trying again"]
