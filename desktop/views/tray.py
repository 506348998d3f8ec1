"""Tray icon that shows the call's level and notifies when it rises. Some desktops have no tray
(GNOME without an extension, offscreen tests): then `notified` still fires and the composition
root falls back to alerting the main window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.views.level_style import level_icon, style_for
from verification.fusion.levels import ORDER
from verification.fusion.verdict import Verdict


class TrayNotifier(QObject):
    notified = Signal(str, str)  # title, message
    open_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None, use_tray: bool | None = None) -> None:
        super().__init__(parent)
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        self.level = "unknown"
        self.tray: QSystemTrayIcon | None = None
        self._menu: QMenu | None = None
        if self.available:
            self.tray = QSystemTrayIcon(level_icon("unknown"), self)
            self.tray.setToolTip("CallShield: not watching")
            self._menu = QMenu()
            self._menu.addAction("Open CallShield").triggered.connect(self.open_requested)
            self._menu.addAction("Quit CallShield").triggered.connect(self.quit_requested)
            self.tray.setContextMenu(self._menu)
            self.tray.activated.connect(lambda _reason: self.open_requested.emit())
            self.tray.show()

    def reset(self) -> None:
        """A new call starts from 'cannot judge yet': its first rise is news."""
        self.level = "unknown"
        if self.tray is not None:
            self.tray.setIcon(level_icon("unknown"))
            self.tray.setToolTip("CallShield: watching, not judged yet")

    def update_verdict(self, verdict: Verdict) -> None:
        rose = ORDER.get(verdict.level, -1) > ORDER.get(self.level, -1) and verdict.level in ("elevated", "high")
        self.level = verdict.level
        style = style_for(verdict.level)
        if self.tray is not None:
            self.tray.setIcon(level_icon(verdict.level))
            self.tray.setToolTip(f"CallShield: {style.word}")
        if not rose:
            return
        title = f"CallShield: {style.word}"
        reason = verdict.reasons[0] if verdict.reasons else ""
        message = f"{reason}\n{style.advice}" if reason else style.advice
        if self.tray is not None and self.tray.supportsMessages():
            icon = (QSystemTrayIcon.MessageIcon.Critical if verdict.level == "high"
                    else QSystemTrayIcon.MessageIcon.Warning)
            self.tray.showMessage(title, message, icon, 15_000)
        self.notified.emit(title, message)

    def hide(self) -> None:
        if self.tray is not None:
            self.tray.hide()
