"""Small signal helpers shared by the video detectors: resampling, filtering, spectra, correlation.

All functions are pure and vectorised over a leading or trailing axis; none keeps state.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, signal


def logistic(x: float | np.ndarray, centre: float, width: float) -> float | np.ndarray:
    """Smooth step from 0 to 1: 0.5 at `centre`, about 0.12/0.88 one `width` either side."""
    z = np.clip((np.asarray(x, dtype=np.float64) - centre) / max(width, 1e-9), -30.0, 30.0)
    out = 1.0 / (1.0 + np.exp(-2.0 * z))
    return float(out) if np.ndim(out) == 0 else out


def resample_uniform(t: np.ndarray, x: np.ndarray, fs: float, t0: float | None = None,
                     t1: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation of samples `x` (T, ...) taken at times `t` onto a grid at `fs` Hz.

    The analysed frame rate jitters (newest-frame-wins, dropped frames), spectra need a grid.
    """
    t = np.asarray(t, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    start = t[0] if t0 is None else t0
    stop = t[-1] if t1 is None else t1
    n = max(int(np.floor((stop - start) * fs + 1e-9)) + 1, 0)
    grid = start + np.arange(n) / fs
    flat = x.reshape(len(t), -1)
    out = np.empty((n, flat.shape[1]))
    for k in range(flat.shape[1]):  # a handful of columns (colour channels x regions)
        out[:, k] = np.interp(grid, t, flat[:, k])
    return grid, out.reshape((n,) + x.shape[1:])


def bandpass(x: np.ndarray, fs: float, lo: float, hi: float, axis: int = 0, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth band-pass (phase matters for lip-sync lags and pulse coherence)."""
    hi = min(hi, 0.45 * fs)
    sos = signal.butter(order, [lo, hi], btype="bandpass", fs=fs, output="sos")
    padlen = min(3 * (2 * len(sos) + 1), x.shape[axis] - 1)
    return np.asarray(signal.sosfiltfilt(sos, x, axis=axis, padlen=max(padlen, 0)))


def lowpass(x: np.ndarray, fs: float, cutoff: float, axis: int = 0, order: int = 2) -> np.ndarray:
    sos = signal.butter(order, min(cutoff, 0.45 * fs), btype="lowpass", fs=fs, output="sos")
    padlen = min(3 * (2 * len(sos) + 1), x.shape[axis] - 1)
    return np.asarray(signal.sosfiltfilt(sos, x, axis=axis, padlen=max(padlen, 0)))


def power_spectra(x: np.ndarray, fs: float, nfft: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Hann-windowed power spectra of the columns of `x` (T, R): (freqs, (F, R))."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    x = (x - x.mean(axis=0)) * np.hanning(len(x))[:, None]
    nfft = max(nfft, 1 << int(np.ceil(np.log2(len(x)))))
    spec = np.abs(np.fft.rfft(x, nfft, axis=0)) ** 2
    return np.fft.rfftfreq(nfft, 1.0 / fs), spec


def detrend_smoothness(x: np.ndarray, fs: float, cutoff_hz: float) -> np.ndarray:
    """Smoothness-priors detrending (Tarvainen et al., IEEE TBME 2002) of the columns of `x` (T, ...).

    Subtracts the trend z that minimises |x - z|^2 + lam^2 |D2 z|^2; it acts as a zero-phase
    high-pass with gain 1/2 at `cutoff_hz` (lam = (fs / (2 pi cutoff))^2). Unlike a
    Butterworth it has no start-up transient, so large slow drifts do not leak into short windows.
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if n < 5:
        return x - x.mean(axis=0)
    lam = (fs / (2.0 * np.pi * cutoff_hz)) ** 2
    c = np.array([1.0, -2.0, 1.0])  # one row of the second-difference operator D2
    d0, d1 = np.zeros(n), np.zeros(n - 1)
    for k in range(3):
        d0[k:k + n - 2] += c[k] ** 2
    for k in range(2):
        d1[k:k + n - 2] += c[k] * c[k + 1]
    ab = np.zeros((3, n))  # I + lam^2 D2'D2 in upper banded form
    ab[0, 2:] = lam ** 2 * c[0] * c[2]
    ab[1, 1:] = lam ** 2 * d1
    ab[2] = 1.0 + lam ** 2 * d0
    flat = x.reshape(n, -1)
    trend = linalg.solveh_banded(ab, flat)
    return (flat - trend).reshape(x.shape)


def sliding_xcorr(a: np.ndarray, b: np.ndarray, max_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlation of a[t] with b[t + lag] for lag in [-max_lag, max_lag], on the overlap.

    A positive best lag means `b` happens later than `a`.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = min(len(a), len(b))
    lags = np.arange(-max_lag, max_lag + 1)
    out = np.full(len(lags), np.nan)
    for i, lag in enumerate(lags):  # <= ~200 lags of short vectors: cheap and exact per overlap
        lo, hi = max(0, -lag), min(n, n - lag)
        if hi - lo < 8:
            continue
        x, y = a[lo:hi], b[lo + lag:hi + lag]
        xs, ys = x.std(), y.std()
        if xs > 1e-12 and ys > 1e-12:
            out[i] = float(np.mean((x - x.mean()) * (y - y.mean())) / (xs * ys))
    return lags, out
