"""Admin tab, installations, on a real SQLite workflow database: an admin retires a stolen computer's audit
key after confirming, as `callshield audit retire-installation` does; the engine's refusals show as they are."""

from __future__ import annotations

import shutil

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.views.admin.installations_page import InstallationsPage
from tests.desktop.admin_world import AdminWorld, admin_page, admin_world  # noqa: F401 - fixture
from tests.desktop.workflow_world import desk_world  # noqa: F401 - fixture
from tests.verification.conftest import make_context, signed_in
from verification.trust.root import PIN_FILE
from verification.trust.store import trust_state
from verification.workflow.installations import register_installation

STOLEN = "laptop in the car"


def _stolen_laptop(world: AdminWorld) -> str:
    """A second computer on the same database, its audit key registered by ada."""
    desk = world.desk
    other = desk.data_dir.parent / "laptop-data"
    other.mkdir()
    shutil.copyfile(desk.data_dir / PIN_FILE, other / PIN_FILE)
    ctx = make_context(desk.ctx.database.url.render_as_string(hide_password=False), other, desk.clock)
    try:
        return register_installation(ctx, signed_in(ctx, "ada"), STOLEN)[0]
    finally:
        ctx.database.dispose()


def _retire(qtbot: QtBot, page: InstallationsPage, label: str, reason: str, yes: bool) -> str:
    labels = [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())]
    page.tree.setCurrentItem(page.tree.topLevelItem(labels.index(label)))
    page.reason.setText(reason)
    page.confirm = None
    page.retire_button.click()
    qtbot.waitUntil(lambda: page.confirm is not None and page.confirm.isVisible(), timeout=5_000)
    box = page.confirm
    assert box is not None
    shown = box.text()
    box.button(QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No).click()
    return shown


def _retired(world: AdminWorld) -> set[str]:
    with world.desk.ctx.database.reading() as connection:
        return set(trust_state(connection, world.desk.ctx.pins).retired)


def test_an_admin_retires_a_stolen_computers_key_after_confirming(qtbot: QtBot, admin_world: AdminWorld) -> None:
    key_id = _stolen_laptop(admin_world)
    tab = admin_page(qtbot, admin_world, "bea")
    page = tab.installations
    page.refresh()
    listed = [page.tree.topLevelItem(i).text(1) for i in range(page.tree.topLevelItemCount())]
    assert key_id in listed and len(listed) == 2
    shown = _retire(qtbot, page, STOLEN, "laptop stolen 2026-12-05", yes=False)
    assert key_id in shown and STOLEN in shown
    assert page.result.text() == "Not retired." and _retired(admin_world) == set()
    _retire(qtbot, page, STOLEN, "abc", yes=True)  # the engine's rule on the reason, shown as it is
    assert page.result.text() == "say why the installation is retired (--reason), e.g. 'laptop stolen 2025-09-19'"
    _retire(qtbot, page, STOLEN, "laptop stolen 2026-12-05", yes=True)
    assert page.result.text() == f"Retired the audit key {key_id} of {STOLEN!r}."
    assert _retired(admin_world) == {key_id}
    assert [page.tree.topLevelItem(i).text(1) for i in range(page.tree.topLevelItemCount())] == \
        [k for k in listed if k != key_id]


def test_the_engine_refuses_a_non_admin_driving_the_page(qtbot: QtBot, admin_world: AdminWorld) -> None:
    key_id = _stolen_laptop(admin_world)
    tab = admin_page(qtbot, admin_world, "rita")
    page = tab.installations
    page.refresh()
    _retire(qtbot, page, STOLEN, "laptop stolen 2026-12-05", yes=True)
    assert "lacks the admin role" in page.result.text() and "\n" not in page.result.text()
    assert key_id not in _retired(admin_world)
