"""Transcribing a call in chunks within a CPU budget: fall back to every Nth chunk, never behind.

Budget: recognition may take at most `budget` seconds of wall time per second of audio
(default 0.25: 15 s of work per minute of call, on `threads` cores). Chunks of about 10 s end
at the quietest moment of their last 2 s, so a word is not cut in two. After each chunk the
running cost per audio second is compared with the budget; when it is over, only every Nth
chunk is transcribed from then on (N = cost / budget, rounded up) and the skipped chunks are
counted and named in the result, so a report says what was not listened to. Quiet chunks (no
speech energy) are skipped without running the recogniser and cost nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from verification.speech.whisper import SAMPLE_RATE, Segment

CHUNK_S = 10.0
DEFAULT_BUDGET = 0.25
QUIET_RMS = 0.003  # below this a chunk holds no speech worth transcribing (about -50 dBFS)

Transcribe = Callable[[np.ndarray], list[Segment]]


@dataclass
class ChunkStats:
    chunk_s: float
    budget: float
    transcribed: int = 0
    quiet: int = 0
    dropped: list[float] = field(default_factory=list)  # start times of chunks skipped for the budget
    work_s: float = 0.0
    stride: int = 1  # transcribe every `stride`-th chunk

    def as_dict(self) -> dict[str, object]:
        return {"chunk_s": self.chunk_s, "budget": self.budget, "transcribed_chunks": self.transcribed,
                "quiet_chunks": self.quiet, "dropped_chunks": len(self.dropped),
                "dropped_at_s": [round(t, 1) for t in self.dropped], "work_s": round(self.work_s, 2),
                "every_nth": self.stride}


class ChunkedTranscriber:
    """Feed audio as it comes (`feed`), get time-stamped segments back; one worker thread owns it."""

    def __init__(self, transcribe: Transcribe, chunk_s: float = CHUNK_S, budget: float = DEFAULT_BUDGET,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._transcribe = transcribe
        self._clock = clock
        self._chunk = int(round(chunk_s * SAMPLE_RATE))
        self._pending = np.zeros(0, np.float32)
        self._start_s = 0.0  # call time of the first pending sample
        self._index = 0
        self._heard_s = 0.0  # audio seconds actually transcribed
        self.stats = ChunkStats(chunk_s, budget)

    def feed(self, samples: np.ndarray) -> list[Segment]:
        """Take 16 kHz audio that follows the last; returns segments of chunks completed now."""
        self._pending = np.concatenate([self._pending, np.asarray(samples, np.float32).reshape(-1)])
        out: list[Segment] = []
        while len(self._pending) >= self._chunk:
            cut = self._pause_before(self._chunk)
            chunk, self._pending = self._pending[:cut], self._pending[cut:]
            out += self._take(chunk)
        return out

    def _pause_before(self, end: int) -> int:
        """The quietest 50 ms in the chunk's last 2 s: cutting there splits no word in two."""
        frame = SAMPLE_RATE // 20
        start = max(frame, end - 2 * SAMPLE_RATE)
        tail = self._pending[start:end]
        n = len(tail) // frame
        if n < 2:
            return end
        energy = np.mean(tail[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1)
        latest = n - 1 - int(np.argmin(energy[::-1]))  # of equally quiet moments, the one nearest 10 s
        return start + latest * frame + frame // 2

    def skip(self, seconds: float) -> None:
        """Audio the worker never got (a live ring overwrote it while it was busy): counted as dropped
        chunks from here, with what was pending, so the coverage says so."""
        lost = len(self._pending) / SAMPLE_RATE + max(0.0, seconds)
        if lost <= 0:
            return
        self._pending = np.zeros(0, np.float32)
        chunk_s = self._chunk / SAMPLE_RATE
        for k in range(max(1, math.ceil(lost / chunk_s - 1e-9))):
            self.stats.dropped.append(self._start_s + k * chunk_s)
            self._index += 1
        self._start_s += lost

    def finish(self) -> list[Segment]:
        """The last, shorter chunk (end of the call)."""
        chunk, self._pending = self._pending, np.zeros(0, np.float32)
        return self._take(chunk) if len(chunk) >= SAMPLE_RATE // 4 else []

    def _take(self, chunk: np.ndarray) -> list[Segment]:
        start = self._start_s
        self._start_s += len(chunk) / SAMPLE_RATE
        index, self._index = self._index, self._index + 1
        stats = self.stats
        if float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2))) < QUIET_RMS:
            stats.quiet += 1
            return []
        if index % stats.stride:
            stats.dropped.append(start)
            return []
        began = self._clock()
        segments = self._transcribe(chunk)
        stats.work_s += self._clock() - began
        stats.transcribed += 1
        self._heard_s += len(chunk) / SAMPLE_RATE
        heard_s = self._heard_s
        cost = stats.work_s / heard_s  # wall seconds of work per second of audio transcribed
        stats.stride = max(1, math.ceil(cost / stats.budget - 1e-9))
        return [Segment(start + s.start_s, start + s.end_s, s.text) for s in segments]
