"""Two admins removing each other at the same moment: "at least one active admin" must hold on both
databases. On PostgreSQL each transaction used to count the admins in its own snapshot, see two, and
go ahead (write skew), leaving none."""

from __future__ import annotations

import threading
from typing import Any, Callable

from tests.verification.conftest import PASSWORD, World
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


def _rounds(w: World, remove: Callable[[User, User], Callable[[], Any]]) -> None:
    survivor = w.admin
    for round_number in range(ROUNDS):
        # With one admin left, a new admin is granted at once (no second admin to confirm yet).
        other = users.add_user(w.ctx, survivor, f"admin{round_number}", [Role.ADMIN], PASSWORD)
        assert sorted(_active_admins(w)) == sorted([survivor.name, other.name])
        errors = _race([remove(survivor, other), remove(other, survivor)])
        left = _active_admins(w)
        assert len(left) == 1, f"round {round_number}: active admins {left}"
        assert len(errors) == 1, errors
        assert "last admin" in str(errors[0]) or "is disabled" in str(errors[0]) or "lacks the admin" in str(errors[0])
        with w.database.reading() as connection:
            survivor = users.get_user(connection, left[0])


def test_admins_disabling_each_other_leave_one(world: World) -> None:
    _rounds(world, lambda actor, target: lambda: users.disable_user(world.ctx, actor, target.name))


def test_admins_demoting_each_other_leave_one(world: World) -> None:
    _rounds(world, lambda actor, target: lambda: users.set_roles(world.ctx, actor, target.name, [Role.APPROVER]))


def test_admins_disabling_and_demoting_each_other_leave_one(world: World) -> None:
    _rounds(world, lambda actor, target: (
        (lambda: users.disable_user(world.ctx, actor, target.name)) if actor.id < target.id
        else (lambda: users.set_roles(world.ctx, actor, target.name, [Role.APPROVER]))))
