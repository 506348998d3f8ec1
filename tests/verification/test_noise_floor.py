"""noise_floor: the spread of frame levels tells clean speech from speech buried in noise, and
voice_synthetic declines to judge the latter instead of raising false alarms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verification.detectors.noise_floor import NOISY_BELOW_DB, LevelHistory, too_noisy
from verification.detectors.voice_synthetic import create

from .test_voice_support import RATE, load_speech, shared_rows, voice_loader, windows



def _white(speech: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).standard_normal(speech.size)
    noise *= np.sqrt(np.mean(speech ** 2) / np.mean(noise ** 2) / 10 ** (snr_db / 10))
    return (speech + noise).astype(np.float32)


@pytest.fixture(scope="module")
def clean_speech() -> np.ndarray:
    rows = sorted(shared_rows("ljspeech_coqui"), key=lambda r: r["path"])[:3]
    return np.concatenate([load_speech(r["path"]) for r in rows])[: 12 * RATE]


def _spreads(audio: np.ndarray) -> list[float]:
    history, out = LevelHistory(), []
    for w in windows(audio):
        history.add(w.samples, int(round(w.t0 * RATE)))
        spread = history.spread_db()
        if spread is not None:
            out.append(spread)
    return out


def test_clean_speech_spreads_wide_and_noisy_speech_does_not(clean_speech: np.ndarray) -> None:
    clean = _spreads(clean_speech)
    noisy10 = _spreads(_white(clean_speech, 10.0, 0))
    noisy25 = _spreads(_white(clean_speech, 25.0, 1))
    assert np.median(clean) > 30 and not any(map(too_noisy, clean)), clean
    assert np.mean([too_noisy(s) for s in noisy10]) > 0.8, noisy10
    assert np.median(noisy25) > NOISY_BELOW_DB and np.median(noisy25) < np.median(clean)


def test_hum_below_the_speech_band_does_not_count(clean_speech: np.ndarray) -> None:
    # Mains hum as loud as the voice: a listener (and the model) still hears the voice clearly.
    t = np.arange(clean_speech.size) / RATE
    hum = np.sqrt(2 * np.mean(clean_speech ** 2)) * np.sin(2 * np.pi * 50 * t)
    spreads = _spreads((clean_speech + hum).astype(np.float32))
    assert not any(map(too_noisy, spreads)), spreads


def test_overlapping_windows_count_each_frame_once(clean_speech: np.ndarray) -> None:
    audio = clean_speech[: 6 * RATE]
    whole = LevelHistory()
    whole.add(audio, 0)
    assert _spreads(audio)[-1] == pytest.approx(whole.spread_db())
    assert LevelHistory().spread_db() is None  # nothing seen yet: no claim either way


def test_voice_in_loud_noise_is_not_judged(tmp_path: Path, clean_speech: np.ndarray) -> None:
    loader = voice_loader(tmp_path)
    noisy = _white(clean_speech, 8.0, 2)
    detector = create(loader)
    for w in windows(noisy):
        detector.process_audio(w)
    result = detector.result()
    assert result.status == "not_applicable" and "too noisy" in (result.reason or ""), result.reason
    assert "dB above the background" in (result.reason or "")
    assert result.details["windows_noisy"] > 0.5 * (result.details["windows_noisy"] + result.details["windows_scored"])
    clean = create(loader)
    for w in windows(clean_speech):
        clean.process_audio(w)
    assert clean.result().status == "ok" and clean.result().details["windows_noisy"] == 0
