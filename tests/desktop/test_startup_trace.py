"""The startup trace packaging/measure.py reads: silent by default; with the variable set, the time the
window was shown and the time the models were ready, in that order."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QLabel, QMainWindow
from pytestqt.qtbot import QtBot

from desktop.startup_trace import trace_startup


def _desktop(qtbot: QtBot) -> SimpleNamespace:
    window = QMainWindow()
    window.status = QLabel("Loading detector models…")  # type: ignore[attr-defined]
    qtbot.addWidget(window)
    return SimpleNamespace(window=window)


def test_silent_unless_asked(qtbot: QtBot, capsys: pytest.CaptureFixture[str]) -> None:
    trace_startup(_desktop(qtbot), {})
    qtbot.wait(50)
    assert capsys.readouterr().err == ""


def test_lines_carry_the_times(qtbot: QtBot, capfd: pytest.CaptureFixture[str]) -> None:
    desktop = _desktop(qtbot)
    times = iter([10.0, 12.5])
    trace_startup(desktop, {"CALLSHIELD_STARTUP_TRACE": "1"}, clock=lambda: next(times))
    qtbot.wait(50)
    desktop.window.status.setText("Ready")
    qtbot.wait(100)
    err = capfd.readouterr().err.splitlines()
    assert err == ["callshield-desktop: startup: window shown at 10.000",
                   "callshield-desktop: startup: models ready at 12.500 (Ready)"]
