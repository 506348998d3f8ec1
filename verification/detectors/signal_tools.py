"""Small signal helpers shared by the video detectors: resampling, filtering, spectra, correlation.

All functions are pure and vectorised over a leading or trailing axis; none keeps state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal


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


@dataclass(frozen=True)
class SpectralPeak:
    freq_hz: float
    snr_db: float  # power near the peak and its harmonic over the rest of the analysis band


def power_spectra(x: np.ndarray, fs: float, nfft: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Hann-windowed power spectra of the columns of `x` (T, R): (freqs, (F, R))."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    x = (x - x.mean(axis=0)) * np.hanning(len(x))[:, None]
    nfft = max(nfft, 1 << int(np.ceil(np.log2(len(x)))))
    spec = np.abs(np.fft.rfft(x, nfft, axis=0)) ** 2
    return np.fft.rfftfreq(nfft, 1.0 / fs), spec


def peak_with_snr(freqs: np.ndarray, power: np.ndarray, lo: float, hi: float,
                  search_hi: float | None = None, half_width: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Per column of `power` (F, R): the peak frequency in [lo, search_hi] and its SNR (dB) in [lo, hi].

    SNR follows de Haan & Jeanne (2013): power within `half_width` Hz of the peak and of its first
    harmonic, against everything else in the band.
    """
    search_hi = hi if search_hi is None else search_hi
    p = power if power.ndim == 2 else power[:, None]
    band = (freqs >= lo) & (freqs <= hi)
    search = (freqs >= lo) & (freqs <= search_hi)
    # Harmonic summation: a pulse wave has a visible first harmonic, most noise does not.
    harmonic = np.clip(np.searchsorted(freqs, 2.0 * freqs), 0, len(freqs) - 1)
    salience = p + 0.5 * p[harmonic]
    peak = np.argmax(np.where(search[:, None], salience, -np.inf), axis=0)
    f0 = freqs[peak]
    near = (np.abs(freqs[:, None] - f0[None, :]) <= half_width) | (np.abs(freqs[:, None] - 2 * f0[None, :]) <= half_width)
    sig = (p * (near & band[:, None])).sum(axis=0)
    noise = (p * (~near & band[:, None])).sum(axis=0)
    snr = 10.0 * np.log10((sig + 1e-20) / (noise + 1e-20))
    return f0, snr


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
