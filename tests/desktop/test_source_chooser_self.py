"""The source chooser on a real X server: CallShield's own window (found by its process) is never offered
as the call window, and choosing an area that shows it says so in the note."""

from __future__ import annotations

import dataclasses

from pytestqt.qtbot import QtBot

from desktop.tasks import TaskRunner
from desktop.views.monitor.source_chooser import SourceChooser
from tests.desktop.support import fake_probes
from tests.verification.test_own_windows import OWN_TITLE, windows_on_x  # noqa: F401 - fixture
from tests.verification.test_sources_screen import x_display  # noqa: F401 - fixture
from verification.sources import ScreenRegion, list_windows, window_support


def test_own_window_never_offered_and_capturing_it_warns(qtbot: QtBot, windows_on_x: tuple[int, str]) -> None:  # noqa: F811
    own_pid, call_title = windows_on_x
    probes = dataclasses.replace(fake_probes(), windows=list_windows, window_support=window_support,
                                 monitors=lambda: [ScreenRegion(0, 0, 640, 480)], own_pid=lambda: own_pid)
    chooser = SourceChooser(probes, TaskRunner())
    qtbot.addWidget(chooser)
    with qtbot.waitSignal(chooser.inventory_ready, timeout=10_000):
        chooser.refresh()
    titles = [chooser.window_combo.itemText(i) for i in range(chooser.window_combo.count())]
    assert call_title in titles and not any(OWN_TITLE in t for t in titles)
    chooser.window_combo.setCurrentIndex(titles.index(call_title))
    assert chooser.self_capture() is None and "CallShield's own window" not in chooser.note.text()

    chooser.set_video_kind("monitor")  # the whole screen holds our own window too
    assert chooser.plan() is not None  # a warning, not a refusal: the clerk may move the window away
    assert chooser.note.text().startswith(f"CallShield's own window '{OWN_TITLE}' covers 300x200 pixels")
    chooser.set_region(ScreenRegion(380, 40, 240, 120))  # just the call window
    chooser.set_video_kind("region")
    assert "CallShield's own window" not in chooser.note.text()
    chooser.set_region(ScreenRegion(0, 0, 400, 300))
    assert "CallShield's own window" in chooser.note.text()
