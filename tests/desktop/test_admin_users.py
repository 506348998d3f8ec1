"""Admin tab, users and roles, on a real SQLite workflow database, and who gets the Admin tab: the
engine's role decides, the window only reflects it, and the engine refuses a non-admin even when
the pages are driven directly."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app import build_desktop, build_parser
from tests.desktop.admin_world import AdminWorld, admin_page, admin_world  # noqa: F401 - fixture
from tests.desktop.support import fake_probes
from tests.desktop.workflow_world import desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.policy.active import load_active_policy
from verification.workflow.roles import Role
from verification.workflow import users
from verification.workflow.users import get_user


def _roles(world: AdminWorld, name: str) -> set[str]:
    with world.desk.ctx.database.reading() as connection:
        return {r.value for r in get_user(connection, name).roles}


def test_users_are_listed_and_added(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    page = tab.users
    assert ["rita", "rita", "requester", "active"] in page.rows()
    page.new_name.setText("otto")
    page.new_display.setText("Otto Clerk")
    page.new_password.setText("short")
    page.new_roles[Role.APPROVER].setChecked(True)
    page.add_button.click()
    qtbot.waitUntil(lambda: page.result.text() == "password too short: at least 10 characters", timeout=5_000)
    page.new_password.setText(PASSWORD)
    page.add_button.click()  # the password is hashed on the task runner
    assert page.new_password.text() == "" and not page.add_button.isEnabled()
    # approver needs two admins: the page says what took effect now and what waits
    qtbot.waitUntil(lambda: page.result.text() == "Added otto (no roles yet); approver waits for a second admin.",
                    timeout=5_000)
    assert ["otto", "Otto Clerk", "none", "active; waits for a second admin"] in page.rows()
    assert page.selected_user() is not None and page.selected_user().name == "otto"
    assert page.waiting_lines() == ["otto: approver role, asked by ada"]
    tab.state.sign_out()
    tab.state.sign_in("bea", PASSWORD)
    page.waiting.setCurrentRow(0)  # choosing what waits selects its user
    assert page.selected_user() is not None and page.selected_user().name == "otto"
    page.confirm_button.click()
    assert page.result.text() == "Confirmed by a second admin: otto (approver)."
    assert _roles(admin_world, "otto") == {"approver"} and page.waiting_lines() == []


def test_role_change_and_the_engines_last_admin_rule(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    page = tab.users
    assert page.select("rita")
    page.roles[Role.APPROVER].setChecked(True)
    page.roles_button.click()
    assert page.result.text() == "Roles changed: rita (requester); approver waits for a second admin."
    assert _roles(admin_world, "rita") == {"requester"}
    assert ["rita", "rita", "requester", "active; waits for a second admin"] in page.rows()
    page.roles[Role.APPROVER].setChecked(False)
    page.roles[Role.REQUESTER].setChecked(False)
    page.roles_button.click()  # taking roles away needs one admin: at once
    assert page.result.text() == "Roles changed: rita (no roles yet)."
    assert _roles(admin_world, "rita") == set()

    page.select("bea")
    page.disable_button.click()
    assert page.result.text() == "Disabled: bea (no roles; disabled)."  # the signed record takes every role
    page.select("ada")  # now the only active admin
    page.roles[Role.REQUESTER].setChecked(True)
    page.roles_button.click()
    assert page.result.text() == "nobody grants themselves a role: another admin must"
    page.roles[Role.REQUESTER].setChecked(False)
    page.roles[Role.ADMIN].setChecked(False)
    page.roles_button.click()
    assert page.result.text() == "cannot remove the admin role from 'ada': it is the last admin"
    page.disable_button.click()
    assert page.result.text() == "cannot disable 'ada': it is the last admin"
    assert _roles(admin_world, "ada") == {"admin"}


def test_admin_grant_waits_for_a_second_admin(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "ada")
    page = tab.users
    page.select("alan")
    page.roles[Role.ADMIN].setChecked(True)
    page.roles_button.click()  # two admins exist: the engine holds the grant
    assert page.result.text() == "Roles changed: alan (approver); admin waits for a second admin."
    assert page.waiting_lines() == ["alan: admin role, asked by ada"]
    page.confirm_button.click()  # the engine's rule: nobody confirms what they asked for themselves
    assert page.result.text() == "a grant must be confirmed by a different admin than the one who made it"
    tab.state.sign_out()
    tab.state.sign_in("bea", PASSWORD)
    page.select("alan")
    page.confirm_button.click()
    assert page.result.text() == "Confirmed by a second admin: alan (admin, approver)."
    assert _roles(admin_world, "alan") == {"admin", "approver"}


def test_an_approvers_password_reset_waits_and_any_admin_confirms_it(qtbot: QtBot, admin_world: AdminWorld) -> None:
    users.set_password(admin_world.desk.ctx, admin_world.desk.admin, "alan", "reset " + PASSWORD)
    tab = admin_page(qtbot, admin_world, "bea")
    page = tab.users
    assert page.waiting_lines() == ["alan: password reset, asked by ada"]
    assert not page.lone_note.isVisible()
    page.waiting.setCurrentRow(0)
    page.confirm_button.click()
    assert page.result.text() == "Confirmed by a second admin: alan (approver)."
    assert page.waiting_lines() == []
    page.select("rita")
    page.confirm_button.click()
    assert page.result.text() == "user 'rita' has nothing waiting for a second admin"


def test_non_admin_gets_no_admin_powers(qtbot: QtBot, admin_world: AdminWorld) -> None:
    tab = admin_page(qtbot, admin_world, "rita")
    assert tab.note.text() == "You are not an admin: CallShield will refuse changes made here."
    tab.directory.entry_name.setText("Mallory Ltd")
    tab.directory.add_entry()
    assert tab.directory.result.text() == "user 'rita' lacks the admin role needed to edit the directory"
    tab.users.select("rita")
    tab.users.roles[Role.ADMIN].setChecked(True)
    tab.users.set_roles()
    assert tab.users.result.text() == "user 'rita' lacks the admin role needed to change roles"
    tab.policy.key_bar.path.setText(str(admin_world.keys["rita"]))
    tab.policy.form.find("limits.code_max_failures").widget.setValue(10)
    tab.policy.propose()
    assert tab.policy.result.text() == "user 'rita' lacks the admin role needed to propose a policy"
    assert _roles(admin_world, "rita") == {"requester"}
    with admin_world.desk.ctx.database.reading() as connection:
        assert load_active_policy(connection).version == 0


def test_admin_tab_is_shown_only_to_admins(qtbot: QtBot, admin_world: AdminWorld, settings_path: Path) -> None:
    args = build_parser().parse_args(["--no-check"])
    desktop = build_desktop(QApplication.instance(), args, settings_path, probes=fake_probes(),
                            analyzer_builder=lambda _warn: SimpleNamespace(models=None), use_tray=False,
                            workflow_session=admin_world.desk.session())
    qtbot.addWidget(desktop.window)
    qtbot.addWidget(desktop.overlay)
    window = desktop.window
    assert window.page("Admin") is desktop.admin and not window.area_visible("Admin")
    desktop.workflow.sign_in("rita", PASSWORD)
    assert not window.area_visible("Admin")
    desktop.workflow.sign_out()
    desktop.workflow.sign_in("ada", PASSWORD)
    assert window.area_visible("Admin")
    window.tabs.setCurrentWidget(desktop.admin)
    qtbot.waitUntil(lambda: desktop.admin.models.loaded, timeout=10_000)
    desktop.workflow.sign_out()
    assert not window.area_visible("Admin") and window.tabs.currentWidget() is desktop.monitor
    desktop.quit()
