"""The desktop workflow world plus what the Admin tab needs: a second admin, and a registered
policy-signing key file for each admin (written and registered through the engine's functions)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pytestqt.qtbot import QtBot

from desktop.controllers.admin_models import model_rows
from desktop.views.admin.admin_page import AdminPage
from desktop.views.sign_in import SignedInState
from tests.desktop.workflow_world import DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.audit.keys import SigningKey, write_private_key
from verification.inference.manifest import load_manifest
from verification.workflow import policy_keys
from verification.workflow.roles import Role, User


@dataclass
class AdminWorld:
    desk: DeskWorld
    second_admin: User  # "bea"
    keys: dict[str, Path]  # user name -> private key file

    def key_file(self, name: str, register: bool, as_user: User | None = None) -> Path:
        path = self.desk.data_dir.parent / f"{name}-signing-key.pem"
        private = Ed25519PrivateKey.generate()
        write_private_key(path, private)
        if register and as_user is not None:
            policy_keys.register_admin_key(self.desk.ctx, as_user, SigningKey.from_private(private).public_b64)
        self.keys[name] = path
        return path


@pytest.fixture
def admin_world(desk_world: DeskWorld) -> AdminWorld:  # noqa: F811 - the fixture above
    bea = desk_world.admin2
    world = AdminWorld(desk_world, bea, {})
    world.key_file("ada", True, desk_world.admin)
    world.key_file("bea", True, bea)
    world.key_file("rita", False)  # a readable key that is nobody's registered key
    return world


def admin_page(qtbot: QtBot, world: AdminWorld, name: str, tmp_models: Path | None = None) -> AdminPage:
    """The Admin tab on the world's database, signed in as `name`, with `name`'s key chosen."""
    state = SignedInState(world.desk.session())
    model_dir = tmp_models or world.desk.data_dir / "models"
    page = AdminPage(state, state.runner, lambda: model_rows(load_manifest(), model_dir, {}, ["CPUExecutionProvider"]))
    qtbot.addWidget(page)
    state.sign_in(name, PASSWORD)
    # the models page hashes the model files on the task runner meanwhile: let it finish
    qtbot.waitUntil(lambda: not page.models.status.text().startswith("Checking"), timeout=10_000)
    if name in world.keys:
        page.policy.key_bar.path.setText(str(world.keys[name]))
    return page
