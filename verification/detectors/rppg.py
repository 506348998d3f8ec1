"""Remote photoplethysmography: pulse waves from skin colour traces (POS and CHROM) and heart rate.

Input traces are mean skin colours per region, (T, R, 3) in RGB order, on a uniform time grid.
POS: Wang, den Brinker, Stuijk, de Haan, "Algorithmic principles of remote PPG", IEEE TBME 2017.
CHROM: de Haan & Jeanne, "Robust pulse rate from chrominance-based rPPG", IEEE TBME 2013.

Chain: colour jumps patched (trace_artifacts) -> POS and CHROM over 1.6 s windows, overlap-added
-> smoothness-priors detrending -> 0.7-4 Hz band-pass -> spectra (one per window; for long records
Welch-averaged over segments, each weighted by its share of steady frames) -> SNR-weighted sum
over regions and both methods -> the peak that stands highest over the local noise floor, with
optional harmonic support (pulse_spectrum). Confidence = SNR margin over chance x steady share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from verification.detectors.pulse_spectrum import (chance_snr_db, combine_spectra, pick_pulse, pulse_snr_db,
                                                   segment_spectra)
from verification.detectors.signal_tools import bandpass, detrend_smoothness, logistic
from verification.detectors.trace_artifacts import CleanTraces, reject_jumps

PULSE_LO_HZ = 0.7  # 42 bpm
PULSE_HI_HZ = 4.0  # 240 bpm: the band-pass and SNR band
SEARCH_HI_HZ = 3.0  # 180 bpm: where a seated caller's heart rate is looked for
WINDOW_S = 1.6  # POS/CHROM window (Wang et al.): at least one beat at the slowest rate in the band
DETREND_HZ = PULSE_LO_HZ / 2  # removes drifts well below the band without touching it
MIN_SEGMENT_WEIGHT = 0.05  # an unsteady segment still counts a little (see long_recording_hr)
_POS_PROJECTION = np.array([[0.0, 1.0, -1.0], [-2.0, 1.0, 1.0]])


@dataclass(frozen=True)
class RppgOptions:
    """Settings; the defaults are the ones models/face/validate_pulse.py chose on held-in subjects."""

    methods: tuple[str, ...] = ("pos", "chrom")
    reject_jumps: bool = True  # patch frames whose colour jumps (trace_artifacts)
    harmonic_weight: float = 0.0  # share of the first harmonic's level a candidate collects
    whiten_hz: float | None = 1.0  # noise-floor width peaks are judged against (None: raw power)
    octave_check: bool = False  # a clear peak at half the winner's rate is the heart rate
    segment_s: float = 10.0  # Welch segment for long records (0.1 Hz = 6 bpm resolution)
    equal_segment_votes: bool = True  # each segment's spectrum counts once: a loud burst cannot outvote
    pool_regions: bool = True  # long records: average all regions' colours before POS/CHROM


def _overlap_add(h: np.ndarray, n: int) -> np.ndarray:
    """h: (N, R, l) short-window signals starting at 0..N-1 -> (n, R) summed."""
    windows, regions, length = h.shape
    out = np.zeros((n, regions))
    for k in range(length):  # l is ~24 samples: a short loop of vector adds
        out[k:k + windows] += h[:, :, k]
    return out


def _temporal_windows(rgb: np.ndarray, fs: float) -> np.ndarray:
    """(N, R, 3, l) windows of 1.6 s, each normalised by its own mean colour."""
    length = max(int(round(WINDOW_S * fs)), 2)
    w = sliding_window_view(np.asarray(rgb, dtype=np.float64), length, axis=0)
    return w / np.maximum(w.mean(axis=-1, keepdims=True), 1e-6)


def pos(rgb: np.ndarray, fs: float) -> np.ndarray:
    """POS pulse signal per region: (T, R, 3) -> (T, R)."""
    if len(rgb) < max(int(round(WINDOW_S * fs)), 2):
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
    if len(rgb) < max(int(round(WINDOW_S * fs)), 2):
        return np.zeros(rgb.shape[:2])
    cn = _temporal_windows(rgb, fs)
    x = 3.0 * cn[:, :, 0] - 2.0 * cn[:, :, 1]
    y = 1.5 * cn[:, :, 0] + cn[:, :, 1] - 1.5 * cn[:, :, 2]
    alpha = x.std(axis=-1, keepdims=True) / np.maximum(y.std(axis=-1, keepdims=True), 1e-9)
    h = x - alpha * y
    h -= h.mean(axis=-1, keepdims=True)
    return _overlap_add(h, len(rgb))


def pulse_waves(rgb: np.ndarray, fs: float, method: str = "pos") -> np.ndarray:
    """Detrended, band-passed pulse waves (T, R) of already cleaned traces."""
    wave = pos(rgb, fs) if method == "pos" else chrom(rgb, fs)
    wave = detrend_smoothness(wave, fs, DETREND_HZ)
    return bandpass(wave, fs, PULSE_LO_HZ, PULSE_HI_HZ, axis=0)


def pulse_confidence(snr_db: float, hr_bpm: float, steady_fraction: float) -> float:
    """0-1: how far the SNR stands above what noise alone gives at that rate, times the steady share.

    Picking the largest of many noise peaks already lifts the SNR ~1.5 dB over chance; a pulse
    3 dB over chance is the midpoint.
    """
    if not np.isfinite(snr_db) or not np.isfinite(hr_bpm):
        return 0.0
    margin = snr_db - chance_snr_db(hr_bpm / 60.0, PULSE_LO_HZ, PULSE_HI_HZ)
    return float(logistic(margin, 3.0, 1.5)) * float(steady_fraction)


@dataclass(frozen=True)
class PulseReading:
    hr_bpm: float  # from the SNR-weighted spectra of all regions and both methods
    snr_db: float
    region_hr_bpm: tuple[float, ...]  # POS per region
    region_snr_db: tuple[float, ...]
    chrom_hr_bpm: float  # CHROM alone: a cross-check on the combined estimate
    coherence: float  # mean pairwise correlation of the regions' POS waves (nan with one region)
    steady_fraction: float  # share of frames whose colour moved no more than a pulse can
    confidence: float


def _estimate(freqs: np.ndarray, spec: np.ndarray, options: RppgOptions) -> tuple[float, float, np.ndarray, np.ndarray]:
    """(hr_bpm, snr_db, per-column hr_bpm, per-column snr_db) from spectra (F, C)."""
    peak = (options.harmonic_weight, options.whiten_hz, options.octave_check)
    total, col_f, col_snr = combine_spectra(freqs, spec, PULSE_LO_HZ, PULSE_HI_HZ, SEARCH_HI_HZ, *peak)
    f0 = pick_pulse(freqs, total, PULSE_LO_HZ, SEARCH_HI_HZ, *peak)
    return f0 * 60.0, pulse_snr_db(freqs, total, f0, PULSE_LO_HZ, PULSE_HI_HZ), col_f * 60.0, col_snr


def _traces(rgb: np.ndarray, fs: float, options: RppgOptions) -> tuple[np.ndarray, CleanTraces]:
    """The traces to analyse (jumps patched unless disabled) and the jump/steadiness masks."""
    clean = reject_jumps(rgb, fs)
    return (clean.rgb if options.reject_jumps else np.asarray(rgb, dtype=np.float64)), clean


def read_pulse(rgb: np.ndarray, fs: float, options: RppgOptions | None = None) -> PulseReading:
    """Heart rate, SNR and spatial coherence from one window of traces (T, R, 3): one spectrum each."""
    o = options or RppgOptions()
    traces, clean = _traces(rgb, fs, o)
    regions = traces.shape[1]
    waves = {m: pulse_waves(traces, fs, m) for m in ("pos", "chrom")}
    span = len(traces) / fs
    # 1024 bins (under 1 bpm apart) are ample for a window of seconds, and halve the peak search.
    freqs, spec, _ = segment_spectra(np.concatenate([waves["pos"], waves["chrom"]], axis=1), fs, span, span,
                                     nfft=1024)
    by_method = {"pos": spec[0][:, :regions], "chrom": spec[0][:, regions:]}
    hr, snr, col_hr, col_snr = _estimate(freqs, np.concatenate([by_method[m] for m in o.methods], axis=1), o)
    if "pos" in o.methods:  # each column's own peak does not depend on the others: reuse it
        k = o.methods.index("pos") * regions
        region_hr, region_snr = col_hr[k:k + regions], col_snr[k:k + regions]
    else:
        region_hr, region_snr = _estimate(freqs, by_method["pos"], o)[2:]
    chrom_hr = _estimate(freqs, by_method["chrom"], o)[0]
    coherence = float("nan")
    if regions > 1:
        c = np.corrcoef(waves["pos"].T)
        coherence = float(np.nanmean(c[np.triu_indices(regions, 1)]))
    steady = float(clean.steady_fraction.mean())
    return PulseReading(hr, snr, tuple(float(v) for v in region_hr), tuple(float(v) for v in region_snr),
                        chrom_hr, coherence, steady, pulse_confidence(snr, hr, steady))


@dataclass(frozen=True)
class RecordingReading:
    hr_bpm: float
    snr_db: float  # of the Welch-averaged, region-combined spectrum at hr_bpm
    steady_fraction: float  # share of frames whose colour moved no more than a pulse can
    confidence: float


def long_recording_hr(rgb: np.ndarray, fs: float, options: RppgOptions | None = None) -> RecordingReading:
    """Mean heart rate over a whole recording (T, R, 3) from Welch-averaged spectra.

    Averaging the spectra of 50 %-overlapping segments lets a pulse that is faint in each segment
    win over noise peaks that wander from segment to segment. Each segment counts by its share
    of steady frames, so stretches of motion or lighting change barely vote (a floor keeps a
    recording that is unsteady throughout answerable, with a confidence to match).
    """
    o = options or RppgOptions()
    rgb = np.asarray(rgb, dtype=np.float64)
    if o.pool_regions:  # one coherent average: noise that differs between regions partly cancels
        rgb = rgb.mean(axis=1, keepdims=True)
    traces, clean = _traces(rgb, fs, o)
    waves = np.concatenate([pulse_waves(traces, fs, m) for m in o.methods], axis=1)
    freqs, spec, slices = segment_spectra(waves, fs, o.segment_s, o.segment_s / 2)
    if o.equal_segment_votes:  # a loud burst cannot outvote the quiet segments
        band = (freqs >= PULSE_LO_HZ) & (freqs <= PULSE_HI_HZ)
        spec = spec / np.maximum(spec[:, band].sum(axis=1, keepdims=True), 1e-30)
    seg_steady = np.array([clean.steady[s].mean(axis=0) for s in slices])  # (S, R)
    weight = np.tile(np.maximum(seg_steady, MIN_SEGMENT_WEIGHT), (1, len(o.methods)))  # (S, C)
    welch = (spec * weight[:, None, :]).sum(axis=0) / weight.sum(axis=0)[None, :]
    hr, snr, _, _ = _estimate(freqs, welch, o)
    steady = float(clean.steady_fraction.mean())
    return RecordingReading(hr, snr, steady, pulse_confidence(snr, hr, steady))
