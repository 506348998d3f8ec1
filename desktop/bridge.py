"""The only place engine callbacks become Qt signals.

Engine work runs on plain Python threads; Qt delivers signals emitted there to receivers in the
GUI thread through queued connections, so the GUI thread is never blocked by analysis.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from verification.errors import CallShieldError


class AnalysisBridge(QObject):
    progress = Signal(float, object)  # media seconds done, duration (or None)
    finished = Signal(dict)  # the callshield.report/1 object
    failed = Signal(str)  # one line

    def __init__(self, analyzer: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._analyzer = analyzer
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def analyze(self, path: str | Path) -> None:
        if self.busy:
            self.failed.emit("an analysis is already running")
            return
        self._thread = threading.Thread(target=self._run, args=(str(path),), daemon=True,
                                        name="callshield-desktop-analysis")
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.busy

    def _run(self, path: str) -> None:
        try:
            report = self._analyzer.analyze(path, progress=lambda done, total: self.progress.emit(done, total))
        except CallShieldError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the UI must say something, never die silently
            self.failed.emit(f"{Path(path).name}: unexpected error: {type(exc).__name__}: {exc}")
            return
        self.finished.emit(report)
