"""Signing out, or in as someone else, leaves nothing of the first user on any workflow tab: every
input, tick, choice, selection, list and detail pane of Requests, Approvals, Audit and Admin is what
a freshly started app shows the second user, and a request the second user creates carries none of
the first user's values. Two whole desktops on one real SQLite database: the one used by both users
in turn, and a fresh one for comparison."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox,
                               QDoubleSpinBox, QLabel, QLineEdit, QListView, QPlainTextEdit, QSpinBox, QTextEdit, QTreeView,
                               QWidget)
from pytestqt.qtbot import QtBot

from desktop.app import Desktop, build_desktop, build_parser
from desktop.views.admin.models_page import ModelsPage
from tests.desktop.support import fake_probes
from tests.desktop.workflow_world import DeskWorld, desk_world  # noqa: F401 - fixture
from tests.verification.conftest import PASSWORD
from verification.errors import CallShieldError
from verification.workflow.views import request_view

AREAS = ("Requests", "Approvals", "Audit", "Admin")
MARK = "FIRST-USER-ONLY"


def _no_models(_warn: Any) -> Any:
    raise CallShieldError("no detector models in this test")


def _desktop(qtbot: QtBot, world: DeskWorld, settings: Path) -> Desktop:
    args = build_parser().parse_args(["--model-dir", str(settings.parent / "no-models")])
    desktop = build_desktop(QApplication.instance(), args, settings, probes=fake_probes(),
                            analyzer_builder=_no_models, checks=lambda: [], use_tray=False,
                            workflow_session=world.session())
    qtbot.addWidget(desktop.window)
    qtbot.addWidget(desktop.overlay)
    return desktop


def _pages(desktop: Desktop) -> list[QWidget]:
    pages = [desktop.window.page(area) for area in AREAS]
    assert all(page is not None for page in pages)
    return pages  # type: ignore[return-value]


def _inside_combo(widget: QWidget) -> bool:
    """A combo box's popup list is built when first needed: part of the combo, not a view of its own."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def _all(root: QWidget) -> list[QWidget]:
    return [w for w in (root, *root.findChildren(QWidget)) if not _inside_combo(w)]


def _is_input(widget: QWidget) -> bool:
    if isinstance(widget, QLineEdit):
        return not isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox))
    if isinstance(widget, QAbstractButton):
        return widget.isCheckable()
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        return not widget.isReadOnly()
    return isinstance(widget, (QComboBox, QSpinBox, QDoubleSpinBox))


def _dirty_every_input(root: QWidget) -> int:
    """Type, tick, choose and count every input under `root` (what a user could leave behind)."""
    count = 0
    for widget in _all(root):
        if not _is_input(widget):
            continue
        count += 1
        if isinstance(widget, QLineEdit):
            widget.setText(f"{MARK} {widget.accessibleName()}")
        elif isinstance(widget, QAbstractButton):
            widget.setChecked(not widget.isChecked())
        elif isinstance(widget, (QTextEdit, QPlainTextEdit)):
            widget.setPlainText(MARK)
        elif isinstance(widget, QComboBox) and widget.count() > 1:
            widget.setCurrentIndex(widget.count() - 1)
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            widget.setValue(widget.maximum() if widget.value() != widget.maximum() else widget.minimum())
    return count


def _model_rows(view: QAbstractItemView, parent: QModelIndex | None = None) -> list[Any]:
    """Every row as shown, a tree's children after their parent."""
    model = view.model()
    if model is None:
        return []
    parent = parent or QModelIndex()
    rows: list[Any] = []
    columns = 1 if isinstance(view, QListView) else model.columnCount(parent)
    for r in range(model.rowCount(parent)):
        rows.append([str(model.index(r, c, parent).data()) for c in range(columns)])
        if isinstance(view, QTreeView) and model.rowCount(model.index(r, 0, parent)):
            rows.append(_model_rows(view, model.index(r, 0, parent)))
    return rows


def _shown(root: QWidget) -> list[tuple[str, str, Any]]:
    """Everything a person could read or would submit, widget by widget, in construction order
    (but the installed models' list: the same for everyone, it shows nothing of a user)."""
    out: list[tuple[str, str, Any]] = []
    models = root.findChild(ModelsPage)
    for widget in _all(root):
        if models is not None and (widget is models or models.isAncestorOf(widget)):
            continue
        name = f"{type(widget).__name__} {widget.accessibleName()!r}"
        if isinstance(widget, QLineEdit) and _is_input(widget):
            out.append((name, "text", widget.text()))
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            out.append((name, "checked", widget.isChecked()))
        elif isinstance(widget, QComboBox):
            out.append((name, "choice", (widget.currentText(), [widget.itemText(i) for i in range(widget.count())])))
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            out.append((name, "value", widget.value()))
        elif isinstance(widget, (QTextEdit, QPlainTextEdit)):
            out.append((name, "text", widget.toPlainText()))
        elif isinstance(widget, QLabel):
            out.append((name, "label", widget.text()))
        elif isinstance(widget, QAbstractItemView):
            current = widget.currentIndex()
            out.append((name, "rows", _model_rows(widget)))
            out.append((name, "current", (current.row(), current.column()) if current.isValid() else None))
    return out


