"""Keeps the workflow views in step with the database, whoever changes it: this app, the CLI, or
another machine on a shared database.

Every change the engine makes writes an audit record, so the audit head's sequence number is a
change detector that costs one indexed read on SQLite and PostgreSQL alike. It is read about once
a second on the task runner (never on the GUI thread, a shared server can be slow to answer), only
while someone is signed in and a workflow page is on screen; when it moves, `changed` fires and
the pages reload, reading on the task runner too (SignedInState.reload). A slower tick fires `changed` too, so countdowns ("min left") move on even when
nothing is written.

On PostgreSQL the engine also sends a notice with every commit (LISTEN/NOTIFY): a ChangeWakeup thread
listens on its own connection and the follower reads the head at once, instead of at the next poll.
The poll stays as the fallback: it catches a notice lost with a dropped connection (the listener is
reopened, and reads the head once then) and brings a page hidden when its notice came up to date
when it is shown. SQLite has no notices: the poll alone follows it."""

from __future__ import annotations

import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from desktop.controllers.change_wakeup import ChangeWakeup, Listener
from desktop.tasks import TaskRunner

POLL_MS = 1000
TICK_MS = 15_000


class DatabaseFollower(QObject):
    changed = Signal()
    _noticed = Signal()  # from the wakeup thread; queued to the GUI thread

    def __init__(self, read_stamp: Callable[[], Any], active: Callable[[], bool], runner: TaskRunner,
                 parent: QObject | None = None, poll_ms: int = POLL_MS, tick_ms: int = TICK_MS,
                 open_listener: Callable[[], Listener | None] | None = None) -> None:
        super().__init__(parent)
        self._read_stamp = read_stamp
        self._active = active
        self._runner = runner
        self._pages: list[weakref.ref[QWidget]] = []
        self._stamp: Any = None
        self._reading = False
        self._again = False  # a notice came during a read that may have started before its commit
        self.wakeup = None if open_listener is None else ChangeWakeup(open_listener, self._noticed.emit)
        self._noticed.connect(self._on_notice)
        if self.wakeup is not None:  # a window closed without quitting (tests, a re-opened sign-in) ends it too
            self.destroyed.connect(lambda *_gone, wakeup=self.wakeup: wakeup.stop())
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

    def stop(self) -> None:
        """At quit: no more polls; the wakeup thread ends within a quarter second (not waited for)."""
        self._poll.stop()
        self._tick.stop()
        if self.wakeup is not None:
            self.wakeup.stop()

    @property
    def listening(self) -> bool:
        return self.wakeup is not None and self.wakeup.listening

    def _on_notice(self) -> None:
        if self._reading:
            self._again = True
        else:
            self.poll()

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
        the pages' first load and the first read (made at once: it also starts the listening)."""
        self._stamp = None
        QTimer.singleShot(0, self, self.poll)

    def poll(self) -> None:
        if not self._active():
            return
        if self.wakeup is not None:
            self.wakeup.start()  # once: after the first sign-in, when the database is open
        if self._reading or not self._on_screen():
            return
        self._reading = True
        self._runner.run(self._read_stamp, self._read, self._failed, name="callshield-desktop-follow")

    def _read(self, stamp: Any) -> None:
        self._finish()
        if not self._active():
            return
        moved = stamp != self._stamp  # the first read too: a change just after sign-in is not missed
        self._stamp = stamp
        if moved:
            self.changed.emit()

    def _failed(self, _message: str) -> None:
        self._finish()  # a database that does not answer: the next poll tries again

    def _finish(self) -> None:
        self._reading = False
        if self._again:
            self._again = False
            QTimer.singleShot(0, self, self.poll)

    def _on_tick(self) -> None:
        if self._active() and self._on_screen():
            self.changed.emit()
