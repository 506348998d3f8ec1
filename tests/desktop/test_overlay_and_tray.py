"""The always-on-top overlay shows level and top reason; the tray notifies when the level rises."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.views.compact_overlay import CompactOverlay
from desktop.views.tray import TrayNotifier
from verification.fusion.verdict import Verdict


def _verdict(level: str, reason: str = "Face #0: Face swap: the face shows swap or generation artefacts") -> Verdict:
    risk = {"low": 0.1, "elevated": 0.7, "high": 0.95}.get(level)
    return Verdict(risk, level, [reason])


def test_overlay_level_and_top_reason(qtbot: QtBot) -> None:
    overlay = CompactOverlay()
    qtbot.addWidget(overlay)
    assert overlay.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)  # never steals the call's focus
    overlay.show_watching("window 'Zoom Meeting'")
    assert overlay.level.text() == "NOT JUDGED YET"
    assert overlay.advice.text() == "Not judged yet — do the full call-back before paying."
    overlay.show_verdict(_verdict("high"))
    assert overlay.level.text() == "HIGH RISK"
    assert overlay.advice.text() == "High risk — do not pay; hang up and follow the call-back procedure."
    assert overlay.reason.text() == "Face #0: Face swap: the face shows swap or generation artefacts"
    assert "HIGH RISK" in overlay.accessibleDescription()
    overlay.show_ended(_verdict("elevated"))
    assert overlay.level.text() == "Call ended: elevated risk at worst"
    overlay.show_ended(_verdict("unknown", "The recording is damaged or cut short: truncated or corrupt video"))
    assert overlay.level.text() == "Call ended: not judged"
    assert overlay.reason.text().startswith("The recording is damaged")
    assert overlay.advice.text().startswith("Not judged yet")
    with qtbot.waitSignal(overlay.open_main):
        qtbot.mouseClick(overlay.open_button, Qt.MouseButton.LeftButton)
    overlay.show()
    with qtbot.waitSignal(overlay.closed_by_user):
        qtbot.mouseClick(overlay.close_button, Qt.MouseButton.LeftButton)
    assert not overlay.isVisible()


def test_tray_notifies_only_when_the_level_rises(qtbot: QtBot) -> None:
    tray = TrayNotifier(use_tray=False)  # no tray here: notifications still reach the fallback
    assert not tray.available
    seen: list[tuple[str, str]] = []
    tray.notified.connect(lambda title, message: seen.append((title, message)))
    for level in ("unknown", "low", "low", "elevated", "elevated", "high", "elevated", "high"):
        tray.update_verdict(_verdict(level))
    assert [title for title, _ in seen] == ["CallShield: ELEVATED RISK", "CallShield: HIGH RISK",
                                             "CallShield: HIGH RISK"]
    assert "do not pay" in seen[1][1] and "swap" in seen[1][1]
    tray.reset()
    tray.update_verdict(_verdict("elevated"))
    assert len(seen) == 4  # a new call's first rise is news again


def test_real_tray_when_the_desktop_has_one(qtbot: QtBot) -> None:
    tray = TrayNotifier()
    if tray.available:  # offscreen has none; a desktop session does
        assert tray.tray is not None and tray.tray.isVisible()
    else:
        assert tray.tray is None
    tray.update_verdict(_verdict("high"))
    tray.hide()
