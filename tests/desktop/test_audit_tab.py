"""Audit tab on a real SQLite workflow database: the log in a filterable table, integrity verified
off the GUI thread with the first broken record named, evidence packs exported and verifiable."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from desktop.tasks import TaskRunner
from desktop.views.audit.audit_page import AuditPage
from desktop.views.sign_in import SignedInState, SignInDialog
from tests.desktop.workflow_world import DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.audit.pack_verify import verify_pack
from verification.trust.store import pinned_root
from verification.store.tables import audit_log


def _page(qtbot: QtBot, w: DeskWorld, name: str = "alan") -> AuditPage:
    state = SignedInState(w.session())
    page = AuditPage(state, TaskRunner())
    qtbot.addWidget(page)
    state.sign_in(name, PASSWORD)
    return page


def test_signed_out_shows_nothing_and_sign_in_dialog_uses_engine_auth(qtbot: QtBot, desk_world: DeskWorld) -> None:
    state = SignedInState(desk_world.session())
    page = AuditPage(state, TaskRunner())
    qtbot.addWidget(page)
    assert page.model.rowCount() == 0 and not page.verify_button.isEnabled()
    assert "Sign in" in page.note.text()
    dialog = SignInDialog(state, page)
    qtbot.addWidget(dialog)
    dialog.name.setText("alan")
    dialog.password.setText("wrong password")
    dialog.try_sign_in()  # checked on the task runner (scrypt); the answer comes back on the event loop
    qtbot.waitUntil(lambda: dialog.error.text() == "authentication failed for user 'alan'", timeout=5_000)
    assert not state.session.signed_in and dialog.password.text() == ""
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.try_sign_in()
    assert page.model.rowCount() > 0 and page.verify_button.isEnabled()
    assert page.note.text() == ""  # no "Sign in to see the audit log." beside the log of someone signed in
    assert page.sign_in_bar.label.text().startswith("Signed in as alan")


def test_log_is_listed_and_filtered(qtbot: QtBot, desk_world: DeskWorld) -> None:
    request_id = desk_world.held_request()
    page = _page(qtbot, desk_world)
    all_rows = page.visible_rows()
    assert len(all_rows) == page.model.rowCount() > 5
    assert all_rows[0][0] == str(max(int(r[0]) for r in all_rows))  # newest first
    page.filter.setText(f"request:{request_id}")
    shown = page.visible_rows()
    assert 0 < len(shown) < len(all_rows)
    assert all(r[4] == f"request:{request_id}" for r in shown)
    assert any(r[3] == "request.created" and r[2] == "rita" for r in shown)
    page.filter.setText("no such thing anywhere")
    assert page.visible_rows() == []


def test_verify_runs_off_the_gui_thread_and_reports_intact(qtbot: QtBot, desk_world: DeskWorld) -> None:
    desk_world.held_request()
    page = _page(qtbot, desk_world)
    threads: list[str] = []
    verify = page.state.session.verify_audit

    def spy() -> object:
        threads.append(threading.current_thread().name)
        return verify()

    page.state.session.verify_audit = spy  # type: ignore[method-assign]
    page.verify_button.click()
    qtbot.waitUntil(lambda: page.verify_result.text().startswith("Audit log intact"), timeout=10_000)
    assert threads == ["callshield-desktop-audit-verify"]
    count = page.model.rowCount()
    assert f"all {count} records verified" in page.verify_result.text()
    assert page.verify_button.isEnabled()


def test_tampered_row_is_named(qtbot: QtBot, desk_world: DeskWorld) -> None:
    desk_world.held_request()
    page = _page(qtbot, desk_world)
    with desk_world.ctx.database.transaction() as connection:
        body = connection.execute(select(audit_log.c.body).where(audit_log.c.seq == 5)).scalar_one()
        connection.execute(update(audit_log).where(audit_log.c.seq == 5).values(body=body.replace("ada", "eve")))
    page.verify_button.click()
    qtbot.waitUntil(lambda: "BROKEN" in page.verify_result.text(), timeout=10_000)
    text = page.verify_result.text()
    assert text.startswith("Audit log BROKEN at record 5: record 5 content does not match its hash (edited)")
    assert "4 record(s) before it verified" in text


def test_evidence_pack_export(qtbot: QtBot, desk_world: DeskWorld, tmp_path: Path) -> None:
    request_id = desk_world.held_request()
    page = _page(qtbot, desk_world)
    out = tmp_path / "pack.json"
    assert page.export_to(request_id, out)
    pack = json.loads(out.read_text())
    with desk_world.ctx.database.reading() as connection:
        root = pinned_root(connection, desk_world.ctx.pins)
    assert verify_pack(pack, root).ok and pack["request"]["id"] == request_id
    assert out.with_suffix(".html").is_file()
    assert f"Evidence pack for request {request_id} saved" in page.export_result.text()
    assert "it verifies" in page.export_result.text()
    assert not page.export_to(999, tmp_path / "none.json")
    assert page.export_result.text() == "Evidence pack not exported: no audit records for request 999"


def test_default_factory_opens_the_database_like_the_cli(tmp_path: Path) -> None:
    from desktop.controllers.workflow_session import WorkflowSession, default_context_factory
    from verification.workflow import users

    factory = default_context_factory(f"sqlite:///{tmp_path / 'cs.db'}", str(tmp_path / "data"), environ={})
    ctx, data_dir = factory()
    users.create_first_admin(ctx, "ada", PASSWORD)
    ctx.database.dispose()
    session = WorkflowSession(factory)
    assert session.sign_in("ada", PASSWORD).name == "ada"
    assert session.verify_audit().ok
    assert (data_dir / "audit-signing-key.pem").is_file()
    session.close()
    assert not session.signed_in


def test_a_log_this_machine_never_saw_is_unanchored_until_pinned(qtbot: QtBot, desk_world: DeskWorld) -> None:
    desk_world.held_request()
    (desk_world.data_dir / "audit-anchors.json").unlink()  # as on a second machine, or with the file deleted
    page = _page(qtbot, desk_world)
    page.verify_button.click()
    qtbot.waitUntil(lambda: "NOT anchored" in page.verify_result.text(), timeout=10_000)
    assert page.pin_button.isVisibleTo(page) and "Pin current head" in page.verify_result.text()
    page.pin_button.click()
    qtbot.waitUntil(lambda: page.verify_result.text().startswith("Audit log intact"), timeout=10_000)
    assert "Pinned as this machine's anchor" in page.verify_result.text()
    assert not page.pin_button.isVisibleTo(page)
    page.verify_button.click()
    qtbot.waitUntil(lambda: "Pinned" not in page.verify_result.text()
                    and page.verify_result.text().startswith("Audit log intact"), timeout=10_000)


def test_evidence_pack_refused_on_a_broken_log(qtbot: QtBot, desk_world: DeskWorld, tmp_path: Path) -> None:
    request_id = desk_world.held_request()
    page = _page(qtbot, desk_world)
    with desk_world.ctx.database.transaction() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 3).values(body="{}"))
    out = tmp_path / "pack.json"
    assert not page.export_to(request_id, out)
    assert not out.exists()
    assert page.export_result.text().startswith("Evidence pack not exported: audit log broken: record 3")
