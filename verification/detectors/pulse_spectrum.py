"""Heart rate from pulse-wave spectra: segment spectra, harmonic-aware peak picking, standard SNR.

Skin-colour noise is not white: motion and compression put most of it at low frequencies, so
the raw spectrum's largest peak tends to sit where the noise is loudest, not where the pulse is.
Peaks are therefore judged against the local noise floor (a running median across frequency,
which a narrow pulse peak barely moves).

A blood-volume wave is not a sinusoid: it has a first harmonic at twice the heart rate, which can
outgrow a fundamental that sits in low-frequency noise. Noise peaks rarely bring a harmonic
with them. So candidates (local maxima) are ranked by their own level over the floor plus part
of the level at twice their frequency; a candidate at f/2 thereby collects the power of a peak
at f, which is how "the strongest peak is the harmonic" gets corrected. Without whitening this
sum would favour low candidates whose harmonic lands in the loud part of the noise. (rppg's
defaults leave the harmonic weight and the octave check off: see validate_pulse.py.)

SNR follows de Haan & Jeanne (IEEE TBME 2013): power within 0.1 Hz of the heart rate and within
0.2 Hz of its first harmonic, against the rest of the pulse band.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

FUNDAMENTAL_HALF_WIDTH_HZ = 0.1
HARMONIC_HALF_WIDTH_HZ = 0.2
OCTAVE_MIN_LEVEL = 3.0  # a peak at f/2 must stand 3x over the noise floor (noise seldom does) ...
OCTAVE_MIN_SHARE = 0.25  # ... and reach a quarter of f's level (a harmonic seldom outgrows it more)


def segment_spectra(x: np.ndarray, fs: float, segment_s: float, hop_s: float,
                    nfft: int = 2048) -> tuple[np.ndarray, np.ndarray, list[slice]]:
    """Hann-windowed power spectra of overlapping segments of the columns of `x` (T, C).

    Returns (freqs, (S, F, C), the sample slice of each segment). A record shorter than one
    segment is one segment. Averaging them is Welch's method; keeping them apart lets the
    caller weight or drop segments by their quality first.
    """
    x = np.asarray(x, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    size = min(max(int(round(segment_s * fs)), 8), len(x))
    hop = max(int(round(hop_s * fs)), 1)
    starts = list(range(0, len(x) - size + 1, hop))
    nfft = max(nfft, 1 << int(np.ceil(np.log2(size))))
    window = np.hanning(size)[None, :, None]
    segs = np.stack([x[s:s + size] for s in starts])
    segs = (segs - segs.mean(axis=1, keepdims=True)) * window
    spec = np.abs(np.fft.rfft(segs, nfft, axis=1)) ** 2
    return np.fft.rfftfreq(nfft, 1.0 / fs), spec, [slice(s, s + size) for s in starts]


def _near_max(freqs: np.ndarray, power: np.ndarray, centre: np.ndarray, half_width: float) -> np.ndarray:
    """Largest power within `half_width` Hz of each centre (F,) x (K,) -> (K,); 0 outside the axis."""
    near = np.abs(freqs[:, None] - centre[None, :]) <= half_width
    return np.where(near, power[:, None], 0.0).max(axis=0)


def noise_floor(freqs: np.ndarray, power: np.ndarray, width_hz: float) -> np.ndarray:
    """Running median of a spectrum (F,) over `width_hz`: the noise level a peak stands on."""
    k = max(int(round(width_hz / max(freqs[1] - freqs[0], 1e-9))) | 1, 3)
    return np.maximum(ndimage.median_filter(power, size=k, mode="nearest"), 1e-30)


def pick_pulse(freqs: np.ndarray, power: np.ndarray, lo: float, hi: float, harmonic_weight: float = 0.5,
               whiten_hz: float | None = 1.0, octave_check: bool = False) -> float:
    """Heart-rate frequency (Hz) in [lo, hi] of one spectrum (F,), harmonic-aware.

    The spectrum is divided by its noise floor (over `whiten_hz`; None keeps raw power). Each local
    maximum then scores its level plus `harmonic_weight` times the largest level within 0.2 Hz
    of twice its frequency (the pulse's first harmonic, which may lie above `hi`). With
    `octave_check` (whitened spectra only) the winner f gives way to a clear peak at f/2: the
    winner was then the harmonic of a real, weaker fundamental.
    """
    p = np.asarray(power, dtype=np.float64)
    if whiten_hz:
        p = p / noise_floor(freqs, p, whiten_hz)
    inside = np.flatnonzero((freqs >= lo) & (freqs <= hi))
    if len(inside) == 0:
        return float("nan")
    k = inside[(p[inside] >= p[np.maximum(inside - 1, 0)]) & (p[inside] >= p[np.minimum(inside + 1, len(p) - 1)])]
    if len(k) == 0:
        k = inside[[int(np.argmax(p[inside]))]]
    salience = p[k]
    if harmonic_weight:
        salience = salience + harmonic_weight * _near_max(freqs, p, 2.0 * freqs[k], HARMONIC_HALF_WIDTH_HZ)
    best = int(k[int(np.argmax(salience))])
    if octave_check and whiten_hz and freqs[best] / 2 >= lo:
        half = np.flatnonzero((np.abs(freqs - freqs[best] / 2) <= FUNDAMENTAL_HALF_WIDTH_HZ) & (freqs >= lo))
        top = int(half[np.argmax(p[half])])
        if p[top] >= max(OCTAVE_MIN_LEVEL, OCTAVE_MIN_SHARE * p[best]):
            best = top
    return float(freqs[best])


def pulse_snr_db(freqs: np.ndarray, power: np.ndarray, f0: float, lo: float, hi: float) -> float:
    """de Haan & Jeanne SNR (dB) of a spectrum (F,) at heart-rate frequency f0, over [lo, hi]."""
    band = (freqs >= lo) & (freqs <= hi)
    signal = band & ((np.abs(freqs - f0) <= FUNDAMENTAL_HALF_WIDTH_HZ)
                     | (np.abs(freqs - 2.0 * f0) <= HARMONIC_HALF_WIDTH_HZ))
    s = float(power[signal].sum())
    n = float(power[band & ~signal].sum())
    return 10.0 * np.log10((s + 1e-30) / (n + 1e-30))


def chance_snr_db(f0: float, lo: float, hi: float) -> float:
    """The SNR flat (white) noise alone gives at f0: the signal windows' share of the band.

    A reading near this value carries no pulse, whatever its heart rate says.
    """
    width = min(f0 + FUNDAMENTAL_HALF_WIDTH_HZ, hi) - max(f0 - FUNDAMENTAL_HALF_WIDTH_HZ, lo)
    width += max(min(2 * f0 + HARMONIC_HALF_WIDTH_HZ, hi) - max(2 * f0 - HARMONIC_HALF_WIDTH_HZ, lo), 0.0)
    share = width / (hi - lo)
    return 10.0 * np.log10(share / (1.0 - share))


def combine_spectra(freqs: np.ndarray, power: np.ndarray, lo: float, hi: float, search_hi: float,
                    harmonic_weight: float = 0.5, whiten_hz: float | None = 1.0,
                    octave_check: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SNR-weighted sum of spectra (F, C) normalised to unit power in [lo, hi].

    Returns (combined (F,), each column's heart rate in Hz (C,) picked in [lo, search_hi], each
    column's SNR in dB (C,)).
    A column with a clear pulse outvotes columns of noise; weights are linear SNR, floored so that
    no column is silenced outright by a noisy estimate of its own SNR.
    """
    band = (freqs >= lo) & (freqs <= hi)
    norm = power / np.maximum(power[band].sum(axis=0, keepdims=True), 1e-30)
    f0 = np.array([pick_pulse(freqs, norm[:, c], lo, search_hi, harmonic_weight, whiten_hz, octave_check)
                   for c in range(norm.shape[1])])
    snr = np.array([pulse_snr_db(freqs, norm[:, c], f, lo, hi) for c, f in enumerate(f0)])
    weight = np.clip(10.0 ** (snr / 10.0), 0.05, None)
    return (norm * weight).sum(axis=1) / weight.sum(), f0, snr
