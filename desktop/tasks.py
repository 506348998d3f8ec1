"""Run a slow call (device listing, checks, model loading) on a Python thread and receive the
result on the GUI thread, so the window never freezes while the system answers."""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from verification.errors import CallShieldError


class _Task(QObject):
    done = Signal(object)
    failed = Signal(str)


class TaskRunner(QObject):
    """Owns its running tasks (Qt objects must outlive the thread that emits through them)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: set[_Task] = set()
        self._threads: list[threading.Thread] = []

    def run(self, func: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[str], None] | None = None, name: str = "callshield-desktop-task") -> None:
        task = _Task()
        self._running.add(task)
        task.done.connect(on_done)
        if on_error is not None:
            task.failed.connect(on_error)
        task.done.connect(lambda _result, t=task: self._running.discard(t))
        task.failed.connect(lambda _message, t=task: self._running.discard(t))
        thread = threading.Thread(target=self._work, args=(task, func), daemon=True, name=name)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    @property
    def busy(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def wait(self, timeout: float | None = None) -> bool:
        """For tests and shutdown: True when no task thread is still running."""
        for thread in list(self._threads):
            thread.join(timeout)
        return not self.busy

    @staticmethod
    def _work(task: _Task, func: Callable[[], Any]) -> None:
        try:
            result = func()
        except CallShieldError as exc:
            task.failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the UI must say something, never die silently
            task.failed.emit(f"unexpected error: {type(exc).__name__}: {exc}")
            return
        task.done.emit(result)
