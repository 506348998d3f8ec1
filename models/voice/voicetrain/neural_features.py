"""Features for the neural-family evaluation: training variants of every train/val utterance (old
recipe families, Kokoro in mixed voices, the published neural samples, new real speakers) and test
features under the conditions both classes pass alike (clean, MP3 32 kbit/s, Opus 16 kbit/s)."""

from __future__ import annotations

import time
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from verification.detectors.audio_features import spoof_features
from voicetrain.channel import apply_condition, codec_roundtrip, set_level
from voicetrain.features import _train_variants
from voicetrain.items import Item

#: MP3 32 kbit/s on both classes removes the "MP3 origin" cue (some published samples came as MP3)
TEST_CONDITIONS = ("clean", "mp3_32", "opus16")
OLD_TEST_PER_FAMILY = 60
TEST_MAX_S = 8.0


def _variant_count(item: Item) -> int:
    if item.label == 0 or item.family == "hifigan_copy":  # copy-synthesis: the same paths as its source
        return 4
    return 2 if item.corpus in ("tts", "librispeech", "fsdd", "ljspeech") else 6


def _fit_job(job: tuple[np.ndarray, int, int, bool]) -> list[tuple[np.ndarray, str]]:
    audio, count, seed, extra_mp3 = job
    out = _train_variants((audio, count, seed))
    if extra_mp3:  # new real speakers also heard through MP3, as some published synthetic clips are
        rng = np.random.default_rng(seed + 1)
        y = codec_roundtrip(set_level(audio, rng.uniform(-20.0, 0.0)), "mp3", "libmp3lame", 16_000,
                            int(rng.choice([32_000, 48_000, 64_000])))
        out.append((spoof_features(y).astype(np.float16), "mp3"))
    return out


def _test_job(job: tuple[np.ndarray, int]) -> list[np.ndarray]:
    audio, seed = job
    rng = np.random.default_rng(seed)
    return [spoof_features(apply_condition(audio, c, rng)).astype(np.float16) for c in TEST_CONDITIONS]


def test_items(items: list[Item], seed: int) -> list[Item]:
    rng = np.random.default_rng(seed)
    keep = [i for i in items if i.split == "test" and (i.label == 0 or i.corpus in ("published", "tts"))
            and not (i.corpus == "tts" and i.family not in ("kokoro_mixed", "neural_tts"))]
    keep += [i for i in items if i.label == 1 and i.corpus == "published" and i.split != "test"]
    for family in sorted({i.family for i in items if i.label == 1 and i.family != "kokoro_mixed"
                          and i.corpus != "published"}):
        pool = [i for i in items if i.split == "test" and i.family == family and i not in keep]
        keep += [pool[k] for k in sorted(rng.permutation(len(pool))[:OLD_TEST_PER_FAMILY])]
    return keep


def build(items: list[Item], audio: dict[str, np.ndarray], out_dir: Path, seed: int,
          log: Callable[[str], None], part: str = "") -> None:
    """Writes features_{fit,test}{part}.npz; parts (e.g. one generator made later) are read together."""
    started = time.perf_counter()
    fit_items = [i for i in items if i.split in ("train", "val")]
    jobs = [(audio[i.uid], _variant_count(i), seed * 7_919 + n, (i.label == 0 or i.family == "hifigan_copy")
             and i.corpus not in ("librispeech", "fsdd", "ljspeech")) for n, i in enumerate(fit_items)]
    tests = test_items(items, seed)
    cut = int(TEST_MAX_S * 16_000)
    with Pool(2) as pool:
        test_feats = pool.map(_test_job, [(audio[i.uid][:cut], seed * 31 + n) for n, i in enumerate(tests)],
                              chunksize=8)
        log(f"test features: {len(tests)} utterances x {len(TEST_CONDITIONS)} ({time.perf_counter() - started:.0f} s)")
        np.savez(out_dir / f"features_test{part}.npz", **{f"{i.uid}|{c}": f for i, fs in zip(tests, test_feats)
                                                   for c, f in zip(TEST_CONDITIONS, fs)})
        variants = pool.map(_fit_job, jobs, chunksize=16)
        log(f"fit features: {sum(map(len, variants))} variants ({time.perf_counter() - started:.0f} s)")
    np.savez(out_dir / f"features_fit{part}.npz", **{f"{i.uid}|{k}|{label}": f for i, vs in zip(fit_items, variants)
                                              for k, (f, label) in enumerate(vs)})
