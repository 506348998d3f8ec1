"""Utterance records and the on-disk cache of generated audio (never inside the repository)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Item:
    uid: str
    label: int  # 0 bona fide, 1 synthetic
    family: str  # "bonafide" or the generator family
    generator: str  # e.g. "world", "piper:en_US-joe-medium", "espeak-ng:en-us+m3"
    speaker: str  # real speaker (also for resynthesised pairs) or TTS voice
    corpus: str  # source corpus of the words and recording; "tts" for text-to-speech
    split: str  # train | val | test
    pair: str | None = None  # uid of the bona fide utterance a resynthesis was made from


def save_items(path: Path, items: list[Item]) -> None:
    path.write_text(json.dumps([asdict(i) for i in items], indent=0))


def load_items(path: Path) -> list[Item]:
    return [Item(**row) for row in json.loads(path.read_text())]


def save_audio(path: Path, audio: dict[str, np.ndarray]) -> None:
    # float16 halves the cache; its ~1e-3 relative error is far below any codec's.
    np.savez(path, **{k: v.astype(np.float16) for k, v in audio.items()})


def load_audio(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {k: data[k].astype(np.float32) for k in data.files}


def split_counts(items: list[Item], test_uids: list[str], by_uid: dict[str, Item]) -> dict[str, dict[str, int]]:
    """Utterances per family (bona fide per corpus) and split, and how many of the test ones were scored."""
    counts: dict[str, dict[str, int]] = {}
    for i in items:
        key = i.family if i.label == 1 else f"bonafide:{i.corpus}"
        row = counts.setdefault(key, {"train": 0, "val": 0, "test": 0, "test_scored": 0})
        row[i.split] += 1
    for u in test_uids:
        i = by_uid[u]
        counts[i.family if i.label == 1 else f"bonafide:{i.corpus}"]["test_scored"] += 1
    return counts
