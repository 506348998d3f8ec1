"""Steady-rate timing for sources that produce frames themselves (screen grabs, live synthetic).

A late tick is not made up with a burst: the schedule restarts from now, as a camera would simply
deliver its next frame. Cameras and sound cards pace themselves and do not need this.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RatePacer:
    def __init__(self, rate_hz: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not rate_hz > 0:
            raise ValueError(f"rate must be positive, got {rate_hz}")
        self.period = 1.0 / rate_hz
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    def wait(self) -> float:
        """Sleep until the next tick is due; returns the clock time of the tick."""
        now = self._clock()
        if self._next is None or now - self._next > self.period:
            self._next = now  # first tick, or more than a period late: restart the schedule
        elif self._next > now:
            self._sleep(self._next - now)
            now = self._clock()
        self._next += self.period
        return now
