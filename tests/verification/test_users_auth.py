"""Users and roles: bootstrap, slow password hashes, authentication, role checks, last admin."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.verification.conftest import PASSWORD, World
from verification.errors import AuthError
from verification.store.tables import users as users_table
from verification.workflow import users
from verification.workflow.roles import Role
from verification.workflow.secrets_hash import ScryptParams, SlowHasher


def test_passwords_are_slow_hashes_never_clear(world: World) -> None:
    with world.database.reading() as connection:
        stored = connection.execute(select(users_table.c.password_hash)).scalars().all()
    assert all(h.startswith("scrypt$") and PASSWORD not in h for h in stored)
    assert SlowHasher().hash("x").startswith("scrypt$32768$8$1$")  # defaults stay strong


def test_authentication(world: World) -> None:
    assert users.authenticate(world.ctx, "rita", PASSWORD).name == "rita"
    for name, password in (("rita", "wrong password"), ("nobody", PASSWORD)):
        with pytest.raises(AuthError, match="authentication failed"):
            users.authenticate(world.ctx, name, password)
    users.disable_user(world.ctx, world.admin, "rita")
    with pytest.raises(AuthError, match="authentication failed"):
        users.authenticate(world.ctx, "rita", PASSWORD)


def test_bootstrap_only_once_and_role_checks(world: World) -> None:
    with pytest.raises(AuthError, match="already exist"):
        users.create_first_admin(world.ctx, "eve", PASSWORD)
    with pytest.raises(AuthError, match="admin role"):
        users.add_user(world.ctx, world.approver, "eve", [Role.ADMIN], PASSWORD)
    with pytest.raises(AuthError, match="too short"):
        users.add_user(world.ctx, world.admin, "eve", [Role.REQUESTER], "short")
    users.disable_user(world.ctx, world.admin, "ben")
    with pytest.raises(AuthError, match="last admin"):
        users.disable_user(world.ctx, world.admin, "ada")


def test_role_removed_takes_effect_immediately(world: World) -> None:
    users.set_roles(world.ctx, world.admin, "alan", [Role.REQUESTER])
    from tests.verification.conftest import ALL_NO
    from verification.errors import WorkflowRefused
    from verification.workflow import confirmations, lifecycle

    request = lifecycle.create_request(world.ctx, world.requester, "transfer", "25000", "EUR", world.counterparty,
                                       {"iban": "GB33BUKB20201555555555"}, checklist=ALL_NO)
    with pytest.raises(WorkflowRefused, match="lacks the approver role"):
        confirmations.approve(world.ctx, world.approver, request.id)  # the stale User object says approver


def test_os_account_mapping(world: World) -> None:
    users.add_user(world.ctx, world.admin, "olga", [Role.REQUESTER], PASSWORD, os_account="olga")
    assert users.authenticate_os_account(world.ctx, "olga").name == "olga"
    with pytest.raises(AuthError, match="not mapped"):
        users.authenticate_os_account(world.ctx, "root")


def test_cheap_parameters_verify_with_their_own_cost() -> None:
    hasher = SlowHasher(ScryptParams(n=2**6))
    encoded = hasher.hash("secret phrase")
    assert SlowHasher().verify("secret phrase", encoded) and not SlowHasher().verify("other", encoded)
