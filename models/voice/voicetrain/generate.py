"""Stage 1: bona fide utterances, their vocoder resyntheses, and TTS utterances, cached as audio.

Resyntheses inherit the split of the real utterance they come from, so matched pairs never
straddle train and test. TTS utterances are split by utterance (each has its own text).
"""

from __future__ import annotations

from collections.abc import Callable

import random
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from voicetrain.audio_io import peak_normalize
from voicetrain.corpus import load_real
from voicetrain.items import Item, save_audio, save_items
from voicetrain.texts import sentences
from voicetrain.tts import VOICES, synthesize
from voicetrain.vocoders import VOCODERS

#: share of real utterances resynthesised by each vocoder (Griffin-Lim is the slowest)
VOCODER_SHARE = {"griffin_lim": 0.5, "world": 1.0, "lpc": 1.0}
TTS_PER_FAMILY = 260
MIN_SAMPLES = int(2.05 * 16_000)  # one 2 s window at least


def _vocode(job: tuple[str, str, np.ndarray, int]) -> tuple[str, np.ndarray]:
    name, uid, audio, seed = job
    return uid, peak_normalize(VOCODERS[name](audio, np.random.default_rng(seed)))


def _tts_split(rng: random.Random) -> str:
    r = rng.random()
    return "train" if r < 0.6 else "val" if r < 0.75 else "test"


def generate(data_dir: Path, cache: Path, seed: int, log: Callable[[str], None] = print) -> list[Item]:
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    real = load_real(data_dir, seed)
    items = [Item(u.uid, 0, "bonafide", "bonafide", u.speaker, u.corpus, u.split) for u in real]
    save_audio(cache / "audio_bonafide.npz", {u.uid: peak_normalize(u.audio) for u in real})
    log(f"bona fide: {len(real)} utterances, {sum(u.audio.size for u in real) / 16000 / 60:.1f} min "
        f"({time.perf_counter() - started:.0f} s)")
    rng = random.Random(seed)
    with Pool(2) as pool:
        for k, (name, share) in enumerate(VOCODER_SHARE.items()):
            chosen = [u for u in real if rng.random() < share]
            jobs = [(name, u.uid, u.audio, seed * 100_003 + k * 10_007 + i) for i, u in enumerate(chosen)]
            out = dict(pool.map(_vocode, jobs, chunksize=8))
            save_audio(cache / f"audio_{name}.npz", {f"{name}_{uid}": a for uid, a in out.items()})
            items += [Item(f"{name}_{u.uid}", 1, name, name, u.speaker, u.corpus, u.split, u.uid) for u in chosen]
            log(f"{name}: {len(chosen)} resyntheses ({time.perf_counter() - started:.0f} s)")
    families = sorted({v.family for v in VOICES})
    for f_index, family in enumerate(families):
        voices = [v for v in VOICES if v.family == family]
        texts = sentences(TTS_PER_FAMILY, seed * 1_000 + f_index)
        audio: dict[str, np.ndarray] = {}
        for v_index, voice in enumerate(voices):
            mine = texts[v_index::len(voices)]
            for j, wav in enumerate(synthesize(voice, mine, seed * 1_000 + f_index * 50 + v_index)):
                if wav.size < MIN_SAMPLES:
                    continue
                uid = f"{family}_{v_index}_{j}"
                audio[uid] = peak_normalize(wav)
                items.append(Item(uid, 1, family, f"{voice.engine}:{voice.name}", voice.name, "tts",
                                  _tts_split(rng)))
        save_audio(cache / f"audio_{family}.npz", audio)
        log(f"{family}: {len(audio)} utterances ({time.perf_counter() - started:.0f} s)")
    save_items(cache / "items.json", items)
    return items
