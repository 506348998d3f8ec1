"""Bounded audio ring indexed by absolute sample position (media time x sample rate).

Live capture must not block on a slow analysis, so when the ring is full the oldest samples are
discarded (drop-oldest) and the lost span is remembered as a gap. A discontinuity in the source's
timestamps (device hiccup, packet loss) is zero-filled and also remembered as a gap, so sample
index and media time stay the same thing and windows can say "this span is not trustworthy".
Offline analysis uses `lossless=True`: `append` then waits until the reader has released enough.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AudioSpan:
    start: int  # absolute sample index of samples[0]
    samples: np.ndarray  # float32 copy
    gap: bool  # any sample of the span was lost or zero-filled
    captured_at: float  # capture time of the newest chunk that contributed


class AudioRing:
    def __init__(self, sample_rate: int, capacity_s: float = 30.0, lossless: bool = False,
                 gap_tolerance_s: float = 0.02, readers: tuple[str, ...] = ("audio",)) -> None:
        self.sample_rate = sample_rate
        self._capacity = int(capacity_s * sample_rate)
        self._buf = np.zeros(self._capacity, dtype=np.float32)
        self._lossless = lossless
        self._tolerance = int(gap_tolerance_s * sample_rate)
        self._cond = threading.Condition()
        self._start = 0  # oldest retained absolute index
        self._end = 0  # one past newest absolute index
        #: per reader: it no longer needs samples before this index (the audio worker, and the
        #: vision worker when av detectors read audio beside the frames)
        self._marks: dict[str, int] = {name: 0 for name in readers}
        self._gaps: list[tuple[int, int]] = []
        self._closed = False
        self._last_captured = 0.0
        self._started = False
        self.dropped_samples = 0
        self.gap_samples = 0

    # -- writer -----------------------------------------------------------------------------
    def append(self, samples: np.ndarray, pts: float, captured_at: float) -> None:
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._cond:
            if self._closed:
                return
            at = int(round(pts * self.sample_rate))
            if not self._started:
                self._start = self._end = at
                self._marks = {name: at for name in self._marks}
                self._started = True
            if at > self._end + self._tolerance:
                self._write_locked(np.zeros(at - self._end, dtype=np.float32), gap=True)
            elif at < self._end:
                samples = samples[self._end - at:]  # overlap with what we hold: keep ours
            self._write_locked(samples, gap=False)
            self._last_captured = captured_at
            self._cond.notify_all()

    def _write_locked(self, samples: np.ndarray, gap: bool) -> None:
        pos = 0
        while pos < len(samples):
            if self._lossless:
                self._cond.wait_for(lambda: self._end - self._released() < self._capacity or self._closed)
                if self._closed:
                    return
                # forget only samples every reader has released, and only as many as needed, so a
                # reader that lags (the vision worker's av detectors) still finds its audio
                needed = min(len(samples) - pos, self._capacity) - (self._capacity - (self._end - self._start))
                if needed > 0:
                    self._start = min(self._released(), self._start + needed)
            room = self._capacity - (self._end - self._start)
            if room <= 0:
                # drop-oldest: forget one block so the writer never waits on a live device
                drop = min(len(samples) - pos, self._capacity)
                self._mark_gap_locked(self._start, self._start + drop)
                self.dropped_samples += drop
                self._start += drop
                room = drop
            n = min(room, len(samples) - pos, self._capacity)
            self._put_locked(self._end, samples[pos:pos + n])
            if gap:
                self._mark_gap_locked(self._end, self._end + n)
                self.gap_samples += n
            self._end += n
            pos += n

    def _put_locked(self, index: int, samples: np.ndarray) -> None:
        # at most two slice copies (before and after the wrap): index arrays cost more than the audio
        at = index % self._capacity
        first = min(samples.size, self._capacity - at)
        self._buf[at:at + first] = samples[:first]
        self._buf[:samples.size - first] = samples[first:]

    def _get_locked(self, index: int, out: np.ndarray) -> None:
        at = index % self._capacity
        first = min(out.size, self._capacity - at)
        out[:first] = self._buf[at:at + first]
        out[first:] = self._buf[:out.size - first]

    def _mark_gap_locked(self, a: int, b: int) -> None:
        if self._gaps and self._gaps[-1][1] >= a:
            self._gaps[-1] = (self._gaps[-1][0], max(self._gaps[-1][1], b))
        else:
            self._gaps.append((a, b))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # -- reader -----------------------------------------------------------------------------
    def wait_started(self, timeout: float | None) -> bool:
        """Wait for the first samples (or close); True once the ring has a start index."""
        with self._cond:
            self._cond.wait_for(lambda: self._started or self._closed, timeout)
            return self._started

    def wait_for_end(self, index: int, timeout: float | None) -> int:
        """Wait until samples up to `index` exist or the ring is closed; returns the current end."""
        with self._cond:
            self._cond.wait_for(lambda: (self._started and self._end >= index) or self._closed, timeout)
            return self._end

    def can_reach(self, index: int, reader: str) -> bool:
        """Whether the writer can get to `index` before `reader` releases anything more.

        A lossless writer stops when it is a full ring ahead of the slowest reader; a reader that
        waits for samples past its own mark plus the capacity waits on itself.
        """
        with self._cond:
            mark = self._marks.get(reader)
            return not self._lossless or mark is None or index <= mark + self._capacity

    def read(self, a: int, b: int) -> AudioSpan:
        """Copy samples [a, b). Samples no longer held (dropped) or never written read as zeros + gap."""
        with self._cond:
            out = np.zeros(max(0, b - a), dtype=np.float32)
            lo, hi = max(a, self._start), min(b, self._end)
            gap = lo > a or hi < b
            if hi > lo:
                self._get_locked(lo, out[lo - a:hi - a])
            gap = gap or any(g0 < b and g1 > a for g0, g1 in self._gaps)
            self._gaps = [g for g in self._gaps if g[1] > self._start]
            return AudioSpan(start=a, samples=out, gap=gap, captured_at=self._last_captured)

    def add_reader(self, name: str) -> None:
        """Register a reader whose releases a lossless writer must wait for (before start)."""
        with self._cond:
            self._marks.setdefault(name, self._start)

    def release(self, index: int, reader: str = "audio") -> None:
        """`reader` will not ask for samples before `index` again (lets a lossless writer go on)."""
        with self._cond:
            if reader in self._marks:  # a removed (finished) reader no longer counts
                self._marks[reader] = max(self._marks[reader], min(index, self._end))
            self._cond.notify_all()

    def remove_reader(self, name: str) -> None:
        """A reader that has finished never holds the writer back again."""
        with self._cond:
            self._marks.pop(name, None)
            self._cond.notify_all()

    def _released(self) -> int:
        return min(self._marks.values()) if self._marks else self._end

    @property
    def start_index(self) -> int:
        with self._cond:
            return self._start

    @property
    def end_index(self) -> int:
        with self._cond:
            return self._end

    @property
    def lossless(self) -> bool:
        return self._lossless

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed
