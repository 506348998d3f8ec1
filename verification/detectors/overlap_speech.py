"""Overlapping speech: do two voices sound at once? Multi-pitch analysis by joint cancellation.

A voiced frame of one talker is periodic, so a comb filter x(t) - x(t + T) at its period T removes
most of it. With two talkers one comb leaves the second voice behind, and a second comb at that
voice's own period removes most of what is left (de Cheveigne's cancellation model of concurrent
vowels). Per 10 ms frame of low-passed audio:

1. the YIN difference function d(T) gives the best single period T1 (and two runner-up dips);
2. the residual u = x(t) - x(t + T1) gets its own difference function; its deepest dip at a lag
   T2 that is no simple multiple or fraction of T1 (those are the same voice) and not within 15 %
   of it is the second-voice candidate;
3. the frame has two voices when the double cancellation leaves under R_MAX of what the best single
   one left, and a neighbouring frame found the same pair of periods (a real voice's pitch moves
   smoothly; chance dips of one voice's leftovers do not line up from frame to frame).

A 2 s window is overlapped when at least MIN_TWO_VOICE (5) of its loud voiced frames hold two
voices. Read speech overlaps in voicing only part of the time (pauses, unvoiced sounds, pitches in
near-harmonic ratio, which no periodicity method can split), so even true overlap yields few such
frames. Pitch needs ~10 Hz resolution, which the 31 Hz bins of the synthetic-voice log-mel front end
do not have, so this module frames the samples itself; like SpoofFrameCache it reuses the frames
already computed for the previous overlapping window. Cost per engine window (2 s every 0.5 s):
~2.1-2.4 ms CPU with the cache (5-7 ms for a window computed whole); 2-5 ms wall on two busy cores.

Measured through VoiceSyntheticDetector (Silero-VAD-gated windows). Thresholds were picked on half
of the 226 LibriSpeech speakers; the other half is speaker-disjoint. Mixtures: two different
speakers of one half, equal-RMS then offset by a uniform 0..+-6 dB, two pairings per half.
  held-out half   single speakers: 13 of 2313 windows (0.6 %), 0 of 113 files not judged
                  mixtures: 1144 of 1875 windows (61 %), 79 of 112 files not judged (71 %)
  picking half    single 11 of 2315 windows (0.5 %), 0 of 113 files; mixtures 59 % / 64 %
  LJSpeech 0 of 359 windows (0 of 32 files); GRID 0 of 31 (0 of 11); FSDD digits joined per
  speaker 0 of 238 (their creaky word endings motivated TWO_VOICE_DB, so not a blind test)
  synthetic single voices (2 s windows, no VAD): espeak-ng 0 of 112, Griffin-Lim 2 of 209, LPC
  0 of 209 (vocoded LibriSpeech); no file reaches the call-level share
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.fft import irfft, rfft

from verification.detectors.audio_features import SAMPLE_RATE

HOP = 160  # 10 ms between frames
WIN = 320  # 20 ms integration window: speech pitch is steady enough over this
MIN_LAG, MAX_LAG = 40, 228  # periods of 400 Hz .. 70 Hz (below 70 Hz: hum and creak)
SPAN = WIN + 2 * MAX_LAG  # the double comb looks up to two periods ahead
NFFT = 576  # >= WIN + MAX_LAG (548): correlations without wrap-around; 2^6 * 9 is FFT-friendly
CUTOFF_HZ = 1500.0  # resolved, steady harmonics; above this jitter spoils cancellation
TAPS = 41
CANDIDATES = 3  # first-comb periods tried (the deepest dip can fall between two voices' periods)
SAME_VOICE_RATIOS = (1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4, 4 / 3, 3 / 2, 2, 3, 4)
RATIO_TOL = 0.04
NEAR_LOG = 0.15  # periods within 15 % of each other: one gliding voice, not two
TRACK_LOG = 0.08  # a neighbour frame "finds the same pair" within 8 %
D1_MIN, D1_MAX = 0.08, 0.6  # one comb leaves something behind, but the frame is periodic at all
R_MAX = 0.28  # double-comb residual / single-comb residual for a two-voice frame
QUIET_DB = 25.0  # frames this far below the window's loud frames are not counted as voiced
# Two voices add up, so overlapped frames are among a window's loudest (98 % within 10 dB of its
# 95th percentile in the calibration mixtures); single-voice false alarms sit in fading word
# endings and creak, mostly lower.
TWO_VOICE_DB = 10.0
MIN_VOICED = 10  # frames (100 ms) of voicing needed to judge a window
MIN_TWO_VOICE = 5  # two-voice frames (50 ms) that make a 2 s window overlapped


def _lowpass_taps() -> np.ndarray:
    n = np.arange(TAPS) - TAPS // 2
    taps = np.sinc(2 * CUTOFF_HZ / SAMPLE_RATE * n) * np.hamming(TAPS)
    return (taps / taps.sum()).astype(np.float32)


def _same_voice_lags() -> np.ndarray:
    """(lag a, lag b) -> True where b is a multiple, fraction or near copy of a."""
    lags = np.arange(MAX_LAG + 1, dtype=np.float64)
    ratio = lags[None, :] / np.maximum(lags[:, None], 1.0)
    table = np.abs(np.log(np.maximum(ratio, 1e-6))) < NEAR_LOG
    for r in SAME_VOICE_RATIOS:
        table |= np.abs(ratio / r - 1.0) < RATIO_TOL
    return table


_TAPS = _lowpass_taps()
_SAME_VOICE = _same_voice_lags()  # constant lookup table, never modified


def _difference(y: np.ndarray) -> np.ndarray:
    """Normalised YIN difference per row: sum over WIN of (y[t] - y[t+T])^2 over the energy of both
    stretches, for T = 0..MAX_LAG (0 = identical, ~1 = unrelated). y: (frames, >= WIN + MAX_LAG)."""
    head = rfft(y[:, :WIN], NFFT)
    body = rfft(y[:, :WIN + MAX_LAG], NFFT)
    cross = irfft(np.conj(head) * body, NFFT)[:, :MAX_LAG + 1]
    cum = np.concatenate([np.zeros((y.shape[0], 1), y.dtype), np.cumsum(y[:, :WIN + MAX_LAG] ** 2, axis=1)], 1)
    shifted = cum[:, WIN:WIN + MAX_LAG + 1] - cum[:, :MAX_LAG + 1]
    base = shifted[:, :1]
    return (base + shifted - 2 * cross) / (base + shifted + 1e-12)


def _dips(d: np.ndarray) -> np.ndarray:
    """True at interior local minima within [MIN_LAG, MAX_LAG] (an edge value is no period)."""
    dip = np.zeros(d.shape, dtype=bool)
    dip[:, 1:-1] = (d[:, 1:-1] < d[:, :-2]) & (d[:, 1:-1] <= d[:, 2:])
    dip[:, :MIN_LAG + 1] = False
    return dip


@dataclass
class PitchFrames:
    """Per-frame measures; rows are 10 ms frames."""

    energy: np.ndarray  # low-passed energy of the frame's integration window
    d1: np.ndarray  # best single-comb residual (inf: no period found)
    ratio: np.ndarray  # best double-comb residual / d1 (inf: no second voice candidate)
    lag1: np.ndarray  # the periods of that best pair, in samples
    lag2: np.ndarray

    def __getitem__(self, index: slice) -> PitchFrames:
        return PitchFrames(self.energy[index], self.d1[index], self.ratio[index], self.lag1[index], self.lag2[index])

    @staticmethod
    def concat(parts: list[PitchFrames]) -> PitchFrames:
        return PitchFrames(*(np.concatenate([getattr(p, k) for p in parts])
                             for k in ("energy", "d1", "ratio", "lag1", "lag2")))

    def __len__(self) -> int:
        return int(self.energy.size)


def frame_count(n_samples: int) -> int:
    need = SPAN + TAPS - 1
    return 0 if n_samples < need else 1 + (n_samples - need) // HOP


def pitch_frames(samples: np.ndarray) -> PitchFrames:
    """16 kHz samples -> frames every HOP; frame k covers samples [k HOP, k HOP + SPAN + TAPS - 1)."""
    x = np.ascontiguousarray(samples, dtype=np.float32)
    n = frame_count(x.size)
    if n == 0:
        empty = np.zeros(0, np.float32)
        return PitchFrames(empty, empty, empty, np.zeros(0, np.int64), np.zeros(0, np.int64))
    y = np.convolve(x, _TAPS, mode="valid").astype(np.float32)
    seg = np.lib.stride_tricks.as_strided(y, (n, SPAN), (y.strides[0] * HOP, y.strides[0]), writeable=False)
    d = _difference(seg)
    energy = np.sum(seg[:, :WIN] ** 2, axis=1)
    scored = np.where(_dips(d), d, np.inf)
    order = np.argsort(scored, axis=1)[:, :CANDIDATES]
    depth = np.take_along_axis(scored, order, axis=1)
    d1 = depth[:, 0]
    ratio = np.full(n, np.inf, dtype=np.float32)
    lag1, lag2 = order[:, 0].copy(), np.zeros(n, dtype=np.int64)
    # Only periodic frames with something left after one comb can hold a second voice.
    rows = np.flatnonzero((d1 > D1_MIN) & (d1 < D1_MAX) & (energy > 1e-7))
    if rows.size:
        reach = np.arange(WIN + MAX_LAG)
        for j in range(CANDIDATES):
            a = order[rows, j]
            usable = np.isfinite(depth[rows, j])
            residual = seg[rows, :WIN + MAX_LAG] - np.take_along_axis(seg[rows], reach[None, :] + a[:, None], axis=1)
            d2 = _difference(residual)
            d2 = np.where(_dips(d2) & ~_SAME_VOICE[a], d2, np.inf)
            b = np.argmin(d2, axis=1)
            # residual of x after both combs, relative to the best single comb
            r = d2[np.arange(rows.size), b] * depth[rows, j] / d1[rows]
            better = usable & (r < ratio[rows])
            ratio[rows[better]] = r[better]
            lag1[rows[better]], lag2[rows[better]] = a[better], b[better]
    return PitchFrames(energy.astype(np.float32), d1.astype(np.float32), ratio, lag1, lag2)


def two_voice_frames(frames: PitchFrames) -> np.ndarray:
    """Frames with a second voice whose pair of periods a neighbouring frame also found."""
    cand = (frames.d1 > D1_MIN) & (frames.d1 < D1_MAX) & (frames.ratio < R_MAX)
    a = np.log(np.maximum(frames.lag1, 1).astype(np.float64))
    b = np.log(np.maximum(frames.lag2, 1).astype(np.float64))
    tracked = np.zeros_like(cand)
    for k in (1, -1):  # compare with the next and the previous frame
        lo, hi = (slice(None, -k), slice(k, None)) if k > 0 else (slice(-k, None), slice(None, k))
        same = (np.abs(a[lo] - a[hi]) < TRACK_LOG) & (np.abs(b[lo] - b[hi]) < TRACK_LOG)
        swap = (np.abs(a[lo] - b[hi]) < TRACK_LOG) & (np.abs(b[lo] - a[hi]) < TRACK_LOG)
        tracked[lo] |= cand[hi] & (same | swap)
    return cand & tracked


def count_frames(frames: PitchFrames) -> tuple[int, int]:
    """(two-voice frames, voiced frames) among a window's loud frames."""
    if len(frames) == 0:
        return 0, 0
    top = np.percentile(frames.energy, 95)
    voiced = (frames.energy > top * 10 ** (-QUIET_DB / 10)) & (frames.d1 < D1_MAX)
    strong = frames.energy > top * 10 ** (-TWO_VOICE_DB / 10)
    return int(np.sum(two_voice_frames(frames) & voiced & strong)), int(voiced.sum())


def is_overlapped(two_voice: int, voiced: int) -> bool:
    return voiced >= MIN_VOICED and two_voice >= MIN_TWO_VOICE


class PitchFrameCache:
    """Pitch frames of overlapping windows, each absolute 10 ms frame computed once.

    Engine windows (2 s every 0.5 s) start on the 10 ms grid, so most of a window's frames were
    computed for the previous one. A window off the grid or not continuing the cached stretch is
    computed whole; results equal pitch_frames of the window either way.
    """

    def __init__(self) -> None:
        self._start = 0  # absolute frame index of the first cached frame
        self._frames = pitch_frames(np.zeros(0, np.float32))

    def window(self, samples: np.ndarray, start_sample: int) -> PitchFrames:
        count = frame_count(samples.size)
        first = start_sample // HOP
        cached_end = self._start + len(self._frames)
        if start_sample % HOP or not self._start <= first <= cached_end:
            self._start, self._frames = first, pitch_frames(samples)
            return self._frames
        have = self._frames[first - self._start:][:count]
        if len(have) < count:
            new = pitch_frames(samples[len(have) * HOP:])[:count - len(have)]
            have = PitchFrames.concat([have, new])
        self._start, self._frames = first, have
        return have
