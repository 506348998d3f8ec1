"""Live hand-over of a few frames between the capture thread and the vision worker.

A single newest-wins slot drops a frame whenever one vision step is late (another program took
the core for a moment). This queue holds up to `depth` frames instead, so a short stall is
caught up on afterwards, and keeps latency bounded two ways: when full, the oldest frame goes;
and when the worker takes a frame that has waited longer than `max_lag_s` while a newer one
waits too, the old one goes. The newest frame is never dropped. Every drop is counted.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Callable, Generic, TypeVar

from verification.pipeline.latest_slot import SlotClosed

T = TypeVar("T")


class FrameQueue(Generic[T]):
    def __init__(self, depth: int, max_lag_s: float, age: Callable[[T], float]) -> None:
        if depth < 1 or max_lag_s <= 0:
            raise ValueError("a frame queue needs depth >= 1 and a positive max_lag_s")
        self._depth = depth
        self._max_lag_s = max_lag_s
        self._age = age  # seconds since the item was captured
        self._items: deque[T] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self.put_count = 0
        self.dropped = 0

    def put(self, item: T, timeout: float | None = None) -> bool:
        """Store `item`, dropping the oldest when full; never waits (the signature matches LatestSlot)."""
        with self._cond:
            if self._closed:
                raise SlotClosed("frame queue is closed")
            if len(self._items) >= self._depth:
                self._items.popleft()
                self.dropped += 1
            self._items.append(item)
            self.put_count += 1
            self._cond.notify_all()
            return True

    def get(self, timeout: float | None = None) -> T | None:
        """The oldest frame still within the lag budget, waiting up to `timeout`; None on timeout
        or when closed and empty."""
        with self._cond:
            if not self._cond.wait_for(lambda: bool(self._items) or self._closed, timeout):
                return None
            if not self._items:
                return None
            while len(self._items) > 1 and self._age(self._items[0]) > self._max_lag_s:
                self._items.popleft()
                self.dropped += 1
            return self._items.popleft()

    def close(self) -> None:
        """No more puts; a waiting `get` returns what is left, then None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def waiting(self) -> int:
        """Frames waiting to be taken (for queue-depth monitoring)."""
        with self._cond:
            return len(self._items)

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed
