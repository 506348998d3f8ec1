"""Desktop preferences in one INI file (path chosen by the composition root; tests use a temp file)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings


class DesktopSettings:
    def __init__(self, path: Path) -> None:
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def first_run_done(self) -> bool:
        return bool(self._qs.value("first_run/done", False, type=bool))

    def mark_first_run_done(self) -> None:
        self._qs.setValue("first_run/done", True)
        self._qs.sync()

    @property
    def show_overlay(self) -> bool:
        return bool(self._qs.value("overlay/show", True, type=bool))

    def set_show_overlay(self, show: bool) -> None:
        self._qs.setValue("overlay/show", show)
        self._qs.sync()

    @property
    def keep_transcript(self) -> bool:
        """Whether a watched call's transcript is kept in its report (off: only the cues and quotes)."""
        return bool(self._qs.value("speech/keep_transcript", False, type=bool))

    def set_keep_transcript(self, keep: bool) -> None:
        self._qs.setValue("speech/keep_transcript", keep)
        self._qs.sync()
