"""Two admins removing each other at the same moment: "at least one active admin" must hold on both
databases. On PostgreSQL each transaction used to count the admins in its own snapshot, see two, and
go ahead (write skew), leaving none."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.verification.conftest import PASSWORD, FakeClock, World, _copy_pg_database, make_context
from verification.errors import CallShieldError
from verification.workflow import users
from verification.workflow.roles import Role, User

ROUNDS = 10


def _race(calls: list[Callable[[], Any]]) -> list[BaseException]:
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            call()
        except CallShieldError as error:
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def _active_admins(w: World) -> list[str]:
    with w.database.reading() as connection:
        return [u.name for u in users.list_users(connection) if u.active and Role.ADMIN in u.roles]


def _fresh_world(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path, n: int) -> World:
    """A new database whose set-up ceremony made exactly two admins (a third can never be granted by one)."""
    if db_kind == "sqlite":
        url = f"sqlite:///{tmp_path / f'round{n}.db'}"
    else:
        request.getfixturevalue("pg_template")
        url = _copy_pg_database(request.getfixturevalue("pg_admin"), "callshield_template")
    clock = FakeClock()
    ctx = make_context(url, tmp_path / f"data{n}", clock)
    ada, ben = users.bootstrap_admins(ctx, [("ada", PASSWORD, None), ("ben", PASSWORD, None)])
    return World(ctx, clock, tmp_path / f"data{n}", ada, ada, ada, ada, None, ben)  # type: ignore[arg-type]


def _rounds(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path,
            remove: Callable[[World, User, User], Callable[[], Any]]) -> None:
    for round_number in range(ROUNDS):
        w = _fresh_world(db_kind, request, tmp_path, round_number)
        try:
            errors = _race([remove(w, w.admin, w.admin2), remove(w, w.admin2, w.admin)])
            left = _active_admins(w)
            assert len(left) == 1, f"round {round_number}: active admins {left}"
            assert len(errors) == 1, errors
            assert any(why in str(errors[0]) for why in ("last admin", "is disabled", "lacks the admin", "not registered"))
        finally:
            w.ctx.database.dispose()


def test_admins_disabling_each_other_leave_one(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    _rounds(db_kind, request, tmp_path, lambda w, actor, target: lambda: users.disable_user(w.ctx, actor, target.name))


def test_admins_demoting_each_other_leave_one(db_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    _rounds(db_kind, request, tmp_path,
            lambda w, actor, target: lambda: users.set_roles(w.ctx, actor, target.name, [Role.REQUESTER]))


def test_admins_disabling_and_demoting_each_other_leave_one(db_kind: str, request: pytest.FixtureRequest,
                                                            tmp_path: Path) -> None:
    _rounds(db_kind, request, tmp_path, lambda w, actor, target: (
        (lambda: users.disable_user(w.ctx, actor, target.name)) if actor.id < target.id
        else (lambda: users.set_roles(w.ctx, actor, target.name, [Role.REQUESTER]))))
