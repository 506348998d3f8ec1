"""A second machine on the same database: the sign-in dialog says no trust root is pinned here and pins
one from a file, showing its fingerprint to compare by phone first. Attacks first: a root of another
database, and a root with an attacker's key for this database, are refused; "Do not pin" pins nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.controllers.workflow_session import WorkflowSession
from desktop.views.sign_in import SignedInState, SignInDialog
from tests.desktop.workflow_world import DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.audit.keys import SigningKey
from verification.trust.root import RootKey, RootPins, TrustRoot
from verification.trust.store import database_id


def _root(w: DeskWorld) -> TrustRoot:
    with w.ctx.database.reading() as connection:
        root = RootPins.in_data_dir(w.data_dir).get(database_id(connection))
    assert root is not None
    return root


def _file(tmp_path: Path, root: TrustRoot, name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(root.as_dict()))
    return path


def _second_machine(qtbot: QtBot, w: DeskWorld, tmp_path: Path) -> SignInDialog:
    other = tmp_path / "second-machine"
    other.mkdir()
    ctx = replace(w.ctx, pins=RootPins.in_data_dir(other))
    dialog = SignInDialog(SignedInState(WorkflowSession(lambda: (ctx, other))))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.root_panel.isVisible(), timeout=10_000)
    return dialog


def _answer(qtbot: QtBot, dialog: SignInDialog, path: Path, pin: bool) -> str:
    panel = dialog.root_panel
    panel.confirm = None
    panel.pin_from_file(path)
    qtbot.waitUntil(lambda: panel.confirm is not None and panel.confirm.isVisible(), timeout=5_000)
    box = panel.confirm
    assert box is not None
    shown = box.text()
    box.button(QMessageBox.StandardButton.Yes if pin else QMessageBox.StandardButton.No).click()
    return shown


def test_pinning_the_root_on_a_second_machine(qtbot: QtBot, desk_world: DeskWorld, tmp_path: Path) -> None:
    dialog = _second_machine(qtbot, desk_world, tmp_path)
    panel = dialog.root_panel
    assert "no trust root pinned on this machine" in panel.problem.text()
    session = dialog.state.session
    root = _root(desk_world)

    # Attack: a root exported from another database.
    foreign = replace(root, database_id="another-database")
    _answer(qtbot, dialog, _file(tmp_path, foreign, "foreign.json"), True)
    qtbot.waitUntil(lambda: "belongs to database another-database" in panel.problem.text(), timeout=5_000)
    # Attack: this database's id with an attacker's key as a "first admin".
    mallory = SigningKey.from_private(Ed25519PrivateKey.generate())
    forged = replace(root, keys=root.keys + (RootKey(99, "mallory", mallory.key_id, mallory.public_b64),))
    _answer(qtbot, dialog, _file(tmp_path, forged, "forged.json"), True)
    qtbot.waitUntil(lambda: "differs from the copy in the database" in panel.problem.text(), timeout=5_000)
    assert session.root_problem() is not None
    # Not confirmed: nothing pinned.
    good = _file(tmp_path, root, "root.json")
    _answer(qtbot, dialog, good, False)
    assert panel.problem.text() == "Not pinned."
    assert session.root_problem() is not None

    shown = _answer(qtbot, dialog, good, True)
    assert root.fingerprint in shown and "ada" in shown and "bea" in shown
    qtbot.waitUntil(lambda: panel.problem.text().startswith("Trust root pinned"), timeout=5_000)
    assert session.root_problem() is None and not panel.button.isVisible()
    assert session.check_credentials("alan", PASSWORD).signer is not None  # keys open here now


def test_a_file_that_is_no_root_is_refused_in_one_line(qtbot: QtBot, desk_world: DeskWorld, tmp_path: Path) -> None:
    dialog = _second_machine(qtbot, desk_world, tmp_path)
    junk = tmp_path / "junk.json"
    junk.write_text('{"schema": "something else"}')
    dialog.root_panel.pin_from_file(junk)
    qtbot.waitUntil(lambda: "not a CallShield trust root" in dialog.root_panel.problem.text(), timeout=5_000)
    assert dialog.root_panel.confirm is None  # nothing to confirm, nothing pinned


def test_a_machine_with_its_root_pinned_shows_no_pin_panel(qtbot: QtBot, desk_world: DeskWorld) -> None:
    dialog = SignInDialog(SignedInState(desk_world.session()))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.state.runner.busy, timeout=10_000)
    qtbot.wait(50)  # the answer lands on the event loop
    assert not dialog.root_panel.isVisible() and dialog.state.session.root_problem() is None


def test_the_users_page_lists_users_on_a_machine_without_the_root(qtbot: QtBot, desk_world: DeskWorld,
                                                                  tmp_path: Path) -> None:
    from desktop.controllers.admin_users import UsersAdmin

    other = tmp_path / "second-machine"
    other.mkdir()
    ctx = replace(desk_world.ctx, pins=RootPins.in_data_dir(other))
    session = WorkflowSession(lambda: (ctx, other))
    session.sign_in("ada", PASSWORD)
    assert session.user is not None and session.user.signer is None  # no key can be checked here
    reading = UsersAdmin(session).reading()
    assert [u.name for u in reading.users] == ["ada", "alan", "bea", "rita", "sam"] and reading.waiting == []
