"""Choosing what to watch and hear: listings found off the GUI thread, plain notes on what is
missing, and a screen region drawn with the mouse or the keyboard."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from desktop.controllers.source_plan import DeviceAudio, RecordingTarget, RegionTarget, WindowTarget
from desktop.tasks import TaskRunner
from desktop.views.monitor.region_overlay import RegionOverlay
from desktop.views.monitor.source_chooser import SourceChooser
from tests.desktop.support import fake_probes
from verification.sources import ScreenRegion


def _chooser(qtbot: QtBot, **probes: bool) -> SourceChooser:
    chooser = SourceChooser(fake_probes(**probes), TaskRunner())
    qtbot.addWidget(chooser)
    with qtbot.waitSignal(chooser.inventory_ready, timeout=10_000):
        chooser.refresh()
    return chooser


def test_call_window_and_microphone_without_loopback(qtbot: QtBot) -> None:
    chooser = _chooser(qtbot)
    titles = [chooser.window_combo.itemText(i) for i in range(chooser.window_combo.count())]
    assert titles == ["Zoom Meeting  (zoom)"]  # our own window is never offered
    plan = chooser.plan()
    assert plan is not None and plan.video == WindowTarget(11, "Zoom Meeting")
    assert isinstance(plan.audio, DeviceAudio) and not plan.audio.loopback
    note = chooser.note.text()
    assert "caller's voice cannot be heard" in note and "pavucontrol" in note  # the per-OS hint
    assert "microphone hears the caller only through your speakers" in note


def test_system_audio_offered_first_when_a_loopback_exists(qtbot: QtBot) -> None:
    chooser = _chooser(qtbot, loopback=True)
    assert chooser.audio.currentText().startswith("System audio: Monitor of Built-in Audio")
    plan = chooser.plan()
    assert plan is not None and isinstance(plan.audio, DeviceAudio) and plan.audio.loopback
    assert "cannot be heard" not in chooser.note.text()


def test_window_capture_unavailable_says_why(qtbot: QtBot) -> None:
    chooser = _chooser(qtbot, windows_ok=False)
    assert chooser.plan() is None
    assert "cannot be listed here: no X display" in chooser.missing()
    chooser.set_video_kind("monitor")
    plan = chooser.plan()
    assert plan is not None and plan.video.describe() == "monitor 1"


def test_recording_plays_with_its_own_sound(qtbot: QtBot) -> None:
    chooser = _chooser(qtbot)
    chooser.set_recording("/data/call.mp4")
    assert chooser.audio.currentText() == "The recording's own sound"
    plan = chooser.plan()
    assert plan is not None and plan.video == plan.audio == RecordingTarget("/data/call.mp4")


def test_region_drawn_with_the_mouse(qtbot: QtBot) -> None:
    chooser = _chooser(qtbot)
    chooser.set_video_kind("region")
    assert chooser.plan() is None and "Draw region" in chooser.missing()
    with qtbot.waitSignal(chooser.overlay_opened, timeout=5_000):
        chooser.draw_region()
    overlay = chooser.overlay
    assert isinstance(overlay, RegionOverlay)
    qtbot.waitExposed(overlay)
    with qtbot.waitSignal(overlay.chosen, timeout=5_000) as chosen:
        qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=QPoint(100, 80))
        qtbot.mouseMove(overlay, QPoint(300, 200))
        qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=QPoint(420, 330))
    ratio = overlay.screen().devicePixelRatio()
    assert chosen.args[0] == ScreenRegion(round(100 * ratio), round(80 * ratio), round(320 * ratio), round(250 * ratio))
    plan = chooser.plan()
    assert plan is not None and plan.video == RegionTarget(chosen.args[0])


def test_region_by_keyboard_and_escape(qtbot: QtBot) -> None:
    overlay = RegionOverlay()
    qtbot.addWidget(overlay)
    overlay.open()
    start = overlay.selection
    qtbot.keyClick(overlay, Qt.Key.Key_Right)
    qtbot.keyClick(overlay, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert overlay.selection.left() == start.left() + 20
    assert overlay.selection.height() == start.height() + 20
    with qtbot.waitSignal(overlay.cancelled, timeout=2_000):
        qtbot.keyClick(overlay, Qt.Key.Key_Escape)


def test_tiny_region_is_not_accepted(qtbot: QtBot) -> None:
    overlay = RegionOverlay()
    qtbot.addWidget(overlay)
    overlay.open()
    with qtbot.assertNotEmitted(overlay.chosen):
        qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
        qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert overlay.isVisible()  # still drawing
