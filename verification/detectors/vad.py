"""Silero VAD (ONNX) run over the engine's overlapping audio windows.

Windows overlap (2 s every 0.5 s), so the tracker remembers up to which absolute sample it has
run the VAD and feeds only new samples: each sample is classified once, in order, which the
recurrent model needs. Per-chunk decisions are kept for a bounded span so a window can ask
"how much of me is speech?".
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from verification.detectors.evidence import AudioWindow
from verification.errors import ModelError

VAD_RATE = 16_000
CHUNK = 512  # samples per decision (32 ms): the only chunk size Silero v5 takes at 16 kHz
CONTEXT = 64  # Silero v5 expects the last 64 samples of the previous chunk in front of each chunk
ONSET = 0.5  # probability that starts speech
OFFSET = 0.35  # probability below which speech ends (hysteresis against flicker)
HANGOVER_CHUNKS = 3  # keep ~100 ms after the last speech chunk: word endings are quiet
KEEP_S = 12.0  # decisions older than this are forgotten (windows never look further back)


@dataclass(frozen=True)
class ChunkDecision:
    start: int  # absolute sample index of the chunk's first sample
    prob: float
    speech: bool


class SileroVad:
    """One recurrent VAD stream. Not thread-safe: owned by one detector, like the detector."""

    def __init__(self, session: Any) -> None:
        names = {i.name for i in session.get_inputs()}
        if not {"input", "state", "sr"} <= names:
            raise ModelError(f"silero_vad: unexpected inputs {sorted(names)} (want input, state, sr)")
        self._session = session
        self._sr = np.array(VAD_RATE, dtype=np.int64)
        self.reset()

    def reset(self) -> None:
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)

    def probs(self, samples: np.ndarray) -> np.ndarray:
        """Speech probability of each 512-sample chunk of `samples` (a whole number of chunks), in
        order; advances the recurrent state. Each model input is a view into one buffer: the
        graph is tiny, so per-chunk copies would be a visible share of its cost."""
        if samples.size % CHUNK:
            raise ValueError(f"the VAD takes whole {CHUNK}-sample chunks, got {samples.size} samples")
        buffer = np.concatenate([self._context, samples.astype(np.float32, copy=False)])[None, :]
        out = np.empty(samples.size // CHUNK, dtype=np.float32)
        run, feeds = self._session.run, {"state": self._state, "sr": self._sr}
        for k in range(out.size):
            feeds["input"] = buffer[:, k * CHUNK:k * CHUNK + CHUNK + CONTEXT]
            prob, feeds["state"] = run(None, feeds)
            out[k] = prob.reshape(-1)[0]
        self._state = feeds["state"]
        self._context = buffer[0, -CONTEXT:].copy()
        return out


class SpeechTracker:
    """Feeds new samples of each window to the VAD and answers speech questions by time."""

    def __init__(self, vad: SileroVad, sample_rate: int = VAD_RATE) -> None:
        if sample_rate != VAD_RATE:
            raise ValueError(f"the VAD runs at {VAD_RATE} Hz, got windows at {sample_rate} Hz")
        self._vad = vad
        self._rate = sample_rate
        self._next: int | None = None  # absolute index of the next sample the VAD has not seen
        self._pending = np.zeros(0, dtype=np.float32)
        self._decisions: deque[ChunkDecision] = deque()
        self._in_speech = False
        self._since_speech = HANGOVER_CHUNKS + 1
        self.speech_samples = 0  # total over the call
        self.first_speech_s: float | None = None

    def update(self, window: AudioWindow) -> None:
        a = int(round(window.t0 * self._rate))
        b = a + window.samples.size
        if self._next is None or a > self._next:
            # First window, or a jump forward: restart the stream at this window.
            self._vad.reset()
            self._pending = np.zeros(0, dtype=np.float32)
            self._next = a
        if b <= self._next:
            return
        new = window.samples[self._next - a:]
        start = self._next - self._pending.size
        data = np.concatenate([self._pending, new.astype(np.float32, copy=False)])
        self._next = b
        usable = data.size - data.size % CHUNK
        for k, prob in enumerate(self._vad.probs(data[:usable])):
            self._decide(start + k * CHUNK, float(prob))
        self._pending = data[usable:].copy()
        horizon = self._next - int(KEEP_S * self._rate)
        while self._decisions and self._decisions[0].start < horizon:
            self._decisions.popleft()

    def _decide(self, start: int, prob: float) -> None:
        if prob >= ONSET or (self._in_speech and prob >= OFFSET):
            self._in_speech, self._since_speech = True, 0
        else:
            self._in_speech = False
            self._since_speech += 1
        speech = self._since_speech <= HANGOVER_CHUNKS
        if speech:
            self.speech_samples += CHUNK
            if self.first_speech_s is None:
                self.first_speech_s = start / self._rate
        self._decisions.append(ChunkDecision(start, prob, speech))

    def speech_fraction(self, t0: float, t1: float) -> float:
        """Share of [t0, t1) the VAD called speech (chunks not yet decided count as non-speech)."""
        a, b = int(round(t0 * self._rate)), int(round(t1 * self._rate))
        if b <= a:
            return 0.0
        covered = sum(1 for d in self._decisions if a <= d.start and d.start + CHUNK <= b and d.speech)
        return min(1.0, covered * CHUNK / (b - a))

    def mean_prob(self, t0: float, t1: float) -> float:
        a, b = int(round(t0 * self._rate)), int(round(t1 * self._rate))
        probs = [d.prob for d in self._decisions if a <= d.start and d.start + CHUNK <= b]
        return float(np.mean(probs)) if probs else 0.0

    @property
    def speech_seconds(self) -> float:
        return self.speech_samples / self._rate
