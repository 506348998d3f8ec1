"""Speed-perturbed copies of the training speech (variant "speed"): new voices for both classes.

Resampling a recording by 0.85-1.15 and playing it at the old rate shifts its pitch and formants
together, as a shorter or longer vocal tract would: a cheap stand-in for speakers the corpora do not
have. Synthetic utterances get the same treatment, so "perturbed" never marks a class. Written as
its own features part (features_fit_speed.npz), read only by the variants that ask for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from voicetrain.features import _train_variants
from voicetrain.items import Item

PART = "_speed"
#: (up, down) polyphase ratios: played at 16 kHz, x up/down in duration, pitch x down/up
FACTORS = ((20, 17), (10, 9), (20, 19), (20, 21), (10, 11), (20, 23))


def _job(job: tuple[np.ndarray, int, int]) -> list[tuple[np.ndarray, str]]:
    audio, count, seed = job
    rng = np.random.default_rng(seed)
    out: list[tuple[np.ndarray, str]] = []
    for k in rng.permutation(len(FACTORS))[:count]:
        up, down = FACTORS[int(k)]
        y = resample_poly(audio, up, down).astype(np.float32)
        out += [(f, f"speed{up}-{down}-{label}") for f, label in _train_variants((y, 2, seed + int(k)))]
    return out


def build(items: list[Item], audio: dict[str, np.ndarray], out_dir: Path, seed: int,
          log: Callable[[str], None], skip_families: tuple[str, ...] = ()) -> None:
    """Two speeds per bona fide utterance, one per synthetic one; each clean and through a random call path."""
    started = time.perf_counter()
    fit_items = [i for i in items if i.split in ("train", "val") and i.family not in skip_families and i.uid in audio]
    jobs = [(audio[i.uid], 2 if i.label == 0 else 1, seed * 7_919 + n) for n, i in enumerate(fit_items)]
    with Pool(2) as pool:
        variants = pool.map(_job, jobs, chunksize=16)
    log(f"speed-perturbed features: {sum(map(len, variants))} variants of {len(fit_items)} utterances "
        f"({time.perf_counter() - started:.0f} s)")
    np.savez(out_dir / f"features_fit{PART}.npz", **{f"{i.uid}|s{k}|{label}": f for i, vs in zip(fit_items, variants)
                                                    for k, (f, label) in enumerate(vs)})
