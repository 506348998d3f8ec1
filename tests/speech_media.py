"""Live-like speech for challenge tests and benchmarks: real FSDD digits dubbed onto real GRID
talking heads, a stand-in for a live caller reading digits. `warped`: the face's own syllables
re-timed onto the digits, so the mouth opens when the voice is loud; `dub`: the lips slowed to
the voice's length and the voice shaped by the original loudness (follows the mouth only in part)."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf

from verification.sources.base import INTERNAL_SAMPLE_RATE as SR
from verification.sources.base import VideoFrame
from verification.sources.file_source import FileAudioSource

FSDD_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech" / "real" / "fsdd"


def read_track(path: Path) -> np.ndarray:
    src = FileAudioSource(path)
    src.open()
    chunks = []
    while (chunk := src.read()) is not None:
        chunks.append(chunk.samples)
    src.close()
    return np.concatenate(chunks).astype(np.float32)


def envelope(audio: np.ndarray, win: int = 480) -> np.ndarray:
    power = np.convolve(audio.astype(np.float64) ** 2, np.ones(win) / win, mode="same")
    return np.sqrt(power)


def digit_voice(digits: str, rng: random.Random) -> np.ndarray:
    """Four FSDD clips of one speaker, trimmed, with short gaps, at 16 kHz."""
    speaker = rng.choice(["george", "jackson", "lucas", "nicolas", "theo", "yweweler"])
    parts = []
    for d in digits:
        path = rng.choice(sorted(FSDD_DIR.glob(f"{d}_{speaker}_*.wav")))
        raw, rate = sf.read(path, dtype="float32")
        y = librosa.resample(raw, orig_sr=rate, target_sr=SR)
        y, _ = librosa.effects.trim(y, top_db=30)
        parts += [y / max(float(np.abs(y).max()), 1e-6), np.zeros(int(0.08 * SR), np.float32)]
    return np.concatenate(parts).astype(np.float32)


def speech_span(original: np.ndarray) -> tuple[int, int]:
    env = envelope(original)
    loud = np.flatnonzero(env > 0.15 * env.max())
    return int(loud[0]), int(loud[-1])


def slowed(frames: list[VideoFrame], faces: list[list], span: tuple[int, int], factor: float,
           fps: float = 15.0) -> tuple[list[VideoFrame], list[list]]:
    """The clip with its speaking part played `factor` times slower (frames repeated), so the lips
    take as long as the dubbed digits; faces are taken from the frame shown."""
    a, b = span[0] / SR, span[1] / SR
    end = frames[-1].pts + (b - a) * (factor - 1.0)
    out_frames, out_faces = [], []
    for i, t in enumerate(np.arange(0.0, end, 1.0 / fps)):
        src_t = t if t < a else (a + (t - a) / factor if t < a + (b - a) * factor else t - (b - a) * (factor - 1.0))
        k = min(int(round(src_t * fps)), len(frames) - 1)
        out_frames.append(dataclasses.replace(frames[k], seq=i, pts=float(t)))
        out_faces.append(faces[k])
    return out_frames, out_faces


def dub(original: np.ndarray, voice: np.ndarray, span: tuple[int, int], factor: float) -> np.ndarray:
    """`voice` over the speaking part slowed by `factor`, shaped by its (slowed) loudness: lip sync."""
    a, b = span
    env = envelope(original)[a:b]
    env = np.interp(np.arange(len(voice)) / factor, np.arange(len(env)), env)
    gain = np.sqrt(env / max(float(env.max()), 1e-9))
    total = len(original) + len(voice) - (b - a)
    out = np.full(total, 1e-4, np.float32)
    out[a:a + len(voice)] += 0.3 * voice * (0.25 + 0.75 * gain)
    return out


def lips_to_voice(original: np.ndarray, voice: np.ndarray, span: tuple[int, int], rate: float = 100.0) -> np.ndarray:
    """For each 1/`rate` s of `voice`, the time (s, from the span's start) of the original speech
    whose loudness matches it best in order (dynamic time warping of the two loudness curves):
    the face's own syllables re-timed onto the digits, so the mouth opens when the voice is loud."""
    hop = int(SR / rate)
    a, b = span

    def curve(audio: np.ndarray) -> np.ndarray:
        env = envelope(audio)[::hop]
        env = np.log(env + 1e-4)
        return ((env - env.mean()) / max(float(env.std()), 1e-9))[None, :]

    _cost, path = librosa.sequence.dtw(curve(original[a:b]), curve(voice))
    source, target = path[::-1, 0], path[::-1, 1]
    first = np.full(int(target.max()) + 1, -1.0)
    for src, tgt in zip(source, target):  # the first source step that maps onto each voice step
        if first[tgt] < 0:
            first[tgt] = src
    return first / rate


def warped(frames: list[VideoFrame], faces: list[list], span: tuple[int, int], mapping: np.ndarray,
           rate: float = 100.0, fps: float = 15.0) -> tuple[list[VideoFrame], list[list]]:
    """The clip with its speaking part re-timed by `mapping` (lips_to_voice): before it as recorded,
    after it shifted by the change in length."""
    a, b = span[0] / SR, span[1] / SR
    said = len(mapping) / rate
    end = frames[-1].pts + said - (b - a)
    out_frames, out_faces = [], []
    for i, t in enumerate(np.arange(0.0, end, 1.0 / fps)):
        if t < a:
            src_t = t
        elif t < a + said:
            src_t = a + float(mapping[min(int((t - a) * rate), len(mapping) - 1)])
        else:
            src_t = t - said + (b - a)
        k = min(int(round(src_t * fps)), len(frames) - 1)
        out_frames.append(dataclasses.replace(frames[k], seq=i, pts=float(t)))
        out_faces.append(faces[k])
    return out_frames, out_faces


def placed(original: np.ndarray, voice: np.ndarray, span: tuple[int, int]) -> np.ndarray:
    """`voice` as it is in place of the speaking part (its lips re-timed by `warped`)."""
    a, b = span
    out = np.full(len(original) + len(voice) - (b - a), 1e-4, np.float32)
    out[a:a + len(voice)] += 0.3 * voice
    return out


def reader_for(audio: np.ndarray):  # noqa: ANN201 - read_audio callable
    def read(t0: float, t1: float) -> np.ndarray:
        a, n = int(round(t0 * SR)), int(round((t1 - t0) * SR))
        out = np.full(n, 1e-6, np.float32)  # quiet but real audio past the end
        lo, hi = max(a, 0), min(a + n, len(audio))
        if hi > lo:
            out[lo - a:hi - a] = audio[lo:hi]
        return out
    return read
