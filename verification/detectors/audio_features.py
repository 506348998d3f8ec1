"""Spectral features in plain numpy, shared by training (models/voice) and inference.

The synthetic-voice model is trained on exactly these arrays: training code imports this module,
so a change here changes the model's input and needs retraining (the feature version is recorded
in the model card). No librosa at run time: its import costs seconds and we need two functions.
"""

from __future__ import annotations

import numpy as np
# scipy's FFT keeps float32 and is 2-5x faster than numpy's on these frame batches
from scipy.fft import rfft
from scipy.sparse import csr_matrix

SAMPLE_RATE = 16_000

#: synthetic-voice model front end: 32 ms Hann frames every 10 ms, 80 mel bands 20 Hz-8 kHz
SPOOF_N_FFT = 512
SPOOF_HOP = 160
SPOOF_N_MELS = 80
SPOOF_FMIN = 20.0
SPOOF_FMAX = 8_000.0
LOG_FLOOR = 1e-6
#: the model input: 80 log-mel bands, then 80 bands of phase coherence (see phase_coherence)
SPOOF_N_FEATURES = 2 * SPOOF_N_MELS
PHASE_LOOKBACK = 2  # frames phase coherence needs before the current one
FEATURE_VERSION = "logmel80-cmn+ifcoh80-v2"


def frame_signal(samples: np.ndarray, frame_len: int, hop: int) -> np.ndarray:
    """(n,) -> (frames, frame_len) view without padding (frames start at multiples of hop)."""
    x = np.ascontiguousarray(samples, dtype=np.float32)
    if x.size < frame_len:
        return np.zeros((0, frame_len), dtype=np.float32)
    count = 1 + (x.size - frame_len) // hop
    return np.lib.stride_tricks.as_strided(x, (count, frame_len), (x.strides[0] * hop, x.strides[0]),
                                           writeable=False)


def power_spectrum(samples: np.ndarray, n_fft: int, win_length: int, hop: int,
                   window: np.ndarray) -> np.ndarray:
    """|rfft|^2 of windowed frames; a window shorter than n_fft is centred with zeros on both sides
    (as librosa does), so features match the speaker embedder's training recipe."""
    frames = frame_signal(samples, n_fft, hop)
    if win_length < n_fft:
        padded = np.zeros(n_fft, dtype=np.float32)
        left = (n_fft - win_length) // 2
        padded[left:left + win_length] = window
        window = padded
    spectrum = rfft(frames * window.astype(np.float32), n=n_fft, axis=1)
    return (spectrum.real ** 2 + spectrum.imag ** 2).astype(np.float32)


