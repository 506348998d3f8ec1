"""Remote photoplethysmography: pulse signals from skin colour traces (POS and CHROM) and heart rate.

Input traces are mean skin colours per region, (T, R, 3) in RGB order, on a uniform time grid.
POS: Wang, den Brinker, Stuijk, de Haan, "Algorithmic principles of remote PPG", IEEE TBME 2017.
CHROM: de Haan & Jeanne, "Robust pulse rate from chrominance-based rPPG", IEEE TBME 2013.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from verification.detectors.signal_tools import bandpass, peak_with_snr, power_spectra

PULSE_LO_HZ = 0.7  # 42 bpm
PULSE_HI_HZ = 4.0  # 240 bpm: the SNR band
SEARCH_HI_HZ = 3.0  # 180 bpm: where a seated caller's heart rate is looked for
_POS_PROJECTION = np.array([[0.0, 1.0, -1.0], [-2.0, 1.0, 1.0]])


def _overlap_add(h: np.ndarray, n: int) -> np.ndarray:
    """h: (N, R, l) short-window signals starting at 0..N-1 -> (n, R) summed."""
    windows, regions, length = h.shape
    out = np.zeros((n, regions))
    for k in range(length):  # l is ~24 samples: a short loop of vector adds
        out[k:k + windows] += h[:, :, k]
    return out


def _temporal_windows(rgb: np.ndarray, fs: float) -> np.ndarray:
    """(N, R, 3, l) windows of 1.6 s, each normalised by its own mean colour."""
    length = max(int(round(1.6 * fs)), 2)
    w = sliding_window_view(np.asarray(rgb, dtype=np.float64), length, axis=0)
    return w / np.maximum(w.mean(axis=-1, keepdims=True), 1e-6)


def pos(rgb: np.ndarray, fs: float) -> np.ndarray:
    """POS pulse signal per region: (T, R, 3) -> (T, R)."""
    if len(rgb) < max(int(round(1.6 * fs)), 2):
        return np.zeros(rgb.shape[:2])
    cn = _temporal_windows(rgb, fs)
    s = np.einsum("kc,nrcl->nrkl", _POS_PROJECTION, cn)
    s0, s1 = s[:, :, 0], s[:, :, 1]
    alpha = s0.std(axis=-1, keepdims=True) / np.maximum(s1.std(axis=-1, keepdims=True), 1e-9)
    h = s0 + alpha * s1
    h -= h.mean(axis=-1, keepdims=True)
    return _overlap_add(h, len(rgb))


def chrom(rgb: np.ndarray, fs: float) -> np.ndarray:
    """CHROM pulse signal per region, windowed like POS: (T, R, 3) -> (T, R)."""
    if len(rgb) < max(int(round(1.6 * fs)), 2):
        return np.zeros(rgb.shape[:2])
    cn = _temporal_windows(rgb, fs)
    x = 3.0 * cn[:, :, 0] - 2.0 * cn[:, :, 1]
    y = 1.5 * cn[:, :, 0] + cn[:, :, 1] - 1.5 * cn[:, :, 2]
    alpha = x.std(axis=-1, keepdims=True) / np.maximum(y.std(axis=-1, keepdims=True), 1e-9)
    h = x - alpha * y
    h -= h.mean(axis=-1, keepdims=True)
    return _overlap_add(h, len(rgb))


@dataclass(frozen=True)
class PulseReading:
    hr_bpm: float  # from the SNR-weighted spectra of all regions
    snr_db: float
    region_hr_bpm: tuple[float, ...]
    region_snr_db: tuple[float, ...]
    chrom_hr_bpm: float  # the same estimate from CHROM: a cross-check on POS
    coherence: float  # mean pairwise correlation of the regions' pulse waves (nan with one region)


def pulse_spectra(rgb: np.ndarray, fs: float, method: str = "pos") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Band-passed pulse waves (T, R) and their power spectra: (freqs, (F, R), waves)."""
    wave = pos(rgb, fs) if method == "pos" else chrom(rgb, fs)
    wave = bandpass(wave, fs, PULSE_LO_HZ, PULSE_HI_HZ, axis=0)
    freqs, spec = power_spectra(wave, fs)
    return freqs, spec, wave


def _combined(freqs: np.ndarray, spec: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
    f0, snr = peak_with_snr(freqs, spec, PULSE_LO_HZ, PULSE_HI_HZ, SEARCH_HI_HZ)
    band = (freqs >= PULSE_LO_HZ) & (freqs <= PULSE_HI_HZ)
    norm = spec / np.maximum(spec[band].sum(axis=0, keepdims=True), 1e-20)
    weight = np.clip(10.0 ** (snr / 10.0), 0.05, None)  # clearer regions count for more
    total = (norm * weight).sum(axis=1)
    cf, csnr = peak_with_snr(freqs, total, PULSE_LO_HZ, PULSE_HI_HZ, SEARCH_HI_HZ)
    return float(cf[0]) * 60.0, float(csnr[0]), f0 * 60.0, snr


def read_pulse(rgb: np.ndarray, fs: float) -> PulseReading:
    """Heart rate, SNR and spatial coherence from one window of traces (T, R, 3)."""
    freqs, spec, wave = pulse_spectra(rgb, fs, "pos")
    hr, snr, region_hr, region_snr = _combined(freqs, spec)
    cfreqs, cspec, _ = pulse_spectra(rgb, fs, "chrom")
    chrom_hr = _combined(cfreqs, cspec)[0]
    regions = wave.shape[1]
    coherence = float("nan")
    if regions > 1:
        c = np.corrcoef(wave.T)
        coherence = float(c[np.triu_indices(regions, 1)].mean())
    return PulseReading(hr, snr, tuple(float(v) for v in region_hr), tuple(float(v) for v in region_snr),
                        chrom_hr, coherence)


def long_recording_hr(rgb: np.ndarray, fs: float, window_s: float = 10.0, hop_s: float = 1.0) -> tuple[float, float]:
    """Mean heart rate over a whole recording: SNR-weighted sum of sliding-window spectra.

    Accumulating normalised spectra lets a pulse that is faint in each window still win over
    motion peaks that wander from window to window. Returns (hr_bpm, mean window snr_db).
    """
    n = len(rgb)
    size = int(round(window_s * fs))
    if n < size:
        reading = read_pulse(rgb, fs)
        return reading.hr_bpm, reading.snr_db
    _freqs, _spec, wave = pulse_spectra(rgb, fs, "pos")
    total: np.ndarray | None = None
    snrs = []
    freqs = np.zeros(0)
    band = np.zeros(0, dtype=bool)
    for start in range(0, n - size + 1, max(int(round(hop_s * fs)), 1)):
        freqs, spec = power_spectra(wave[start:start + size], fs)
        band = (freqs >= PULSE_LO_HZ) & (freqs <= PULSE_HI_HZ)
        _f0, snr = peak_with_snr(freqs, spec, PULSE_LO_HZ, PULSE_HI_HZ, SEARCH_HI_HZ)
        norm = spec / np.maximum(spec[band].sum(axis=0, keepdims=True), 1e-20)
        part = (norm * np.clip(10.0 ** (snr / 10.0), 0.05, None)).sum(axis=1)
        total = part if total is None else total + part
        snrs.append(float(np.mean(snr)))
    assert total is not None
    f0, _ = peak_with_snr(freqs, total, PULSE_LO_HZ, PULSE_HI_HZ, SEARCH_HI_HZ)
    return float(f0[0]) * 60.0, float(np.mean(snrs))
