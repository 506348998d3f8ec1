"""A thread that waits for the database's change notices (PostgreSQL LISTEN, see
verification/store/change_notice.py) and calls `woke` at each, so open views reload at once instead of
at the next poll. A lost connection is reopened after `retry_s`, with one wake then for what changed
meanwhile; until then `listening` is False and the poll alone follows the database. Qt-free: the
follower turns `woke` into a signal."""

from __future__ import annotations

import threading
from typing import Callable, Protocol

from verification.errors import CallShieldError

WAIT_S = 0.25  # how long one wait blocks: also how soon the thread sees stop()
RETRY_S = 1.0


class Listener(Protocol):
    def wait(self, timeout_s: float) -> bool: ...

    def close(self) -> None: ...


class ChangeWakeup:
    def __init__(self, open_listener: Callable[[], Listener | None], woke: Callable[[], None],
                 listening_changed: Callable[[bool], None] = lambda _on: None, retry_s: float = RETRY_S) -> None:
        self._open = open_listener
        self._woke = woke
        self._listening_changed = listening_changed
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = False
        self.connections = 0  # listeners opened so far: 2 after one reconnect

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True, name="callshield-change-wakeup")
            self._thread.start()

    def stop(self, timeout_s: float = 0.0) -> None:
        """Asks the thread to end (within WAIT_S); waits for it only when `timeout_s` is given."""
        self._stop.set()
        if self._thread is not None and timeout_s > 0:
            self._thread.join(timeout_s)

    def _set_listening(self, on: bool) -> None:
        if on != self.listening:
            self.listening = on
            self._listening_changed(on)

    def _run(self) -> None:
        listener: Listener | None = None
        try:
            while not self._stop.is_set():
                try:
                    if listener is None:
                        listener = self._open()
                        if listener is None:
                            return  # no channel (SQLite): the views poll
                        self.connections += 1
                        self._set_listening(True)
                        self._woke()  # changes made while no one listened: read the head once
                    if listener.wait(WAIT_S) and not self._stop.is_set():
                        self._woke()
                except CallShieldError:
                    self._set_listening(False)
                    if listener is not None:
                        listener.close()
                        listener = None
                    self._stop.wait(self._retry_s)
        finally:
            if listener is not None:
                listener.close()
            self._set_listening(False)
