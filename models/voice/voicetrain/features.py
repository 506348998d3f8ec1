"""Stage 2: channel variants of every utterance, turned into the runtime's log-mel features.

Training and validation utterances get a few random call paths each; test utterances are cut to
TEST_S and passed through every named condition, so the card can report EER per condition.
"""

from __future__ import annotations

from collections.abc import Callable

import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from verification.detectors.audio_features import FEATURE_VERSION, spoof_features
from voicetrain.channel import CONDITIONS, apply_condition, random_chain, set_level
from voicetrain.items import Item, load_audio

TEST_S = 4.0
TEST_PER_FAMILY = 150  # synthetic test utterances per family (all bona fide test ones are kept)


def _train_variants(job: tuple[np.ndarray, int, int]) -> list[tuple[np.ndarray, str]]:
    audio, count, seed = job
    rng = np.random.default_rng(seed)
    out = [(spoof_features(set_level(audio, rng.uniform(-25.0, 0.0))).astype(np.float16), "clean")]
    for _ in range(count - 1):
        y, label = random_chain(audio, rng)
        out.append((spoof_features(y).astype(np.float16), label))
    return out


def _test_conditions(job: tuple[np.ndarray, int]) -> list[np.ndarray]:
    audio, seed = job
    rng = np.random.default_rng(seed)
    return [spoof_features(apply_condition(audio, c, rng)).astype(np.float16) for c in CONDITIONS]


def all_audio(cache: Path) -> dict[str, np.ndarray]:
    audio: dict[str, np.ndarray] = {}
    for path in sorted(cache.glob("audio_*.npz")):
        audio.update(load_audio(path))
    return audio


def test_subset(items: list[Item], seed: int) -> list[Item]:
    rng = np.random.default_rng(seed)
    keep = [i for i in items if i.split == "test" and i.label == 0]
    for family in sorted({i.family for i in items if i.label == 1}):
        pool = [i for i in items if i.split == "test" and i.family == family]
        picked = rng.permutation(len(pool))[:TEST_PER_FAMILY]
        keep += [pool[k] for k in sorted(picked)]
    return keep


def features_current(cache: Path) -> bool:
    """Cached features exist and were made by this front end (a front-end change needs new ones)."""
    stamp = cache / "features_version.txt"
    return (cache / "features_test.npz").exists() and stamp.exists() and stamp.read_text().strip() == FEATURE_VERSION


def build_features(items: list[Item], cache: Path, seed: int, log: Callable[[str], None] = print) -> None:
    started = time.perf_counter()
    audio = all_audio(cache)
    fit_items = [i for i in items if i.split in ("train", "val")]
    # Bona fide is the smaller class: one more random call path each.
    jobs = [(audio[i.uid], 4 if i.label == 0 else 2, seed * 7_919 + n) for n, i in enumerate(fit_items)]
    with Pool(2) as pool:
        variants = pool.map(_train_variants, jobs, chunksize=16)
        log(f"train/val features: {sum(len(v) for v in variants)} variants "
            f"({time.perf_counter() - started:.0f} s)")
        tests = test_subset(items, seed)
        cut = int(TEST_S * 16_000)
        test_feats = pool.map(_test_conditions, [(audio[i.uid][:cut], seed * 31 + n) for n, i in enumerate(tests)],
                              chunksize=8)
        log(f"test features: {len(tests)} utterances x {len(CONDITIONS)} conditions "
            f"({time.perf_counter() - started:.0f} s)")
    arrays: dict[str, np.ndarray] = {}
    for item, vs in zip(fit_items, variants):
        for k, (feats, label) in enumerate(vs):
            arrays[f"{item.uid}|{k}|{label}"] = feats
    np.savez(cache / "features_fit.npz", **arrays)
    arrays = {f"{item.uid}|{c}": feats for item, fs in zip(tests, test_feats) for c, feats in zip(CONDITIONS, fs)}
    np.savez(cache / "features_test.npz", **arrays)
    (cache / "features_version.txt").write_text(FEATURE_VERSION + "\n")
