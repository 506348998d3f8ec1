"""Engine metrics: frame rates, drops, per-stage and end-to-end latency percentiles.

Workers record into their own `StageTimer`s and counters (thread-safe, cheap); `snapshot()` is
called from outside (UI timer, end of analysis) and returns plain numbers.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np


class LatencyRecorder:
    """Keeps the last `keep` durations (seconds) so percentiles follow the live situation."""

    def __init__(self, keep: int = 2000) -> None:
        self._values: deque[float] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self.count = 0
        self.total_s = 0.0

    def add(self, seconds: float) -> None:
        with self._lock:
            self._values.append(seconds)
            self.count += 1
            self.total_s += seconds

    def summary_ms(self) -> dict[str, float | int | None]:
        with self._lock:
            values = np.fromiter(self._values, dtype=np.float64)
            count, total = self.count, self.total_s
        if values.size == 0:
            return {"count": 0, "p50_ms": None, "p95_ms": None, "mean_ms": None}
        p50, p95 = np.percentile(values, [50, 95]) * 1000.0
        return {"count": count, "p50_ms": round(float(p50), 2), "p95_ms": round(float(p95), 2),
                "mean_ms": round(total / count * 1000.0, 2)}


class Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self, n: int = 1) -> None:
        with self._lock:
            self.value += n


@dataclass
class EngineMetrics:
    """Shared by the engine's threads; each field is written by one thread only."""

    started_at: float = field(default_factory=time.monotonic)
    frames_in: Counter = field(default_factory=Counter)
    frames_analysed: Counter = field(default_factory=Counter)
    frames_skipped: Counter = field(default_factory=Counter)  # by analysis-rate choice, not overload
    audio_windows: Counter = field(default_factory=Counter)
    stages: dict[str, LatencyRecorder] = field(default_factory=dict)
    end_to_end: LatencyRecorder = field(default_factory=LatencyRecorder)

    def stage(self, name: str) -> LatencyRecorder:
        # stages are created before threads start (see Engine), so no lock is needed here
        return self.stages.setdefault(name, LatencyRecorder())

    def snapshot(self, frames_dropped: int, audio_dropped_s: float, audio_gap_s: float) -> dict:
        wall = max(time.monotonic() - self.started_at, 1e-9)
        return {
            "wall_s": round(wall, 3),
            "input_fps": round(self.frames_in.value / wall, 2),
            "analysed_fps": round(self.frames_analysed.value / wall, 2),
            "dropped_fps": round(frames_dropped / wall, 2),
            "frames_in": self.frames_in.value,
            "frames_analysed": self.frames_analysed.value,
            "frames_dropped": frames_dropped,
            "frames_skipped": self.frames_skipped.value,
            "audio_windows": self.audio_windows.value,
            "audio_dropped_s": round(audio_dropped_s, 3),
            "audio_gap_s": round(audio_gap_s, 3),
            "stages": {name: rec.summary_ms() for name, rec in sorted(self.stages.items())},
            "end_to_end": self.end_to_end.summary_ms(),
        }
