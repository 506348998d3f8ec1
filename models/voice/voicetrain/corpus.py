"""Bona fide speech from the shared data, cut into utterances, split by speaker.

FSDD digits are ~0.4 s each, too short for 2 s windows: five digits of one speaker are joined
with 10 ms cross-fades into one utterance. Long LibriSpeech and LJSpeech files are cut into
pieces of at most MAX_S. Splits are by speaker (never by file), and LJSpeech's single speaker is
kept for test only, so one whole corpus is unseen in training.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicetrain.audio_io import RATE, load_16k, trim_silence

MAX_S = 8.0
MIN_S = 2.2
DIGITS_PER_UTTERANCE = 5
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class RealUtterance:
    uid: str
    corpus: str  # fsdd | librispeech | ljspeech
    speaker: str
    split: str
    audio: np.ndarray  # float32 16 kHz, trimmed


def speaker_splits(speakers: list[str], seed: int, fractions: tuple[float, float] = (0.6, 0.15)) -> dict[str, str]:
    """Speaker -> split, seeded; every split gets at least one speaker when there are three."""
    order = sorted(speakers)
    random.Random(seed).shuffle(order)
    n = len(order)
    n_train = max(1, int(round(n * fractions[0])))
    n_val = max(1, int(round(n * fractions[1]))) if n >= 3 else 0
    if n >= 3 and n_train + n_val >= n:
        n_train = n - n_val - 1
    return {s: ("train" if i < n_train else "val" if i < n_train + n_val else "test") for i, s in enumerate(order)}


def _manifest_rows(data_dir: Path) -> list[dict[str, str]]:
    with open(data_dir / "manifest.csv", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["path"].startswith("speech/real/") and r["label"] == "bonafide"]


def _cross_join(parts: list[np.ndarray], fade: int = RATE // 100) -> np.ndarray:
    out = parts[0]
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    for part in parts[1:]:
        if out.size < fade or part.size < fade:
            out = np.concatenate([out, part])
            continue
        mixed = out[-fade:] * (1 - ramp) + part[:fade] * ramp
        out = np.concatenate([out[:-fade], mixed, part[fade:]])
    return out


def _pieces(audio: np.ndarray) -> list[np.ndarray]:
    step = int(MAX_S * RATE)
    cuts = [audio[i:i + step] for i in range(0, audio.size, step)]
    return [c for c in cuts if c.size >= MIN_S * RATE]


def load_real(data_dir: Path, seed: int) -> list[RealUtterance]:
    rows = _manifest_rows(data_dir)
    by_corpus: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        corpus = {"fsdd": "fsdd", "ljspeech_coqui": "ljspeech",
                  "librispeech_resemblyzer": "librispeech"}.get(row["path"].split("/")[2])
        if corpus is not None:
            by_corpus.setdefault(corpus, []).append(row)
    out: list[RealUtterance] = []
    rng = random.Random(seed)
    for corpus, items in sorted(by_corpus.items()):
        speakers = sorted({r["speaker_or_identity"] for r in items})
        split_of = {s: "test" for s in speakers} if corpus == "ljspeech" else speaker_splits(speakers, seed)
        if corpus == "fsdd":
            for speaker in speakers:
                files = sorted(r["path"] for r in items if r["speaker_or_identity"] == speaker)
                rng.shuffle(files)
                for k in range(0, len(files) - DIGITS_PER_UTTERANCE + 1, DIGITS_PER_UTTERANCE):
                    parts = [trim_silence(load_16k(data_dir / f)) for f in files[k:k + DIGITS_PER_UTTERANCE]]
                    joined = _cross_join([p for p in parts if p.size])
                    out.append(RealUtterance(f"{speaker}_{k // DIGITS_PER_UTTERANCE}", corpus, speaker,
                                             split_of[speaker], joined))
            continue
        for row in sorted(items, key=lambda r: r["path"]):
            audio = trim_silence(load_16k(data_dir / row["path"]))
            stem = Path(row["path"]).stem
            for j, piece in enumerate(_pieces(audio)):
                out.append(RealUtterance(f"{corpus}_{stem}_{j}", corpus, row["speaker_or_identity"],
                                         split_of[row["speaker_or_identity"]], piece))
    return out
