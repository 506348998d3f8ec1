"""The only place engine callbacks become Qt signals.

Engine callbacks run on the engine's Python threads and must return at once. They append to a
list under a lock and emit one `pending` signal when the list goes from empty to non-empty;
Qt queues that signal to the GUI thread, which takes every waiting event in one go. So a burst
of evidence (detectors x faces x 15 fps) costs the GUI thread one wake-up, not hundreds.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from verification.pipeline.events import EngineEvent


class EngineEventBridge(QObject):
    pending = Signal()  # events are waiting: call take() on the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._events: list[EngineEvent] = []
        self._scheduled = False

    def sink(self, event: EngineEvent) -> None:
        """The engine's `on_event` callback: any thread, never blocks on the GUI."""
        with self._lock:
            self._events.append(event)
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self.pending.emit()

    def take(self) -> list[EngineEvent]:
        """Every event waiting, oldest first (GUI thread)."""
        with self._lock:
            events, self._events = self._events, []
            self._scheduled = False
        return events
