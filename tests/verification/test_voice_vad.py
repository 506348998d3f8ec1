"""VAD gating over overlapping engine windows: each sample once, in order; speech by time."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from verification.detectors.vad import CHUNK, CONTEXT, HANGOVER_CHUNKS, SileroVad, SpeechTracker

from .test_voice_support import RATE, load_speech, shared_rows, silence, voice_loader, windows


@dataclass
class _Node:
    name: str


@dataclass
class FakeVadSession:
    """Speech probability 0.9 for loud chunks, 0.05 otherwise; records what it was fed."""

    fed: list[np.ndarray] = field(default_factory=list)

    def get_inputs(self) -> list[_Node]:
        return [_Node("input"), _Node("state"), _Node("sr")]

    def run(self, _outputs: object, feeds: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        x = feeds["input"]
        assert x.shape == (1, CHUNK + CONTEXT) and feeds["state"].shape == (2, 1, 128)
        self.fed.append(x[0, CONTEXT:].copy())
        prob = 0.9 if np.sqrt(np.mean(x[0, CONTEXT:] ** 2)) > 0.01 else 0.05
        return np.array([[prob]], np.float32), feeds["state"]


def _burst(before: float, speech: float, after: float) -> np.ndarray:
    loud = (0.1 * np.sin(2 * np.pi * 200 * np.arange(int(speech * RATE)) / RATE)).astype(np.float32)
    return np.concatenate([silence(before), loud, silence(after)])


def test_each_sample_is_classified_once_in_order() -> None:
    session = FakeVadSession()
    tracker = SpeechTracker(SileroVad(session))
    audio = _burst(1.0, 3.0, 2.0)
    for w in windows(audio):
        tracker.update(w)
    fed = np.concatenate(session.fed)
    assert fed.size == (audio.size // CHUNK) * CHUNK
    np.testing.assert_array_equal(fed, audio[:fed.size])


def test_speech_fraction_and_seconds_follow_the_burst() -> None:
    tracker = SpeechTracker(SileroVad(FakeVadSession()))
    audio = _burst(2.0, 3.0, 3.0)
    for w in windows(audio):
        tracker.update(w)
    assert tracker.speech_fraction(0.0, 2.0) == 0.0
    assert tracker.speech_fraction(2.5, 4.5) > 0.95
    assert 0.4 < tracker.speech_fraction(1.0, 3.0) < 0.6
    hangover = HANGOVER_CHUNKS * CHUNK / RATE
    assert tracker.speech_seconds == pytest.approx(3.0 + hangover, abs=0.07)
    assert tracker.first_speech_s == pytest.approx(2.0, abs=0.04)


def test_a_jump_forward_restarts_the_stream() -> None:
    session = FakeVadSession()
    tracker = SpeechTracker(SileroVad(session))
    audio = _burst(0.5, 2.0, 0.5)
    for w in windows(audio):
        tracker.update(w)
    before = len(session.fed)
    for w in windows(audio, start_s=100.0):  # e.g. the capture lost 97 s
        tracker.update(w)
    assert len(session.fed) == 2 * before
    assert tracker.speech_fraction(100.6, 102.4) > 0.9


def test_wrong_rate_is_refused() -> None:
    with pytest.raises(ValueError):
        SpeechTracker(SileroVad(FakeVadSession()), sample_rate=8_000)


def test_silero_on_real_speech_and_silence(tmp_path: Path) -> None:
    loader = voice_loader(tmp_path)
    rows = shared_rows("ljspeech_coqui")
    speech = load_speech(rows[0]["path"])
    audio = np.concatenate([silence(2.0), speech, silence(2.0)])
    tracker = SpeechTracker(SileroVad(loader.load("silero_vad").session))
    for w in windows(audio):
        tracker.update(w)
    mid = 2.0 + speech.size / RATE / 2
    assert tracker.speech_fraction(0.0, 1.9) < 0.1
    assert tracker.speech_fraction(mid - 1.0, mid + 1.0) > 0.6
    assert 0.6 * speech.size / RATE < tracker.speech_seconds < speech.size / RATE + 0.5
