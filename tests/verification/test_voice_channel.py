"""Call-channel simulation (training and evaluation) yields valid, aligned audio."""

from __future__ import annotations

import numpy as np
import pytest

from .test_voice_support import RATE  # noqa: F401  (puts models/voice on sys.path)

from voicetrain.channel import CONDITIONS, apply_condition, random_chain  # noqa: E402


def _speechlike(seconds: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = 120 + 20 * np.sin(2 * np.pi * 0.5 * t)
    voiced = sum(np.sin(2 * np.pi * k * np.cumsum(f0) / RATE) / k for k in range(1, 20))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    return (0.1 * voiced * envelope + 0.005 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.mark.parametrize("condition", CONDITIONS)
def test_each_condition_gives_valid_audio(condition: str) -> None:
    x = _speechlike()
    y = apply_condition(x, condition, np.random.default_rng(1))
    assert y.dtype == np.float32 and y.shape == x.shape
    assert np.all(np.isfinite(y)) and np.max(np.abs(y)) <= 1.0
    assert np.sqrt(np.mean(y ** 2)) > 1e-3  # not silenced
    if condition not in ("noise10", "loss10", "quiet_clip", "reverb"):
        # codecs keep the waveform (after delay compensation) close to the input's shape
        assert np.corrcoef(x, y)[0, 1] > 0.8


def test_narrowband_removes_the_upper_band() -> None:
    x = np.random.default_rng(2).standard_normal(RATE * 2).astype(np.float32) * 0.1
    for condition in ("nb8k", "g711"):
        y = apply_condition(x, condition, np.random.default_rng(0))
        spectrum = np.abs(np.fft.rfft(y)) ** 2
        freqs = np.fft.rfftfreq(y.size, 1 / RATE)
        assert spectrum[freqs > 4500].sum() < 0.01 * spectrum[freqs < 3500].sum()


def test_random_chains_are_seeded_and_valid() -> None:
    x = _speechlike(2.5)
    labels = set()
    for seed in range(12):
        y, label = random_chain(x, np.random.default_rng(seed))
        y2, label2 = random_chain(x, np.random.default_rng(seed))
        assert label == label2 and np.array_equal(y, y2)
        assert y.shape == x.shape and np.all(np.isfinite(y)) and np.max(np.abs(y)) <= 1.0
        labels.add(label)
    assert len(labels) > 3  # several different call paths
