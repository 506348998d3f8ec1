"""Synthetic sources: same seed, same data; speech-like bursts where the plan says; live pacing."""

from __future__ import annotations

import time

import numpy as np
import pytest

from verification.sources import INTERNAL_SAMPLE_RATE, SyntheticAudioSource, SyntheticFrameSource


def _all_frames(source: SyntheticFrameSource) -> list[np.ndarray]:
    source.open()
    return [f.image for f in iter(source.read, None)]


def _all_audio(source: SyntheticAudioSource) -> np.ndarray:
    source.open()
    return np.concatenate([c.samples for c in iter(source.read, None)])


def test_frames_are_deterministic_per_seed() -> None:
    a = _all_frames(SyntheticFrameSource(width=96, height=64, fps=10, duration_s=1.0, seed=3))
    b = _all_frames(SyntheticFrameSource(width=96, height=64, fps=10, duration_s=1.0, seed=3))
    c = _all_frames(SyntheticFrameSource(width=96, height=64, fps=10, duration_s=1.0, seed=4))
    assert len(a) == 10
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[0], a[5])  # the shapes move


def test_frame_timing_and_format() -> None:
    source = SyntheticFrameSource(width=64, height=48, fps=25, duration_s=2.0)
    info = source.open()
    frames = list(iter(source.read, None))
    assert (info.width, info.height, info.fps) == (64, 48, 25)
    assert len(frames) == 50 and [f.seq for f in frames] == list(range(50))
    assert [f.pts for f in frames] == pytest.approx([i / 25 for i in range(50)])
    assert all(f.image.shape == (48, 64, 3) and f.image.dtype == np.uint8 for f in frames)
    assert np.array_equal(frames[7].image, source.render(7))


def test_live_frames_are_paced() -> None:
    source = SyntheticFrameSource(width=32, height=32, fps=50, duration_s=0.3, live=True)
    started = time.monotonic()
    frames = _all_frames(source)
    assert len(frames) == 15
    assert time.monotonic() - started >= 0.25


def test_audio_is_deterministic_and_independent_of_chunk_size() -> None:
    a = _all_audio(SyntheticAudioSource(duration_s=2.5, chunk_s=0.1, seed=7))
    b = _all_audio(SyntheticAudioSource(duration_s=2.5, chunk_s=0.37, seed=7))
    c = _all_audio(SyntheticAudioSource(duration_s=2.5, chunk_s=0.1, seed=8))
    assert a.size == b.size == round(2.5 * INTERNAL_SAMPLE_RATE)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.dtype == np.float32 and float(np.abs(a).max()) <= 1.0


def test_audio_chunks_timeline() -> None:
    source = SyntheticAudioSource(duration_s=1.05, chunk_s=0.25)
    info = source.open()
    chunks = list(iter(source.read, None))
    assert (info.sample_rate, info.channels) == (INTERNAL_SAMPLE_RATE, 1)
    assert [c.pts for c in chunks] == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    assert [c.samples.size for c in chunks] == [4000, 4000, 4000, 4000, 800]


def test_bursts_carry_speech_energy_and_silences_are_silent() -> None:
    source = SyntheticAudioSource(duration_s=6.0, seed=1, silences=[(2.0, 2.5)])
    audio = _all_audio(source)
    frame = INTERNAL_SAMPLE_RATE // 10
    speech, pause = [], []
    for i in range(audio.size // frame):
        t = (i + 0.5) * frame / INTERNAL_SAMPLE_RATE
        rms = float(np.sqrt(np.mean(audio[i * frame:(i + 1) * frame] ** 2)))
        (speech if source.is_speech(t) else pause).append(rms)
    assert speech and pause
    assert np.median(speech) > 3 * np.median(pause)  # an energy VAD can tell them apart
    silent = audio[2 * INTERNAL_SAMPLE_RATE:int(2.5 * INTERNAL_SAMPLE_RATE)]
    assert not silent.any()
    assert not source.is_speech(2.2)


def test_tones_only() -> None:
    audio = _all_audio(SyntheticAudioSource(duration_s=1.0, speech=False, tones_hz=(440.0,),
                                            tone_level=0.1))
    spectrum = np.abs(np.fft.rfft(audio))
    assert np.argmax(spectrum) == pytest.approx(440, abs=1)  # 1 Hz bins over 1 s
    assert float(np.abs(audio).max()) == pytest.approx(0.1, abs=1e-3)
