"""Overlapping speech: two voices at once are found by multi-pitch analysis, one voice is not, and
voice_synthetic then declines to judge instead of scoring a mixture its model never learned."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verification.detectors import overlap_speech as ovl
from verification.detectors.evidence import DetectorResult
from verification.detectors.vad import SileroVad
from verification.detectors.voice_synthetic import VoiceSyntheticDetector

from .test_voice_support import RATE, load_speech, shared_rows, voice_loader, windows

LIBRI = "speech/real/librispeech_resemblyzer"
# Two test-half speakers of the calibration split (neither was used to pick the thresholds).
SPEAKER_A = f"{LIBRI}/4680-16026-0000.flac"
SPEAKER_B = f"{LIBRI}/6019-3185-0000.flac"
SECONDS = 8


def _harmonic(f0: float, seconds: float = 2.0, level: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    # a slow 3 % vibrato, as voices never hold a pitch exactly
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.03 * np.sin(2 * np.pi * 4 * t))) / RATE
    tone = sum(np.sin(k * phase + k) / k for k in range(1, 25) if k * f0 < 4000)
    return (level * tone).astype(np.float32)


def _window_counts(audio: np.ndarray) -> list[tuple[int, int]]:
    return [ovl.count_frames(ovl.pitch_frames(audio[s:s + 2 * RATE]))
            for s in range(0, audio.size - 2 * RATE + 1, RATE // 2)]


@pytest.fixture(scope="module")
def voices() -> tuple[np.ndarray, np.ndarray]:
    if not shared_rows("librispeech_resemblyzer"):
        pytest.skip("LibriSpeech files missing from the shared data")
    a, b = (load_speech(p)[: SECONDS * RATE] for p in (SPEAKER_A, SPEAKER_B))
    n = min(a.size, b.size)
    return a[:n], b[:n]


def _mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal loudness (0 dB), peak-normalised like a recording."""
    mix = a / np.sqrt(np.mean(a ** 2)) + b / np.sqrt(np.mean(b ** 2))
    return (0.5 * mix / np.abs(mix).max()).astype(np.float32)


def test_two_harmonic_complexes_are_two_voices() -> None:
    one = ovl.pitch_frames(_harmonic(110.0))
    two = ovl.pitch_frames(_harmonic(110.0) + _harmonic(190.0, level=0.7))
    assert ovl.two_voice_frames(one).sum() == 0
    assert ovl.is_overlapped(*ovl.count_frames(one)) is False
    found = ovl.two_voice_frames(two)
    assert found.mean() > 0.8
    pitches = np.sort(np.stack([RATE / two.lag1[found], RATE / two.lag2[found]]), axis=0)
    assert np.median(pitches[0]) == pytest.approx(110.0, rel=0.04)
    assert np.median(pitches[1]) == pytest.approx(190.0, rel=0.04)
    assert ovl.is_overlapped(*ovl.count_frames(two))


def test_near_harmonic_pitches_are_one_voice() -> None:
    # 100 and 200 Hz: every partial of the upper tone is a partial of the lower one
    frames = ovl.pitch_frames(_harmonic(100.0) + _harmonic(200.0))
    assert ovl.two_voice_frames(frames).sum() == 0


def test_cache_matches_whole_windows(voices: tuple[np.ndarray, np.ndarray]) -> None:
    audio = _mix(*voices)[: 4 * RATE]
    cache = ovl.PitchFrameCache()
    for start in range(0, audio.size - 2 * RATE + 1, RATE // 2):
        cached = cache.window(audio[start:start + 2 * RATE], start)
        whole = ovl.pitch_frames(audio[start:start + 2 * RATE])
        np.testing.assert_allclose(cached.ratio, whole.ratio, rtol=1e-5)
        np.testing.assert_array_equal(cached.lag1, whole.lag1)


def test_real_two_speaker_mixture_is_flagged_and_each_alone_is_not(voices: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = voices
    for alone in (a, b):
        assert not any(ovl.is_overlapped(*c) for c in _window_counts(alone))
    mixed = [ovl.is_overlapped(*c) for c in _window_counts(_mix(a, b))]
    assert np.mean(mixed) >= 0.7, mixed


def test_ljspeech_is_not_flagged() -> None:
    rows = sorted(shared_rows("ljspeech_coqui"), key=lambda r: r["path"])[:4]
    if not rows:
        pytest.skip("LJSpeech files missing from the shared data")
    counts = [c for r in rows for c in _window_counts(load_speech(r["path"]))]
    assert sum(ovl.is_overlapped(*c) for c in counts) == 0


def _detect(tmp_path: Path, audio: np.ndarray) -> DetectorResult:
    loader = voice_loader(tmp_path)
    vad = SileroVad(loader.load("silero_vad").session)
    detector = VoiceSyntheticDetector(loader.load("voice_synthetic").session, vad)
    for w in windows(audio):
        detector.process_audio(w)
    return detector.result()


def test_detector_does_not_judge_overlapping_speakers(tmp_path: Path, voices: tuple[np.ndarray, np.ndarray]) -> None:
    result = _detect(tmp_path, _mix(*voices))
    assert result.status == "not_applicable"
    assert result.reason == "several speakers talk at once in most of the speech; the voice cannot be judged"
    assert result.details["windows_overlap"] >= 0.5 * (result.details["windows_overlap"] + result.details["windows_scored"])
    assert any(w.reason == "several speakers at once" for w in result.windows)


def test_detector_judges_one_speaker(tmp_path: Path, voices: tuple[np.ndarray, np.ndarray]) -> None:
    result = _detect(tmp_path, voices[0])
    assert result.status == "ok"
    assert result.details["windows_overlap"] == 0 and result.details["windows_scored"] > 5
