"""Time spent inside ONNX runs, so benchmarks can show how much of the wall time is model work.

`TimedSession` wraps an onnxruntime session; every `run` adds its duration to a shared
`OnnxClock`. The overhead is two perf_counter calls and a lock per run (microseconds).
"""

from __future__ import annotations

import threading
import time
from typing import Any


class OnnxClock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seconds = 0.0
        self._runs = 0

    def add(self, seconds: float) -> None:
        with self._lock:
            self._seconds += seconds
            self._runs += 1

    @property
    def seconds(self) -> float:
        with self._lock:
            return self._seconds

    @property
    def runs(self) -> int:
        with self._lock:
            return self._runs


class TimedSession:
    """Same surface as onnxruntime.InferenceSession for callers; `run` is timed."""

    def __init__(self, session: Any, clock: OnnxClock) -> None:
        self._session = session
        self._clock = clock

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
        start = time.perf_counter()
        try:
            return self._session.run(output_names, input_feed, run_options)
        finally:
            self._clock.add(time.perf_counter() - start)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)
