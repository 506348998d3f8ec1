"""Size-1 hand-over between a capture thread and a worker: the newest item wins.

Live sources must never queue frames (latency grows without bound when analysis is slower than
capture), so `put` overwrites an item the worker has not taken yet and counts it as dropped.
Recordings analysed offline use `lossless=True`: `put` then waits until the worker has taken the
previous item, so nothing is dropped and the file is analysed as fast as the worker allows.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class SlotClosed(Exception):
    """Raised by `put` after `close()`; `get` returns None instead."""


class LatestSlot(Generic[T]):
    def __init__(self, lossless: bool = False) -> None:
        self._lossless = lossless
        self._cond = threading.Condition()
        self._item: T | None = None
        self._has_item = False
        self._closed = False
        self.put_count = 0
        self.dropped = 0

    def put(self, item: T, timeout: float | None = None) -> bool:
        """Store `item`. Returns False only when lossless and `timeout` expired (nothing stored)."""
        with self._cond:
            if self._closed:
                raise SlotClosed("slot is closed")
            if self._has_item and self._lossless:
                if not self._cond.wait_for(lambda: not self._has_item or self._closed, timeout):
                    return False
                if self._closed:
                    raise SlotClosed("slot is closed")
            if self._has_item:
                self.dropped += 1
            self._item = item
            self._has_item = True
            self.put_count += 1
            self._cond.notify_all()
            return True

    def get(self, timeout: float | None = None) -> T | None:
        """Take the newest item, waiting up to `timeout`. None on timeout or when closed and empty."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._has_item or self._closed, timeout):
                return None
            if not self._has_item:
                return None
            item = self._item
            self._item = None
            self._has_item = False
            self._cond.notify_all()
            return item

    def close(self) -> None:
        """No more puts; a waiting `get` returns what is left, then None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def occupied(self) -> bool:
        """Whether an item waits to be taken (for queue-depth monitoring)."""
        with self._cond:
            return self._has_item

    @property
    def waiting(self) -> int:
        """Items waiting to be taken: 0 or 1 (the same question a FrameQueue answers)."""
        return int(self.occupied)

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed
