"""Turning decoded or captured audio into the engine's format: 16 kHz mono float32 chunks.

Shared by the file and device sources. Time is kept by counting samples (exact, no float drift)
and restarts at a discontinuity (lost packets, dropped device blocks), so a chunk's pts stays true
media time and the audio ring downstream sees the hole as a gap instead of shifting later speech.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import av
import numpy as np

from verification.sources.base import INTERNAL_SAMPLE_RATE, AudioChunk

#: A jump in input timestamps larger than this starts a new run (a hole in the audio).
GAP_TOLERANCE_S = 0.02

TimedBlock = tuple[float, np.ndarray]  # (pts of samples[0], float32 mono at 16 kHz)


@dataclass
class _Run:
    """One stretch of continuous input: where it starts and how much has come in and out."""

    start: float
    rate: int
    layout: str
    resampler: av.AudioResampler
    in_samples: int = 0
    out_samples: int = 0


class MonoResampler:
    """Audio frames of any rate/layout -> timestamped 16 kHz mono blocks.

    Channels are averaged here rather than by FFmpeg, whose mono downmix sums channels at -3 dB
    each and pushes full-scale stereo past 1.0. The resampler delivers packed (interleaved) float:
    PyAV reads one plane too many from planar frames of 8 or more channels and crashes the process.
    """

    def __init__(self, gap_tolerance_s: float = GAP_TOLERANCE_S) -> None:
        self._tolerance = gap_tolerance_s
        self._run: _Run | None = None
        self._last_end = 0.0  # where the previous run stopped, for frames without a pts

    def push_frame(self, frame: av.AudioFrame, pts: float | None) -> list[TimedBlock]:
        """`pts`: media time of the frame's first sample, or None to continue the current run."""
        out: list[TimedBlock] = []
        run = self._run
        layout = frame.layout.name
        if run is not None:
            expected = run.start + run.in_samples / run.rate
            jumped = pts is not None and abs(pts - expected) > self._tolerance
            if jumped or frame.sample_rate != run.rate or layout != run.layout:
                out += self.flush()
                run = None
        if run is None:
            run = _Run(start=pts if pts is not None else self._last_end, rate=frame.sample_rate,
                       layout=layout, resampler=av.AudioResampler(format="flt",
                                                                  rate=INTERNAL_SAMPLE_RATE))
            self._run = run
        run.in_samples += frame.samples
        out += self._emit(run, run.resampler.resample(frame))
        return out

    def push_array(self, samples: np.ndarray, sample_rate: int, pts: float | None) -> list[TimedBlock]:
        """Float samples shaped (n,) or (n, channels), as sound cards deliver them."""
        mono = samples if samples.ndim == 1 else samples.mean(axis=1)
        block = np.ascontiguousarray(mono, dtype=np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(block, format="flt", layout="mono")
        frame.sample_rate = sample_rate
        return self.push_frame(frame, pts)

    def flush(self) -> list[TimedBlock]:
        """Drain the resampler's delay line (end of stream, or before a discontinuity)."""
        run = self._run
        if run is None:
            return []
        out = self._emit(run, run.resampler.resample(None))
        self._last_end = run.start + run.out_samples / INTERNAL_SAMPLE_RATE
        self._run = None
        return out

    @staticmethod
    def _emit(run: _Run, frames: list[av.AudioFrame]) -> list[TimedBlock]:
        out: list[TimedBlock] = []
        for frame in frames:
            channels = frame.layout.nb_channels
            packed = frame.to_ndarray().reshape(-1, channels)  # (samples, channels): interleaved float
            mono = packed[:, 0] if channels == 1 else packed.mean(axis=1)
            mono = np.clip(mono, -1.0, 1.0).astype(np.float32, copy=False)
            out.append((run.start + run.out_samples / INTERNAL_SAMPLE_RATE, mono))
            run.out_samples += mono.size
        return out


class AudioChunker:
    """Cuts timestamped 16 kHz blocks into chunks of `chunk_s`; a hole ends the current chunk early."""

    def __init__(self, chunk_s: float, gap_tolerance_s: float = GAP_TOLERANCE_S) -> None:
        self.chunk_len = max(1, round(chunk_s * INTERNAL_SAMPLE_RATE))
        self._tolerance = gap_tolerance_s
        self._pending: list[np.ndarray] = []
        self._pending_len = 0
        self._start = 0.0  # pts of the first sample of the current run
        self._taken = 0  # samples of the current run already handed out
        self._seq = 0
        self._captured_at = 0.0

    def push(self, pts: float, samples: np.ndarray, captured_at: float | None = None) -> list[AudioChunk]:
        """`captured_at`: when the newest of these samples arrived (default: now)."""
        out: list[AudioChunk] = []
        if self._pending_len == 0 and self._taken == 0:
            self._start = pts
        else:
            expected = self._start + (self._taken + self._pending_len) / INTERNAL_SAMPLE_RATE
            if abs(pts - expected) > self._tolerance:
                flushed = self.flush()
                out += [flushed] if flushed is not None else []
                self._start, self._taken = pts, 0
        self._captured_at = time.monotonic() if captured_at is None else captured_at
        self._pending.append(samples)
        self._pending_len += samples.size
        while self._pending_len >= self.chunk_len:
            out.append(self._take(self.chunk_len))
        return out

    def flush(self) -> AudioChunk | None:
        """The partial chunk left (end of stream or before a hole), if any."""
        return self._take(self._pending_len) if self._pending_len else None

    def _take(self, n: int) -> AudioChunk:
        buf = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        rest = buf[n:]
        self._pending, self._pending_len = ([rest], rest.size) if rest.size else ([], 0)
        pts = self._start + self._taken / INTERNAL_SAMPLE_RATE
        self._taken += n
        chunk = AudioChunk(seq=self._seq, pts=pts, captured_at=self._captured_at,
                           samples=np.ascontiguousarray(buf[:n], dtype=np.float32))
        self._seq += 1
        return chunk
