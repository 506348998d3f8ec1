"""Main window drives a real analysis through the bridge without blocking the GUI thread."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.bridge import AnalysisBridge
from desktop.views.main_window import MainWindow
from tests.media import write_clip
from verification.composition import build_analyzer
from verification.detectors.catalog import DETECTOR_SPECS
from verification.pipeline.runner import EngineConfig


def _window(qtbot: QtBot) -> MainWindow:
    analyzer = build_analyzer(None, EngineConfig(), with_faces=False)
    window = MainWindow(AnalysisBridge(analyzer), ["test status line"])
    qtbot.addWidget(window)
    return window


def test_analysis_result_shown(qtbot: QtBot, tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "call.mp4", seconds=1.5)
    window = _window(qtbot)
    with qtbot.waitSignal(window._bridge.finished, timeout=30_000):
        window.start_analysis(str(clip))
        assert not window.open_button.isEnabled()  # returned at once: work runs off the GUI thread
    assert "CANNOT JUDGE" in window.verdict.text()
    assert window.open_button.isEnabled()
    assert window.table.rowCount() == len(DETECTOR_SPECS)
    assert window.table.item(0, 1).text() == "not_applicable"
    assert window.reasons.count() >= 1


def test_unreadable_file_reported_in_one_line(qtbot: QtBot, tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    window = _window(qtbot)
    with qtbot.waitSignal(window._bridge.failed, timeout=30_000) as blocker:
        window.start_analysis(str(bad))
    assert "notes.mp4" in blocker.args[0] and "\n" not in blocker.args[0]
    assert window.verdict.text().startswith("Could not analyse")
