"""Changing one's own password in the app, on a real database: the engine's set_password runs on the
task runner, the session then holds the new key; someone signing in with a password an admin set is
asked first, with the reason, because only a key its owner made counts for approvals."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.views.change_password import ADMIN_SET, ChangePasswordDialog
from desktop.views.sign_in import SignedInState, SignInBar
from tests.desktop.test_slow_hashes_off_gui_thread import _dialog_sign_in, _noting_state
from tests.desktop.workflow_world import DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.errors import AuthError
from verification.workflow import users
from verification.workflow.roles import Role
from verification.workflow.waiting import must_set_own_password

NEW = "a brand new passphrase"


def _change(qtbot: QtBot, dialog: ChangePasswordDialog | None, current: str, new: str,
            again: str | None = None) -> ChangePasswordDialog:
    assert dialog is not None and dialog.isVisible()
    dialog.current.setText(current)
    dialog.new.setText(new)
    dialog.repeat.setText(new if again is None else again)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.ok_button.isEnabled(), timeout=10_000)
    return dialog


def test_signing_in_with_an_admins_password_asks_for_ones_own(qtbot: QtBot, desk_world: DeskWorld) -> None:
    w = desk_world
    users.add_user(w.ctx, w.admin, "otto", [Role.APPROVER], "initial " + PASSWORD)
    users.confirm_admin(w.ctx, w.admin2, "otto")
    state, hasher = _noting_state(w)
    sign_in = _dialog_sign_in(qtbot, state, "otto", "initial " + PASSWORD)
    assert state.session.signed_in and state.must_set_own_password
    dialog = sign_in.change_password
    assert dialog is not None and dialog.isVisible() and dialog.reason.text() == ADMIN_SET
    _change(qtbot, dialog, "initial " + PASSWORD, NEW, "a brand new passphrasE")
    assert dialog.error.text() == "The two new passwords differ." and dialog.isVisible()
    _change(qtbot, dialog, "not the password", NEW)
    assert dialog.error.text() == "authentication failed for user 'otto'" and dialog.isVisible()
    _change(qtbot, dialog, "initial " + PASSWORD, "short")
    assert dialog.error.text() == "password too short: at least 10 characters"
    _change(qtbot, dialog, "initial " + PASSWORD, NEW)
    assert dialog.changed and not dialog.isVisible() and not state.must_set_own_password
    me = state.session.user
    assert me is not None and me.signer is not None and not must_set_own_password(w.ctx, me)
    assert hasher.on_gui == []  # every check and hash ran on the task runner
    assert users.authenticate(w.ctx, "otto", NEW).signer.key_id == me.signer.key_id
    try:
        users.authenticate(w.ctx, "otto", "initial " + PASSWORD)
    except AuthError as error:
        assert str(error) == "authentication failed for user 'otto'"
    else:
        raise AssertionError("the admin's password still works")


def test_change_password_from_the_sign_in_bar(qtbot: QtBot, desk_world: DeskWorld) -> None:
    state = SignedInState(desk_world.session())
    bar = SignInBar(state)
    qtbot.addWidget(bar)
    bar.show()
    assert not bar.password_button.isVisible()  # nobody signed in
    state.sign_in("rita", PASSWORD)
    assert bar.password_button.isVisible() and not state.must_set_own_password
    old_key = state.session.user.signer.key_id
    bar.password_button.click()
    assert not bar.password_dialog.reason.isVisible()
    _change(qtbot, bar.password_dialog, PASSWORD, NEW)
    assert bar.password_dialog.changed
    assert state.session.user.signer.key_id != old_key
    state.sign_out()
    state.sign_in("rita", NEW)
    assert state.who() == "Signed in as rita (requester)"