def _texts(desktop: Desktop) -> str:
    return "\n".join(str(value) for page in _pages(desktop) for _name, _kind, value in _shown(page))


def _assert_like_fresh(used: Desktop, fresh: Desktop) -> None:
    for page, fresh_page in zip(_pages(used), _pages(fresh)):
        shown, fresh_shown = _shown(page), _shown(fresh_page)
        assert len(shown) == len(fresh_shown), type(page).__name__
        differences = [(a, b) for a, b in zip(shown, fresh_shown) if a != b]
        assert differences == [], type(page).__name__
    assert [used.window.area_visible(a) for a in AREAS] == [fresh.window.area_visible(a) for a in AREAS]


def test_nothing_of_the_first_user_reaches_the_second(qtbot: QtBot, desk_world: DeskWorld, tmp_path: Path) -> None:
    used = _desktop(qtbot, desk_world, tmp_path / "used.ini")
    requests = used.requests
    used.workflow.sign_in("rita", PASSWORD)

    # Rita fills the form the way the reviewer did, submits, and leaves the rest of every tab dirty.
    requests.amount.setText("25000")
    requests.iban.setText("GB33BUKB20201555555555")
    requests.beneficiary_name.setText("Acme Ltd")
    requests.claimed_contact.setText("+44 7700 900123")
    requests.note.setText("rush: CFO on the line")
    requests.checks["urgency"].setChecked(True)
    requests.create_button.click()
    assert re.match(r"Request \d+ created", requests.result.text()), requests.result.text()
    requests.answered_by.setText("J. Smith")
    dirtied = sum(_dirty_every_input(page) for page in _pages(used))
    assert dirtied >= 40  # the form, the steps, the filter, every admin form and the policy form
    assert MARK in _texts(used)

    used.workflow.sign_out()
    assert MARK not in _texts(used) and "GB33BUKB" not in _texts(used)
    fresh = _desktop(qtbot, desk_world, tmp_path / "fresh.ini")
    _assert_like_fresh(used, fresh)  # signed out: as if the app had just started

    used.workflow.sign_in("sam", PASSWORD)
    fresh.workflow.sign_in("sam", PASSWORD)
    _assert_like_fresh(used, fresh)
    assert MARK not in _texts(used) and "+44 7700 900123" not in used.requests.claimed_contact.text()

    # What Sam creates carries only what Sam entered.
    used.requests.amount.setText("900")
    used.requests.iban.setText("DE89370400440532013000")  # a transfer needs an IBAN: Sam's own
    used.requests.create_button.click()
    match = re.match(r"Request (\d+) created", used.requests.result.text())
    assert match, used.requests.result.text()
    with desk_world.ctx.database.reading() as connection:
        view = request_view(connection, int(match.group(1)), desk_world.clock, desk_world.ctx.pins)
    assert view["requester"] == "sam"
    assert view["beneficiary"] == {"iban": "DE89370400440532013000"} and not view.get("claimed_contact") and not view.get("note")
    assert not any(view["checklist"].values())


def test_an_admins_lists_and_selections_are_gone_for_the_next_user(qtbot: QtBot, desk_world: DeskWorld,
                                                                      tmp_path: Path) -> None:
    used = _desktop(qtbot, desk_world, tmp_path / "used.ini")
    desk_world.held_request()
    used.workflow.sign_in("ada", PASSWORD)
    admin = used.admin
    assert used.window.area_visible("Admin")
    qtbot.waitUntil(lambda: admin.models.loaded, timeout=10_000)
    assert admin.users.select("rita") and admin.users.selected_label.text().startswith("rita")
    assert admin.directory.select_entry("Acme Supplies")
    admin.policy.key_bar.path.setText("/keys/ada-signing-key.pem")
    used.approvals.select(used.approvals.inbox.selected_id() or 0)
    assert len(admin.users.rows()) == 5  # ada and bea (the two first admins), rita, alan, sam

    used.workflow.sign_out()
    used.workflow.sign_in("alan", PASSWORD)
    assert not used.window.area_visible("Admin")
    assert admin.users.selected_user() is None and admin.directory.selected_entry() is None
    assert admin.policy.key_bar.path.text() == ""
    assert "rita" not in admin.users.selected_label.text()
    fresh = _desktop(qtbot, desk_world, tmp_path / "fresh.ini")
    fresh.workflow.sign_in("alan", PASSWORD)
    _assert_like_fresh(used, fresh)
