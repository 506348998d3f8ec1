"""First start: the computer check tests the database given with --db (a corrupt file is a FIX, with
the engine's whole reason), the sign-in dialog says why it cannot open it, and on a database with no
users it says so and runs the set-up ceremony (two admins, or one with a warning) through the engine's
own bootstrap."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from desktop.app import build_desktop, build_parser
from desktop.controllers.workflow_session import WorkflowSession, default_context_factory
from desktop.controllers.admin_users import UsersAdmin
from desktop.views.admin.users_page import UsersPage
from desktop.views.first_admin import FirstAdminDialog
from desktop.views.sign_in import SignedInState, SignInDialog
from tests.desktop.support import fake_probes
from verification.errors import CallShieldError
from verification.workflow.roles import Role

NEW_PASSWORD = "correct horse battery staple"
SECOND_PASSWORD = "another long passphrase"


def _corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not an SQLite file " * 200)
    return path


def _no_models(_warn: object) -> object:
    raise CallShieldError("no detector models in this test")


def test_the_check_tests_the_database_given_with_db(qtbot: QtBot, tmp_path: Path) -> None:
    corrupt = _corrupt(tmp_path)
    args = build_parser().parse_args(["--db", f"sqlite:///{corrupt}", "--data-dir", str(tmp_path / "data"),
                                      "--model-dir", str(tmp_path / "models")])
    desktop = build_desktop(QApplication.instance(), args, tmp_path / "desktop.ini", probes=fake_probes(),
                            analyzer_builder=_no_models, use_tray=False)  # the real checks
    qtbot.addWidget(desktop.window)
    qtbot.addWidget(desktop.overlay)
    with qtbot.waitSignal(desktop.check_dialog.checks_done, timeout=60_000):
        desktop.check_dialog.start()
    database = next(c for c in desktop.check_dialog.checks if c.id == "database")
    assert database.status == "problem", database
    assert str(corrupt) in database.found and "file is not a database" in database.found
    shown = [w for w in desktop.check_dialog.rows.findChildren(QLabel) if "file is not a database" in w.text()]
    assert shown and all(label.wordWrap() for label in shown)  # the whole reason, wrapped
    desktop.quit()


def test_sign_in_says_why_the_database_cannot_be_opened(qtbot: QtBot, tmp_path: Path) -> None:
    corrupt = _corrupt(tmp_path)
    state = SignedInState(WorkflowSession(default_context_factory(f"sqlite:///{corrupt}", str(tmp_path / "data"))))
    dialog = SignInDialog(state)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "cannot be opened" in dialog.error.text(), timeout=10_000)
    assert "file is not a database" in dialog.error.text()
    assert dialog.error.wordWrap() and dialog.minimumWidth() >= 400  # no 210-pixel dialog cutting it off


def _fill(form: FirstAdminDialog, password: str, again: str, second_password: str | None = None) -> None:
    form.first.name.setText("ada")
    form.first.display_name.setText("Ada Admin")
    form.first.password.setText(password)
    form.first.repeat.setText(again)
    form.second.name.setText("bea")
    form.second.password.setText(second_password or SECOND_PASSWORD)
    form.second.repeat.setText(second_password or SECOND_PASSWORD)


def test_an_empty_database_points_to_the_two_admin_ceremony(qtbot: QtBot, tmp_path: Path) -> None:
    session = WorkflowSession(default_context_factory(f"sqlite:///{tmp_path / 'new.db'}", str(tmp_path / "data")))
    state = SignedInState(session)
    dialog = SignInDialog(state)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.no_users.isVisible(), timeout=10_000)
    assert "no users yet" in dialog.no_users.text() and "callshield users init" in dialog.no_users.text()
    assert dialog.first_admin_button.isVisible()

    def refused() -> None:
        form = QApplication.activeModalWidget()
        assert isinstance(form, FirstAdminDialog)
        assert form.second.isVisible() and not form.warning.isVisible()  # two admins unless told otherwise
        _fill(form, NEW_PASSWORD, "something else")
        form.create()
        assert form.error.text() == "First admin: the two passwords differ."
        _fill(form, NEW_PASSWORD, NEW_PASSWORD, "short")
        form.create()  # the engine's rule, from the task runner
        qtbot.waitUntil(lambda: form.error.text() == "password too short: at least 10 characters", timeout=10_000)
        form.reject()

    QTimer.singleShot(0, refused)
    dialog.first_admin_button.click()  # refused: nothing created
    assert dialog.no_users.isVisible() and not session.has_users()

    def fill_in_and_wait() -> None:
        form = QApplication.activeModalWidget()
        assert isinstance(form, FirstAdminDialog)
        _fill(form, NEW_PASSWORD, NEW_PASSWORD)
        form.create()  # hashed on the task runner; the form closes when created

    QTimer.singleShot(0, fill_in_and_wait)
    dialog.first_admin_button.click()
    assert not dialog.no_users.isVisible() and not dialog.first_admin_button.isVisible()
    assert dialog.name.text() == "ada" and dialog.error.text() == (
        "First admins 'ada' and 'bea' created: sign in with the password you chose.")

    dialog.password.setText(NEW_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.try_sign_in()
    assert session.user is not None and session.user.name == "ada" and session.user.has(Role.ADMIN)
    assert session.user.signer is not None  # the pinned root here: her key opens
    assert session.check_credentials("bea", SECOND_PASSWORD).has(Role.ADMIN)
    session.close()


def test_a_single_admin_only_with_a_warning_and_the_users_page_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    session = WorkflowSession(default_context_factory(f"sqlite:///{tmp_path / 'new.db'}", str(tmp_path / "data")))
    state = SignedInState(session)
    form = FirstAdminDialog(session, state.runner)
    qtbot.addWidget(form)
    form.show()
    form.alone.setChecked(True)
    assert form.warning.isVisible() and not form.second.isVisible()
    assert "nobody can ever be made an approver or an admin" in form.warning.text()
    _fill(form, NEW_PASSWORD, NEW_PASSWORD)
    form.create()
    qtbot.waitUntil(lambda: bool(form.created), timeout=10_000)
    assert [u.name for u in form.created] == ["ada"]

    page = UsersPage(state, UsersAdmin(session))
    qtbot.addWidget(page)
    page.show()
    state.sign_in("ada", NEW_PASSWORD)
    page.refresh()
    assert page.lone_note.isVisible() and "need a second admin" in page.lone_note.text()
    session.close()
