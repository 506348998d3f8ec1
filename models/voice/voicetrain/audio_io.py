"""Decoding, resampling and trimming, done the way the engine does it (PyAV's resampler)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from verification.sources.file_source import FileAudioSource

RATE = 16_000


def load_16k(path: Path) -> np.ndarray:
    """Any file -> float32 mono 16 kHz, through the same source class `callshield analyze` uses."""
    source = FileAudioSource(path, chunk_s=1.0)
    source.open()
    blocks: list[np.ndarray] = []
    try:
        while (chunk := source.read()) is not None:
            blocks.append(chunk.samples)
    finally:
        source.close()
    return np.concatenate(blocks).astype(np.float32) if blocks else np.zeros(0, np.float32)


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """float32 mono at rate_in -> rate_out with FFmpeg's resampler (as the engine resamples)."""
    if rate_in == rate_out:
        return samples.astype(np.float32, copy=True)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=rate_out)
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples, np.float32).reshape(1, -1),
                                       format="flt", layout="mono")
    frame.sample_rate = rate_in
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


def trim_silence(samples: np.ndarray, rate: int = RATE, below_peak_db: float = 35.0) -> np.ndarray:
    """Cut leading and trailing stretches quieter than the peak by more than `below_peak_db`
    (20 ms frames, 50 ms margin kept): TTS engines and corpora pad differently."""
    frame = rate // 50
    n = samples.size // frame
    if n < 3:
        return samples
    energy = 10 * np.log10(np.mean(samples[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    active = np.flatnonzero(energy > energy.max() - below_peak_db)
    if active.size == 0:
        return samples[:0]
    a = max(0, (active[0] - 2) * frame)
    b = min(samples.size, (active[-1] + 3) * frame)
    return samples[a:b]


def peak_normalize(samples: np.ndarray, peak: float = 0.9) -> np.ndarray:
    top = float(np.max(np.abs(samples))) if samples.size else 0.0
    return samples if top < 1e-6 else (samples * (peak / top)).astype(np.float32)
