"""The composition root wires one desktop: demo mode, first-run check, menus, keyboard
navigation and accessible names on every control."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from desktop.app import Desktop, build_desktop, build_parser
from desktop.qt_binding import binding_problem
from tests.desktop.support import fake_probes
from verification.doctor import Check


def _desktop(qtbot: QtBot, analyzer: Any, settings_path: Path, *argv: str) -> Desktop:
    args = build_parser().parse_args(list(argv))
    checks = [Check("models", "Detector models", "ok", "All models are installed and verified.")]
    desktop = build_desktop(QApplication.instance(), args, settings_path, probes=fake_probes(),
                            analyzer_builder=lambda _warn: analyzer, checks=lambda: checks, use_tray=False)
    qtbot.addWidget(desktop.window)
    qtbot.addWidget(desktop.overlay)
    desktop.window.show()
    qtbot.waitUntil(lambda: not desktop.window.status.text().startswith("Loading"), timeout=10_000)
    qtbot.waitUntil(lambda: desktop.chooser.window_combo.currentData() is not None, timeout=10_000)
    return desktop


def test_demo_mode_plays_the_recording_as_the_call(qtbot: QtBot, analyzer: Any, settings_path: Path,
                                                   grid_clip: Path) -> None:
    desktop = _desktop(qtbot, analyzer, settings_path, "--demo", str(grid_clip))
    assert desktop.chooser.video_kind() == "recording"
    assert desktop.window.status.text().startswith("Models:")
    with qtbot.waitSignal(desktop.session.ended, timeout=30_000):
        desktop.monitor.start()
        qtbot.waitUntil(lambda: desktop.overlay.isVisible(), timeout=10_000)  # overlay shows while watching
    assert desktop.overlay.level.text().startswith("Call ended")
    assert desktop.session.record is not None and desktop.session.record.label == f"recording {grid_clip.name}"
    desktop.quit()


def test_first_run_check_is_remembered(qtbot: QtBot, analyzer: Any, settings_path: Path) -> None:
    desktop = _desktop(qtbot, analyzer, settings_path)
    assert not desktop.settings.first_run_done
    desktop.check_dialog.show()
    with qtbot.waitSignal(desktop.check_dialog.checks_done, timeout=10_000):
        desktop.check_dialog.start()
    desktop.check_dialog.accept()
    assert desktop.settings.first_run_done


def test_overlay_toggle_is_a_setting(qtbot: QtBot, analyzer: Any, settings_path: Path) -> None:
    desktop = _desktop(qtbot, analyzer, settings_path)
    assert desktop.window.overlay_action.isChecked()
    desktop.window.overlay_action.setChecked(False)
    assert not desktop.settings.show_overlay


def test_only_built_areas_are_shown(qtbot: QtBot, analyzer: Any, settings_path: Path) -> None:
    desktop = _desktop(qtbot, analyzer, settings_path)
    tabs = desktop.window.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Monitor", "Requests", "Approvals", "Audit", "Admin"]
    assert tabs.tabBarAutoHide()  # no lone tab bar; it appears when a second area is added
    assert desktop.window.page("Monitor") is desktop.monitor
    assert desktop.window.page("Requests") is desktop.requests
    assert desktop.window.page("Approvals") is desktop.approvals
    assert desktop.window.page("Audit") is desktop.audit
    assert desktop.window.page("Admin") is desktop.admin
    assert not desktop.window.area_visible("Admin")  # only for someone the engine calls an admin
    assert not desktop.workflow.session.signed_in  # the workflow database opens only on sign-in
    menus = [a.text() for a in desktop.window.menuBar().actions()]
    assert menus == ["&Call", "&View", "&Help"]  # every menu has an Alt mnemonic


def test_every_control_has_an_accessible_name(qtbot: QtBot, analyzer: Any, settings_path: Path) -> None:
    desktop = _desktop(qtbot, analyzer, settings_path)
    unnamed = [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
               for root in (desktop.window, desktop.overlay, desktop.check_dialog)
               for w in root.findChildren(QWidget)
               if isinstance(w, (QAbstractButton, QComboBox, QListWidget)) and not w.accessibleName()
               and w.parent() is not None and type(w).__name__ not in ("QToolButton",)]
    assert unnamed == []
    for widget in (desktop.monitor.preview, desktop.monitor.timelines, desktop.monitor.verdict.headline,
                   desktop.monitor.stats):
        assert widget.accessibleName()
    assert "No call is being watched" in desktop.monitor.preview.accessibleDescription()
    assert "Synthetic voice:" in desktop.monitor.timelines.accessibleDescription()


def test_tab_walks_the_controls_in_reading_order(qtbot: QtBot, analyzer: Any, settings_path: Path) -> None:
    desktop = _desktop(qtbot, analyzer, settings_path)
    chooser, monitor = desktop.chooser, desktop.monitor
    order: list[QWidget] = []
    widget: QWidget = chooser.kind
    for _ in range(500):  # what Tab visits: the focus chain, minus what cannot take focus now
        if (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.isVisible() and widget.isEnabled():
            order.append(widget)
        widget = widget.nextInFocusChain()
        if widget is chooser.kind:
            break
    expected = [chooser.kind, chooser.window_combo, chooser.refresh_button, chooser.audio, monitor.start_button]
    positions = [order.index(w) for w in expected]
    assert positions == sorted(positions)
    # and the mnemonics and shortcuts that reach them without a mouse
    assert monitor.start_button.text() == "&Start watching" and monitor.stop_button.text() == "S&top"
    assert desktop.window.start_action.shortcut().toString() == "Ctrl+Return"


def test_binding_release_that_crashes_is_refused() -> None:
    assert "6.12.0" in binding_problem((6, 12, 0), (3, 11, 7))
    assert binding_problem((6, 12, 0), (3, 12, 1)) is None
    assert binding_problem((6, 11, 3), (3, 11, 7)) is None


def test_drawing_a_region_moves_callshield_out_of_the_way(qtbot: QtBot, analyzer: Any, settings_path: Path) -> None:
    desktop = _desktop(qtbot, analyzer, settings_path)
    chooser = desktop.chooser
    chooser.set_video_kind("region")
    with qtbot.waitSignal(chooser.overlay_opened, timeout=5_000):
        chooser.draw_region()
        assert not desktop.window.isVisible()  # the call app behind it must be visible to draw on
    assert chooser.overlay is not None
    qtbot.keyClick(chooser.overlay, Qt.Key.Key_Return)  # accept the suggested rectangle
    assert desktop.window.isVisible()
    assert chooser.region is not None and chooser.plan() is not None
