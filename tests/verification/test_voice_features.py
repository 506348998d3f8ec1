"""The numpy feature front ends: identical to librosa's definitions, and slice-consistent."""

from __future__ import annotations

import librosa
import numpy as np
import scipy.signal

from verification.detectors.audio_features import (SPOOF_HOP, mel_filterbank, normalize_window, power_spectrum,
                                                   spoof_log_mel, window_frames)
from verification.detectors.speaker_embedding import HOP, N_FFT, N_MELS, WIN


def test_mel_filterbank_matches_librosa() -> None:
    for n_mels, fmin, fmax in ((40, 0.0, 8000.0), (80, 20.0, 8000.0)):
        ours = mel_filterbank(16_000, 512, n_mels, fmin, fmax)
        ref = librosa.filters.mel(sr=16_000, n_fft=512, n_mels=n_mels, fmin=fmin, fmax=fmax).T
        np.testing.assert_allclose(ours, ref, atol=1e-7)


def test_speaker_features_match_the_embedder_recipe() -> None:
    x = np.random.default_rng(1).standard_normal(16_000).astype(np.float32) * 0.1
    ref = librosa.feature.melspectrogram(y=x, sr=16_000, n_fft=N_FFT, win_length=WIN, hop_length=HOP,
                                         n_mels=N_MELS, window="hamming", center=False, power=2.0)
    window = scipy.signal.get_window("hamming", WIN, fftbins=True).astype(np.float32)
    ours = power_spectrum(x, N_FFT, WIN, HOP, window) @ mel_filterbank(16_000, N_FFT, N_MELS, 0.0, 8000.0)
    np.testing.assert_allclose(np.log10(ours + 1e-10), np.log10(ref.T + 1e-10), atol=1e-4)


def test_frames_of_a_slice_equal_frames_of_the_whole() -> None:
    # Training cuts windows out of utterance-level features; inference computes them per window.
    x = np.random.default_rng(2).standard_normal(48_000).astype(np.float32)
    whole = spoof_log_mel(x)
    start = 37  # frames
    part = spoof_log_mel(x[start * SPOOF_HOP:start * SPOOF_HOP + 32_000])
    assert part.shape == (window_frames(2.0), 80) == (197, 80)
    np.testing.assert_allclose(part, whole[start:start + 197], atol=1e-5)


def test_normalize_window_removes_level_and_channel_tilt() -> None:
    x = np.random.default_rng(3).standard_normal(32_000).astype(np.float32)
    a = normalize_window(spoof_log_mel(x * 0.5))
    b = normalize_window(spoof_log_mel(x * 0.05))
    np.testing.assert_allclose(a.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(a, b, atol=0.02)


def test_short_input_gives_no_frames() -> None:
    assert spoof_log_mel(np.zeros(100, np.float32)).shape == (0, 80)
