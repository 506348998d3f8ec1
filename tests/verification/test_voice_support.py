"""Helpers for the voice tests: models, shared speech, engine-like windows (no tests here).

Voice tests need no training dependencies: spoofs are made with the numpy/librosa vocoders of
models/voice/voicetrain (Griffin-Lim, LPC), never with torch, piper or pyworld.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from verification.detectors.evidence import AudioWindow
from verification.inference.loader import ModelLoader
from verification.inference.manifest import load_manifest
from verification.inference.model_dir import resolve_model_dir

REPO = Path(__file__).resolve().parents[2]
VOICE_DIR = REPO / "models" / "voice"
SHARED = REPO.parent / "shared" / "data"
RATE = 16_000

if str(VOICE_DIR) not in sys.path:
    sys.path.insert(0, str(VOICE_DIR))


def voice_loader(tmp_path: Path) -> ModelLoader:
    """A loader whose model dir holds the fetched VAD and embedder and the committed voice model
    (so the tests see a freshly trained model before `callshield models fetch` copies it)."""
    manifest = load_manifest()
    fetched = resolve_model_dir(None, os.environ)
    model_dir = tmp_path / "models"
    model_dir.mkdir(exist_ok=True)
    for model_id in ("silero_vad", "speaker_embedder"):
        name = manifest.entry(model_id).file
        if not (fetched / name).is_file():
            pytest.skip(f"{name} not fetched into {fetched}: run `callshield models fetch`")
        (model_dir / name).symlink_to(fetched / name)
    (model_dir / "voice_synthetic.onnx").symlink_to(VOICE_DIR / "voice_synthetic.onnx")
    return ModelLoader(manifest, model_dir, threads=1)


def shared_rows(folder: str) -> list[dict[str, str]]:
    manifest = SHARED / "manifest.csv"
    if not manifest.is_file():
        pytest.skip("shared data not present")
    with open(manifest, newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["path"].startswith(f"speech/real/{folder}/")]


def load_speech(rel_path: str) -> np.ndarray:
    from voicetrain.audio_io import load_16k, trim_silence

    return trim_silence(load_16k(SHARED / rel_path))


def heldout_libri_speakers() -> list[dict[str, str]]:
    """LibriSpeech files of the voice recipe's test speakers: never trained on or used to pick the model
    (half of them are in the set models/calibration.toml is fitted on)."""
    from voicetrain.corpus import speaker_splits

    rows = shared_rows("librispeech_resemblyzer")
    splits = speaker_splits(sorted({r["speaker_or_identity"] for r in rows}), seed=0)
    return [r for r in rows if splits[r["speaker_or_identity"]] == "test"]


def windows(samples: np.ndarray, length_s: float = 2.0, hop_s: float = 0.5, start_s: float = 0.0,
            gap_at: set[int] | None = None) -> Iterator[AudioWindow]:
    """Windows as the engine's WindowPlan cuts them (plus one tail window of >= 1 s)."""
    n, hop = int(length_s * RATE), int(hop_s * RATE)
    offset = int(start_s * RATE)
    seq = 0
    a = 0
    last_end = 0
    while a + n <= samples.size:
        yield AudioWindow(seq, (offset + a) / RATE, (offset + a + n) / RATE, samples[a:a + n], RATE,
                          bool(gap_at and seq in gap_at), 0.0)
        last_end = a + n
        seq += 1
        a += hop
    if samples.size > last_end:
        tail = max(0, samples.size - n)
        if samples.size - tail >= RATE:
            yield AudioWindow(seq, (offset + tail) / RATE, (offset + samples.size) / RATE, samples[tail:], RATE,
                              False, 0.0)


def silence(seconds: float, level: float = 1e-4, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(int(seconds * RATE)) * level).astype(np.float32)
