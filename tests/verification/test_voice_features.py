"""The numpy feature front ends: identical to librosa's definitions, and slice-consistent."""

from __future__ import annotations

import librosa
import numpy as np
import scipy.signal

from verification.detectors.audio_features import (SPOOF_HOP, SPOOF_N_FEATURES, SpoofFrameCache, mel_filterbank,
                                                   normalize_window, phase_coherence, power_spectrum, spoof_features,
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


def test_cached_windows_equal_windows_computed_whole() -> None:
    # The detector reuses frames between overlapping windows; the model must see the same input.
    x = np.random.default_rng(4).standard_normal(6 * 16_000).astype(np.float32) * 0.1
    cache = SpoofFrameCache()
    for k in range(8):
        start = k * 8_000
        window = x[start:start + 32_000]
        cached, whole = normalize_window(cache.window(window, start)), normalize_window(spoof_features(window))
        assert cached.shape == (197, SPOOF_N_FEATURES)
        np.testing.assert_allclose(cached, whole, atol=1e-5)


def test_phase_coherence_drops_when_real_speech_gets_rebuilt_phase() -> None:
    # Resynthesis from an 80-band mel spectrogram by Griffin-Lim, as the training's griffin_lim
    # family (and mel-based voice conversion) does: the phase is rebuilt, the magnitudes nearly kept.
    from .test_voice_support import load_speech, shared_rows

    rows = sorted(shared_rows("librispeech_resemblyzer"), key=lambda r: r["path"])[:3]
    assert rows, "LibriSpeech files missing from the shared data"
    for row in rows:
        speech = load_speech(row["path"])[: 4 * 16_000]
        mel = librosa.feature.melspectrogram(y=speech, sr=16_000, n_fft=1024, hop_length=200, n_mels=80, power=1.0)
        rebuilt = librosa.feature.inverse.mel_to_audio(mel, sr=16_000, n_fft=1024, hop_length=200, power=1.0,
                                                       n_iter=16)[: speech.size].astype(np.float32)
        real, fake = phase_coherence(speech), phase_coherence(rebuilt)
        n = min(len(real), len(fake))
        level = spoof_log_mel(speech)[:n, 10:40].mean(axis=1)
        voiced = level > np.median(level)  # the louder half of the frames: speech, not pauses
        real, fake = real[:n][voiced, 40:], fake[:n][voiced, 40:]
        assert real.mean() > fake.mean() + 0.1, row["path"]
