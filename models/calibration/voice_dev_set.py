"""Development set for calibrating `voice_synthetic`: audio files plus a labels CSV, in a cache folder.

Taken from the voice recipe's generated audio (models/voice/pipeline.py, stage `generate`), test
split only: speakers and TTS utterances the model never saw in training or model selection. The
test speakers are split in two halves by a seeded hash: half `cal` (with every resynthesis made
from their utterances, so pairs stay together, and half of the TTS test utterances) is written for
fitting; half `check` is written to a second CSV for checking the fit on people it was not fitted
on. Every file goes through one random call path (room, noise, level, codec, loss), alike for
both classes, because calls arrive through codecs, not as studio audio.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import soundfile

from voicetrain.channel import random_chain
from voicetrain.items import Item, load_audio, load_items

RATE = 16_000


def half_of(key: str, seed: int) -> str:
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return "cal" if digest[0] % 2 == 0 else "check"


def _audio_files(cache: Path) -> dict[str, Path]:
    return {p.stem[len("audio_"):]: p for p in cache.glob("audio_*.npz")}


def write_dev_set(train_cache: Path, out: Path, seed: int) -> dict[str, Path]:
    """Writes out/{cal,check}/*.wav and out/{cal,check}.csv (path,label,source,speaker,system,channel)."""
    items = [i for i in load_items(train_cache / "items.json") if i.split == "test"]
    by_uid = {i.uid: i for i in items}

    def half(item: Item) -> str:
        if item.corpus == "tts":
            return half_of(item.uid, seed)
        owner = by_uid[item.pair] if item.pair else item
        return half_of(owner.speaker, seed)

    rng = np.random.default_rng(seed)
    rows: dict[str, list[list[str]]] = {"cal": [], "check": []}
    for family, npz in sorted(_audio_files(train_cache).items()):
        wanted = {i.uid: i for i in items if i.family == family}
        if not wanted:
            continue
        for uid, audio in sorted(load_audio(npz).items()):
            item = wanted.get(uid)
            if item is None:
                continue
            which = half(item)
            noisy, path_label = random_chain(audio, rng)
            rel = Path(which) / f"{uid}.wav"
            (out / which).mkdir(parents=True, exist_ok=True)
            soundfile.write(out / rel, np.clip(noisy, -1.0, 1.0), RATE, subtype="PCM_16")
            label = "bonafide" if item.label == 0 else "spoof"
            rows[which].append([str(rel), label, item.corpus, item.speaker, item.family, path_label])
    csvs = {}
    for which, lines in rows.items():
        path = out / f"{which}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["path", "label", "source", "speaker", "system", "channel"])
            writer.writerows(lines)
        csvs[which] = path
    return csvs
