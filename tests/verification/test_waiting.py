"""What waits for a second admin and whose key an admin set, as the desktop shows them: read from the
signed trust records this machine's pinned root replays (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.verification.conftest import PASSWORD, World, signed_in
from verification.workflow import users
from verification.workflow.roles import Role
from verification.workflow.waiting import Waiting, must_set_own_password, owner_set_admins, waiting_for_second_admin

INITIAL = "initial " + PASSWORD


def _waiting(world: World) -> list[Waiting]:
    with world.ctx.database.reading() as connection:
        return waiting_for_second_admin(connection, world.ctx)


def test_grants_and_resets_wait_with_who_asked(world: World) -> None:
    assert _waiting(world) == []
    users.add_user(world.ctx, world.admin, "otto", [Role.REQUESTER, Role.APPROVER], INITIAL)
    users.set_password(world.ctx, world.admin, "alan", "reset " + PASSWORD)
    assert _waiting(world) == [Waiting("otto", "approver role", "ada"), Waiting("alan", "password reset", "ada")]
    users.confirm_admin(world.ctx, world.admin2, "otto")
    users.confirm_admin(world.ctx, world.admin2, "alan")
    assert _waiting(world) == []


def test_a_key_an_admin_set_must_be_replaced_by_its_owner(world: World) -> None:
    users.add_user(world.ctx, world.admin, "otto", [Role.REQUESTER], INITIAL)
    otto = signed_in(world.ctx, "otto", INITIAL)
    assert must_set_own_password(world.ctx, otto)
    users.set_password(world.ctx, otto, "otto", PASSWORD)
    assert not must_set_own_password(world.ctx, signed_in(world.ctx, "otto"))
    assert not must_set_own_password(world.ctx, world.requester)


def test_owner_set_admins_counts_who_can_be_the_second_admin(world: World) -> None:
    with world.ctx.database.reading() as connection:
        assert owner_set_admins(connection, world.ctx) == 2
