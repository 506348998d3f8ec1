"""Keeps the workflow views in step with the database, whoever changes it: this app, the CLI, or
another machine on a shared database.

Every change the engine makes writes an audit record, so the audit head's sequence number is a
change detector that costs one indexed read on SQLite and PostgreSQL alike. It is read about once
a second on the task runner (never on the GUI thread, a shared server can be slow to answer), only
while someone is signed in and a workflow page is on screen; when it moves, `changed` fires and
the pages reload, reading on the task runner too (SignedInState.reload). A slower tick fires `changed` too, so countdowns ("min left") move on even when
nothing is written."""

from __future__ import annotations

import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from desktop.tasks import TaskRunner

POLL_MS = 1000
TICK_MS = 15_000


class DatabaseFollower(QObject):
    changed = Signal()

    def __init__(self, read_stamp: Callable[[], Any], active: Callable[[], bool], runner: TaskRunner,
                 parent: QObject | None = None, poll_ms: int = POLL_MS, tick_ms: int = TICK_MS) -> None:
        super().__init__(parent)
        self._read_stamp = read_stamp
        self._active = active
        self._runner = runner
        self._pages: list[weakref.ref[QWidget]] = []
        self._stamp: Any = None
        self._reading = False
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self.poll)
        self._tick = QTimer(self)
        self._tick.setInterval(tick_ms)
        self._tick.timeout.connect(self._on_tick)
        self._poll.start()
        self._tick.start()

    def watch(self, page: QWidget) -> None:
        """Poll while `page` is on screen (hidden pages catch up when shown: the poll runs then)."""
        self._pages.append(weakref.ref(page))

    def _on_screen(self) -> bool:
        alive = []
        shown = False
        for ref in self._pages:
            page = ref()
            try:
                visible = page is not None and page.isVisible()
            except RuntimeError:  # the widget was deleted under its Python wrapper
                continue
            if page is not None:
                alive.append(ref)
            shown = shown or visible
        self._pages = alive
        return shown

    def forget(self) -> None:
        """A new user starts from no stamp: the first poll reloads once more, closing the gap between
        the pages' first load and the first read."""
        self._stamp = None

    def poll(self) -> None:
        if self._reading or not self._active() or not self._on_screen():
            return
        self._reading = True
        self._runner.run(self._read_stamp, self._read, self._failed, name="callshield-desktop-follow")

    def _read(self, stamp: Any) -> None:
        self._reading = False
        if not self._active():
            return
        moved = stamp != self._stamp  # the first read too: a change just after sign-in is not missed
        self._stamp = stamp
        if moved:
            self.changed.emit()

    def _failed(self, _message: str) -> None:
        self._reading = False  # a database that does not answer: the next poll tries again

    def _on_tick(self) -> None:
        if self._active() and self._on_screen():
            self.changed.emit()