def _hz_to_mel_slaney(hz: np.ndarray) -> np.ndarray:
    # Slaney's auditory toolbox scale: linear below 1 kHz, logarithmic above.
    hz = np.asarray(hz, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(hz >= min_log_hz, min_log_mel + np.log(np.maximum(hz, 1e-9) / min_log_hz) / logstep,
                    hz / f_sp)


def _mel_to_hz_slaney(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(mel >= min_log_mel, min_log_hz * np.exp(logstep * (mel - min_log_mel)), f_sp * mel)


def mel_filterbank(sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """(n_fft // 2 + 1, n_mels) triangular filters on the Slaney mel scale, area-normalised
    (the same definition as librosa.filters.mel's defaults, which the speaker embedder used)."""
    fft_freqs = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    mel_points = np.linspace(_hz_to_mel_slaney(np.array(fmin)), _hz_to_mel_slaney(np.array(fmax)), n_mels + 2)
    hz_points = _mel_to_hz_slaney(mel_points)
    widths = np.diff(hz_points)
    ramps = hz_points[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (hz_points[2:] - hz_points[:-2]))[:, None]
    return weights.T.astype(np.float32)


class MelBank:
    """A (bins, bands) filterbank kept sparse: a mel band covers a handful of FFT bins, so the
    product costs a tenth of a dense one, with no BLAS (a threaded BLAS waiting for a busy core
    took ~10 ms a product)."""

    def __init__(self, weights: np.ndarray) -> None:
        self.bands = int(weights.shape[1])
        self._bands_by_bins = csr_matrix(weights.T.astype(np.float32))

    def apply(self, power: np.ndarray) -> np.ndarray:
        """power (frames, bins) -> (frames, bands)."""
        return np.ascontiguousarray((self._bands_by_bins @ power.T).T)


def spoof_filterbank() -> MelBank:
    return MelBank(mel_filterbank(SAMPLE_RATE, SPOOF_N_FFT, SPOOF_N_MELS, SPOOF_FMIN, SPOOF_FMAX))


def spoof_log_mel(samples: np.ndarray, filterbank: MelBank | None = None) -> np.ndarray:
    """16 kHz float32 samples -> (frames, 80) natural-log mel energies, frames every 10 ms.

    Frame k covers samples [160 k, 160 k + 512), so frames cut from a long utterance equal the
    frames of a window that starts on a 10 ms boundary (training slices utterances this way).
    """
    fb = spoof_filterbank() if filterbank is None else filterbank
    power = power_spectrum(samples, SPOOF_N_FFT, SPOOF_N_FFT, SPOOF_HOP, np.hanning(SPOOF_N_FFT + 1)[:-1])
    return np.log(fb.apply(power) + LOG_FLOOR).astype(np.float32)


def _spoof_spectrum(samples: np.ndarray) -> np.ndarray:
    frames = frame_signal(samples, SPOOF_N_FFT, SPOOF_HOP)
    return rfft(frames * np.hanning(SPOOF_N_FFT + 1)[:-1].astype(np.float32), axis=1)


def _coherence(spectrum: np.ndarray, power: np.ndarray, fb: MelBank) -> np.ndarray:
    out = np.zeros((spectrum.shape[0], fb.bands), dtype=np.float32)
    if spectrum.shape[0] <= PHASE_LOOKBACK:
        return out
    unit = spectrum / (np.sqrt(power) + 1e-12)
    second = (unit[2:] * np.conj(unit[1:-1]) ** 2 * unit[:-2]).real.astype(np.float32)
    weight = np.minimum(np.minimum(power[2:], power[1:-1]), power[:-2])
    out[PHASE_LOOKBACK:] = fb.apply(second * weight) / (fb.apply(weight) + 1e-10)
    return out


def phase_coherence(samples: np.ndarray, filterbank: MelBank | None = None) -> np.ndarray:
    """16 kHz float32 samples -> (frames, 80) phase coherence per mel band, frames as spoof_log_mel.

    For each bin, the cosine of the second difference of the STFT phase over three frames: a steady
    partial advances its phase at a constant rate, so the value is near 1; random phase averages 0.
    Vocoders that rebuild phase (Griffin-Lim) or excite a filter with pulses (LPC, WORLD) break that
    regularity in ways the log magnitude does not show. Pooled into the mel bands, weighted by the
    smallest power of the three frames, so steady harmonics dominate (the weighting lifts white
    noise to about 0.35; Griffin-Lim from a mel spectrogram falls to about 0.1 above 1 kHz, real
    speech stays near 0.4). The first two frames have no look-back and are 0.
    """
    fb = spoof_filterbank() if filterbank is None else filterbank
    spectrum = _spoof_spectrum(samples)
    return _coherence(spectrum, (spectrum.real ** 2 + spectrum.imag ** 2).astype(np.float32), fb)


def spoof_features(samples: np.ndarray, filterbank: MelBank | None = None) -> np.ndarray:
    """(frames, 160): spoof_log_mel beside phase_coherence (the synthetic-voice model's input),
    from one STFT."""
    fb = spoof_filterbank() if filterbank is None else filterbank
    spectrum = _spoof_spectrum(samples)
    power = (spectrum.real ** 2 + spectrum.imag ** 2).astype(np.float32)
    log_mel = np.log(fb.apply(power) + LOG_FLOOR).astype(np.float32)
    return np.concatenate([log_mel, _coherence(spectrum, power, fb)], axis=1)


def normalize_window(feats: np.ndarray) -> np.ndarray:
    """Per-band mean removal and one overall scale per window, for the log-mel bands.

    Mean removal cancels fixed channel colouring (microphone, codec tilt, level), which differs
    between corpora more than between bona fide and synthetic speech; the model must look at
    spectro-temporal detail instead. Phase coherence (columns 80-159, when present) is already
    level-free and its mean is the signal, so it is kept as is, except its first frames, which a
    window computed on its own lacks the look-back for.
    """
    log_mel = feats[:, :SPOOF_N_MELS]
    centred = log_mel - log_mel.mean(axis=0, keepdims=True)
    scale = float(centred.std()) + 1e-3
    mel = (centred / scale).astype(np.float32)
    if feats.shape[1] == SPOOF_N_MELS:
        return mel
    phase = feats[:, SPOOF_N_MELS:].astype(np.float32).copy()
    phase[:PHASE_LOOKBACK] = 0.0
    return np.concatenate([mel, phase], axis=1)


def window_frames(seconds: float) -> int:
    """Frames the spoof front end yields for a window of `seconds` at 16 kHz."""
    n = int(round(seconds * SAMPLE_RATE))
    return 0 if n < SPOOF_N_FFT else 1 + (n - SPOOF_N_FFT) // SPOOF_HOP


class SpoofFrameCache:
    """spoof_features frames of overlapping windows, computed once per absolute 10 ms frame.

    Engine windows (2 s every 0.5 s) start on the 10 ms frame grid, so three quarters of each
    window's frames were already computed for the previous one. After normalize_window, results
    equal those of spoof_features on the window (only the first frames' phase differs, and it is
    zeroed there); a window off the grid, or not continuing the cached stretch, is computed whole.
    """

    def __init__(self) -> None:
        self._fb = spoof_filterbank()
        self._start = 0  # absolute frame index of self._frames[0]
        self._frames = np.zeros((0, SPOOF_N_FEATURES), dtype=np.float32)

    def window(self, samples: np.ndarray, start_sample: int) -> np.ndarray:
        count = 0 if samples.size < SPOOF_N_FFT else 1 + (samples.size - SPOOF_N_FFT) // SPOOF_HOP
        first = start_sample // SPOOF_HOP
        cached_end = self._start + self._frames.shape[0]
        if start_sample % SPOOF_HOP or not self._start <= first <= cached_end:
            self._start, self._frames = first, spoof_features(samples, self._fb)
            return self._frames
        have = self._frames[first - self._start:]
        have = have[:count]
        missing = count - have.shape[0]
        if missing > 0:
            back = min(PHASE_LOOKBACK, have.shape[0])  # earlier frames, so phase has its look-back
            offset = (have.shape[0] - back) * SPOOF_HOP
            new = spoof_features(samples[offset:], self._fb)[back:back + missing]
            have = np.concatenate([have, new])
        self._start, self._frames = first, have
        return have
