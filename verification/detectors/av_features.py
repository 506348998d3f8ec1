"""Audio-visual features on the vision thread: mouth opening from the mesh, a speech envelope and
a simple energy voice-activity cue from the call audio (`FrameAnalysis.read_audio`)."""

from __future__ import annotations

from collections import deque
from typing import Callable

import numpy as np

from verification.sources.base import INTERNAL_SAMPLE_RATE

UPPER_LIP_INNER, LOWER_LIP_INNER = 13, 14
LEFT_EYE_OUTER, RIGHT_EYE_OUTER = 33, 263
BIN_S = 0.02  # envelope resolution: 20 ms, finer than the 40-67 ms between analysed frames


def mouth_opening(mesh: np.ndarray) -> float:
    """Inner-lip gap over the eye-corner distance (scale-free; ~0 closed, ~0.3 wide open)."""
    gap = float(np.hypot(*(mesh[LOWER_LIP_INNER, :2] - mesh[UPPER_LIP_INNER, :2])))
    eyes = float(np.hypot(*(mesh[RIGHT_EYE_OUTER, :2] - mesh[LEFT_EYE_OUTER, :2])))
    return gap / max(eyes, 1e-6)


class SpeechEnvelope:
    """Log energy of 20 ms bins of the call audio, read incrementally and kept for `keep_s`.

    Reads only forwards, in whole bins, so each sample is fetched once. Bins the ring could not
    supply (all exact zeros: not yet captured or already dropped) are marked invalid.
    """

    def __init__(self, keep_s: float = 8.0, sample_rate: int = INTERNAL_SAMPLE_RATE, keep_raw: bool = False) -> None:
        self.rate = sample_rate
        self.bin = int(round(BIN_S * sample_rate))
        n = int(keep_s / BIN_S) + 1
        self._t: deque[float] = deque(maxlen=n)
        self._e: deque[float] = deque(maxlen=n)
        self._valid: deque[bool] = deque(maxlen=n)
        # The samples themselves, per bin, when a recogniser must hear what was said.
        self._raw: deque[np.ndarray] | None = deque(maxlen=n) if keep_raw else None
        self._cursor: float | None = None
        self._keep_s = keep_s

    @property
    def end_t(self) -> float:
        return self._cursor if self._cursor is not None else 0.0

    def read_until(self, read_audio: Callable[[float, float], np.ndarray], upto: float) -> None:
        if self._cursor is None:
            self._cursor = max(0.0, upto - self._keep_s)
            self._cursor = round(self._cursor / BIN_S) * BIN_S
        n = int(np.floor((upto - self._cursor) / BIN_S + 1e-9))
        if n <= 0:
            return
        start = self._cursor
        samples = np.asarray(read_audio(start, start + n * BIN_S), dtype=np.float32).reshape(-1)
        need = n * self.bin
        if len(samples) < need:
            samples = np.pad(samples, (0, need - len(samples)))
        self._append(start, samples[:need].reshape(n, self.bin))

    def catch_up(self, read_audio: Callable[[float, float], np.ndarray], now: float, behind_s: float,
                 ahead_max_s: float = 32.0) -> None:
        """Read up to `now - behind_s` (holes and all), then whatever real audio already exists
        beyond it, stopping at the first bin the ring cannot supply yet.

        Reading ahead matters for recordings: the audio worker runs ahead of the vision worker
        and the ring drops audio it has finished with, so audio must be taken while it is there.
        Live, the look-ahead finds nothing after the first probe and costs one short read.
        """
        self.read_until(read_audio, now - behind_s)
        span = 1.0
        while span <= ahead_max_s:
            start = self.end_t
            n = min(int(round(span / BIN_S)), int((now + ahead_max_s - start) / BIN_S))
            if n <= 0:
                return
            samples = np.asarray(read_audio(start, start + n * BIN_S), dtype=np.float32).reshape(-1)
            samples = np.pad(samples, (0, max(0, n * self.bin - len(samples))))[:n * self.bin]
            valid = np.any(samples.reshape(n, self.bin) != 0.0, axis=1)
            k = n if valid.all() else int(np.argmin(valid))
            if k:
                self._append(start, samples[:k * self.bin].reshape(k, self.bin))
            if k < n:
                return
            span *= 2.0

    def _append(self, start: float, bins: np.ndarray) -> None:
        emph = bins[:, 1:] - 0.97 * bins[:, :-1]  # pre-emphasis: voiced speech over hum and rumble
        energy = np.log(np.mean(emph.astype(np.float64) ** 2, axis=1) + 1e-9)
        n = len(bins)
        self._t.extend(start + (np.arange(n) + 0.5) * BIN_S)
        self._e.extend(energy)
        self._valid.extend(np.any(bins != 0.0, axis=1))
        if self._raw is not None:
            self._raw.extend(np.array(bins, dtype=np.float32))
        self._cursor = start + n * BIN_S

    def samples_between(self, t0: float, t1: float) -> np.ndarray:
        """The kept samples of bins centred in [t0, t1) (empty unless made with keep_raw)."""
        if self._raw is None or not self._raw:
            return np.zeros(0, np.float32)
        t = np.asarray(self._t)
        picked = [self._raw[i] for i in np.flatnonzero((t >= t0) & (t < t1))]
        return np.concatenate(picked) if picked else np.zeros(0, np.float32)

    def on_grid(self, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Envelope interpolated at `grid` times, and whether each point had real audio."""
        if not self._t:
            return np.zeros(len(grid)), np.zeros(len(grid), dtype=bool)
        t = np.asarray(self._t)
        e = np.asarray(self._e)
        ok = np.asarray(self._valid)
        floor = np.percentile(e[ok], 5) if ok.any() else 0.0
        e = np.where(ok, e, floor)  # invalid bins must not look like loud clicks or deep silence
        idx = np.clip(np.searchsorted(t, grid), 0, len(t) - 1)
        inside = (grid >= t[0] - BIN_S) & (grid <= t[-1] + BIN_S)
        return np.interp(grid, t, e), ok[idx] & inside

    def speech_fraction(self, t0: float, t1: float, above: float = 3.0) -> float:
        """Share of valid bins in [t0, t1) louder than the recent floor by `above` (natural log)."""
        if not self._t:
            return 0.0
        t = np.asarray(self._t)
        e = np.asarray(self._e)
        ok = np.asarray(self._valid)
        if not ok.any():
            return 0.0
        floor = float(np.percentile(e[ok], 10))
        sel = (t >= t0) & (t < t1) & ok
        return float(np.mean(e[sel] > floor + above)) if sel.any() else 0.0

    def first_speech_after(self, t0: float, above: float = 3.0, min_s: float = 0.2) -> float | None:
        """Start of the first run of at least `min_s` of speech-loud bins at or after `t0`."""
        if not self._t:
            return None
        t = np.asarray(self._t)
        e = np.asarray(self._e)
        ok = np.asarray(self._valid)
        if not ok.any():
            return None
        loud = (e > float(np.percentile(e[ok], 10)) + above) & ok & (t >= t0)
        need = max(int(round(min_s / BIN_S)), 1)
        run = np.convolve(loud.astype(np.int32), np.ones(need, dtype=np.int32), mode="valid")
        hits = np.flatnonzero(run >= need)
        return float(t[hits[0]] - 0.5 * BIN_S) if len(hits) else None
