"""Frames where mean skin colour jumps (motion, a region slipping off the skin, an exposure step).

A heartbeat changes skin colour by well under 1 %, smoothly; a tracked region that slides onto
hair or background, or an automatic-exposure step, changes it by several percent from one frame
to the next. Two checks, each against the local median of the trace (about one beat long):

- outliers: a robust z-score (median and MAD, so jumps cannot hide by inflating the scale) flags
  frames that stand out from their own trace; they are replaced by the local median, so a spike
  cannot ring through the band-pass into the pulse band;
- steadiness: a frame whose chromaticity (colour with brightness divided out, which POS/CHROM
  cannot cancel) moves more than a pulse ever could, from its neighbourhood or from the frame
  before, is unsteady. A trace that is unsteady
  throughout has no outliers relative to itself, yet carries no readable pulse: the steady share
  lowers a reading's confidence instead of letting the noise produce a confident number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

MODIFIED_Z = 3.5  # Iglewicz & Hoaglin's cut for the modified z-score 0.6745 * |x - median| / MAD
LOCAL_SPAN_S = 1.0  # the neighbourhood a frame is compared with: shorter than a slow drift, about a beat
MAX_PULSE_CHROMA = 0.02  # a pulse moves skin chromaticity by a few tenths of a percent; 2 % is not a pulse


@dataclass(frozen=True)
class CleanTraces:
    rgb: np.ndarray  # (T, R, 3): outlier frames replaced by the local median
    bad: np.ndarray  # (T, R) bool: outlier frames, per region
    steady: np.ndarray  # (T, R) bool: chromaticity within what a pulse can move
    steady_fraction: np.ndarray  # (R,)


def reject_jumps(rgb: np.ndarray, fs: float, z: float = MODIFIED_Z) -> CleanTraces:
    """Find and patch colour jumps in traces (T, R, 3) sampled at `fs`; measure steadiness."""
    rgb = np.asarray(rgb, dtype=np.float64)
    size = max(int(round(LOCAL_SPAN_S * fs)) | 1, 3)  # odd, so the median is centred
    if len(rgb) < size:
        ones = np.ones(rgb.shape[:2], bool)
        return CleanTraces(rgb, ~ones, ones, np.ones(rgb.shape[1]))
    log = np.log(np.maximum(rgb, 1e-3))
    local = ndimage.median_filter(log, size=(size, 1, 1), mode="nearest")
    dev = log - local
    centre = np.median(dev, axis=0, keepdims=True)
    mad = np.median(np.abs(dev - centre), axis=0, keepdims=True)
    # Floor the scale at 0.1 % colour: quantised, very steady traces would otherwise flag noise.
    bad = (0.6745 * np.abs(dev - centre) / np.maximum(mad, 1e-3) > z).any(axis=2)
    # Chromaticity: log colour minus log brightness. Unsteady = far from the local median (a
    # sustained excursion) or far from the previous frame (flicker between two states).
    away = np.abs(dev - dev.mean(axis=2, keepdims=True)).max(axis=2)
    chroma = log - log.mean(axis=2, keepdims=True)
    step = np.abs(np.diff(chroma, axis=0, prepend=chroma[:1])).max(axis=2)
    steady = (away <= MAX_PULSE_CHROMA) & (step <= MAX_PULSE_CHROMA)
    cleaned = np.where(bad[..., None], np.exp(local), rgb)
    return CleanTraces(cleaned, bad, steady, steady.mean(axis=0))
