"""A live source that fails mid-call is reopened with backoff, and media time runs on across the gap.

A reopened camera or audio device restarts its own clock at zero (its pts is time since open), so
the engine places each reopening's media time after the loss: the last pts delivered plus the wall
time the device was gone. A source that resumes its own clock (a capture card picking up where it
stopped) already continues and is left as it is. The span in between is not judged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Iterator, TypeVar

from verification.sources.base import INTERNAL_SAMPLE_RATE, AudioChunk, VideoFrame

Item = TypeVar("Item", VideoFrame, AudioChunk)


@dataclass(frozen=True)
class RetryPolicy:
    """How a lost live source is retried: first wait, doubling up to `max_delay_s`, and after
    `give_up_after_s` without it the modality ends (with a reason) while the other goes on."""

    first_delay_s: float = 0.5
    max_delay_s: float = 5.0
    give_up_after_s: float = 120.0

    def delays(self) -> Iterator[float]:
        delay = self.first_delay_s
        while True:
            yield delay
            delay = min(delay * 2, self.max_delay_s)


@dataclass(frozen=True)
class NotJudgedSpan:
    """Media time a source delivered nothing for: its detectors judged nothing there."""

    source: str  # "video" or "audio"
    t0: float
    t1: float
    reason: str  # one line


class MediaClock:
    """Keeps one source's media time increasing across reopenings (capture thread only).

    `last_end` is where the newest input ends: a frame is an instant, an audio chunk lasts."""

    def __init__(self) -> None:
        self._offset = 0.0
        self.last_end = 0.0
        self._lost_wall: float | None = None

    def lost(self) -> None:
        if self._lost_wall is None:  # lost again before any input: still the same gap
            self._lost_wall = time.monotonic()

    def down_s(self) -> float:
        return 0.0 if self._lost_wall is None else time.monotonic() - self._lost_wall

    def now_t(self) -> float:
        """Media time now, while the source is gone."""
        return self.last_end + self.down_s()

    def place(self, item: Item) -> Item:
        if self._lost_wall is not None:
            if item.pts + self._offset < self.last_end:  # the device restarted its clock
                self._offset = self.now_t() - item.pts
            self._lost_wall = None
        if self._offset:
            item = replace(item, pts=item.pts + self._offset)
        samples = getattr(item, "samples", None)
        self.last_end = item.pts + (samples.size / INTERNAL_SAMPLE_RATE if samples is not None else 0.0)
        return item
