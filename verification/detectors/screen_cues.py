"""Cues that a face is shown on a screen or print and filmed again: moire and refresh flicker."""

from __future__ import annotations

import cv2
import numpy as np

from verification.detectors.signal_tools import power_spectra

FLICKER_MIN_HZ = 3.5  # above any pulse or breathing; below it head motion dominates
_HANN_2D = np.outer(np.hanning(64), np.hanning(64)).astype(np.float32)


def _radius_grid(n: int = 64) -> np.ndarray:
    f = np.fft.fftfreq(n) * n
    return np.hypot(f[:, None], f[None, : n // 2 + 1])


_RADIUS = _radius_grid()


def moire_score(patch: np.ndarray) -> float:
    """Peak-to-median power (dB) of the face texture's high spatial frequencies (64 x 64 grey).

    Natural skin texture and sensor noise spread their power; a display's pixel grid beating
    with the camera's makes a few isolated peaks. Pure noise gives about 10-12 dB.
    """
    g = patch.astype(np.float32)
    g = g - cv2.GaussianBlur(g, (0, 0), 2.0)  # keep fine texture only
    spec = np.abs(np.fft.rfft2(g * _HANN_2D)) ** 2
    ring = spec[(_RADIUS >= 10) & (_RADIUS <= 30)]
    return float(10.0 * np.log10((ring.max() + 1e-9) / (np.median(ring) + 1e-9)))


def flicker_snr_db(luma: np.ndarray, fps: float) -> float:
    """Strongest line above FLICKER_MIN_HZ in the face brightness, over the rest of that band (dB)."""
    if len(luma) < 16 or fps <= 2 * FLICKER_MIN_HZ:
        return float("nan")
    freqs, spec = power_spectra(np.asarray(luma, dtype=np.float64), fps, nfft=256)
    band = (freqs >= FLICKER_MIN_HZ) & (freqs < 0.5 * fps - 0.2)
    p = spec[band, 0]
    if p.size < 4 or p.sum() <= 0:
        return float("nan")
    k = int(np.argmax(p))
    near = np.abs(np.arange(p.size) - k) <= 2
    return float(10.0 * np.log10((p[near].sum() + 1e-12) / (p[~near].mean() * near.sum() + 1e-12)))
