"""Vocoder resynthesis of real utterances: the matched-pair spoofs.

Each function maps a real 16 kHz utterance to a synthetic version of the same words, speaker and
recording, so within a pair the only difference is the synthesis. These stand in for what voice
conversion and neural vocoders leave behind: lost or invented phase (Griffin-Lim), a smooth
source-filter model (WORLD, optionally with pitch and formant shifts as voice conversion does)
and a parametric pulse/noise excitation (LPC).
"""

from __future__ import annotations

import librosa
import numpy as np
from scipy.signal import lfilter

from voicetrain.audio_io import RATE


def griffin_lim(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mel spectrogram (as TTS acoustic models output) -> Griffin-Lim phase reconstruction."""
    n_fft = int(rng.choice([800, 1024]))
    hop = int(rng.choice([160, 200, 256]))
    n_mels = int(rng.choice([64, 80]))
    mel = librosa.feature.melspectrogram(y=x, sr=RATE, n_fft=n_fft, hop_length=hop, n_mels=n_mels, power=1.0)
    # Pseudo-inverse instead of librosa's NNLS mel inversion: 30x faster, same kind of smearing.
    basis = librosa.filters.mel(sr=RATE, n_fft=n_fft, n_mels=n_mels)
    magnitude = np.maximum(0.0, np.linalg.pinv(basis) @ mel)
    y = librosa.griffinlim(magnitude, n_iter=int(rng.integers(8, 32)), hop_length=hop, n_fft=n_fft)
    return _fit_length(y.astype(np.float32), x.size)


def world(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """WORLD analysis/synthesis; half the time with a conversion-like pitch and formant shift,
    and half the time through a coded (smoothed) spectral envelope as parametric TTS does."""
    import pyworld  # training-only dependency; the other vocoders need numpy and librosa only

    xd = x.astype(np.float64)
    period = float(rng.choice([5.0, 10.0]))
    f0, t = pyworld.dio(xd, RATE, frame_period=period)
    f0 = pyworld.stonemask(xd, f0, t, RATE)
    sp = pyworld.cheaptrick(xd, f0, t, RATE)
    ap = pyworld.d4c(xd, f0, t, RATE)
    if rng.random() < 0.5:
        f0 = f0 * rng.uniform(0.8, 1.25)
        sp = _warp_envelope(sp, rng.uniform(0.9, 1.1))
    if rng.random() < 0.5:
        coded = pyworld.code_spectral_envelope(sp, RATE, int(rng.choice([40, 60])))
        sp = pyworld.decode_spectral_envelope(np.ascontiguousarray(coded), RATE, (sp.shape[1] - 1) * 2)
    y = pyworld.synthesize(f0, sp, ap, RATE, frame_period=period)
    return _fit_length(y.astype(np.float32), x.size)


def _warp_envelope(sp: np.ndarray, alpha: float) -> np.ndarray:
    bins = np.arange(sp.shape[1], dtype=np.float64)
    src = np.clip(bins / alpha, 0, sp.shape[1] - 1)
    return np.ascontiguousarray(np.stack([np.interp(src, bins, row) for row in sp]))


def lpc(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Classic LPC vocoder: per 10 ms frame an all-pole filter driven by a pulse train (voiced)
    or noise (unvoiced), gain-matched to the residual, overlap-added."""
    order = int(rng.integers(12, 21))
    hop, win = RATE // 100, int(RATE * 0.03)
    xd = x.astype(np.float64)
    f0 = pitch_track(xd, hop, win)
    window = np.hanning(win)
    out = np.zeros(x.size + win)
    phase = 0.0
    noise_mix = rng.uniform(0.0, 0.15)  # some vocoders add breath noise to voiced frames
    for k, start in enumerate(range(0, max(1, x.size - win), hop)):
        frame = xd[start:start + win] * window
        if not np.any(frame):
            continue
        a = _lpc_coefficients(frame, order)
        residual = lfilter(a, [1.0], frame)
        gain = np.sqrt(np.mean(residual ** 2) + 1e-12)
        pitch = f0[min(k, f0.size - 1)]
        if pitch > 0:
            excitation = np.zeros(win)
            period = RATE / pitch
            pos = phase
            while pos < win:
                excitation[int(pos)] = 1.0
                pos += period
            phase = (pos - hop) % period
            excitation = excitation / (np.sqrt(np.mean(excitation ** 2)) + 1e-12)
            excitation = (1 - noise_mix) * excitation + noise_mix * rng.standard_normal(win)
        else:
            excitation = rng.standard_normal(win)
        out[start:start + win] += lfilter([gain], a, excitation) * window
    y = out[: x.size] / 1.5  # Hann^2 overlap at 1/3 hop sums to ~1.5
    return y.astype(np.float32)


def pitch_track(x: np.ndarray, hop: int, win: int, fmin: float = 70.0, fmax: float = 400.0) -> np.ndarray:
    """Per-frame f0 (0 = unvoiced) by normalised autocorrelation: numpy only, so the tests can
    make LPC spoofs without pyworld."""
    lo, hi = int(RATE / fmax), int(RATE / fmin)
    out = []
    for start in range(0, max(1, x.size - win), hop):
        frame = x[start:start + win] - x[start:start + win].mean()
        energy = float(np.dot(frame, frame))
        if energy < 1e-8 or frame.size < hi + 1:
            out.append(0.0)
            continue
        spec = np.fft.rfft(frame, 2 * frame.size)
        ac = np.fft.irfft(np.abs(spec) ** 2)[: hi + 2] / energy
        seg = ac[lo:hi + 1]
        # Only local maxima count: the slope down from lag 0 is not a period.
        peaks = np.flatnonzero((seg[1:-1] > seg[:-2]) & (seg[1:-1] >= seg[2:])) + 1
        if peaks.size == 0:
            out.append(0.0)
            continue
        lag = lo + int(peaks[np.argmax(seg[peaks])])
        out.append(RATE / lag if ac[lag] > 0.45 else 0.0)
    return np.array(out)


def _lpc_coefficients(frame: np.ndarray, order: int) -> np.ndarray:
    r = np.correlate(frame, frame, "full")[frame.size - 1: frame.size + order]
    r[0] *= 1.0 + 1e-6  # white-noise correction keeps the recursion stable
    a = np.zeros(order + 1)
    a[0] = 1.0
    err = r[0] + 1e-12
    for i in range(1, order + 1):
        k = -(r[i] + np.dot(a[1:i], r[i - 1:0:-1])) / err
        a[1:i] = a[1:i] + k * a[i - 1:0:-1]
        a[i] = k
        err *= 1.0 - k * k
        if err <= 0:
            break
    return a


def _fit_length(y: np.ndarray, n: int) -> np.ndarray:
    return y[:n] if y.size >= n else np.pad(y, (0, n - y.size))


VOCODERS = {"griffin_lim": griffin_lim, "world": world, "lpc": lpc}
