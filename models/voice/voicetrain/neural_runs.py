"""Training for the neural-family evaluation: the candidate model (every family) and one model per
held-out family group (modern.LOFO_GROUPS), each exported to ONNX with its own calibration."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from verification.detectors.audio_features import FEATURE_VERSION
from voicetrain.export import export_onnx
from voicetrain.fit import FitSet, Recipe, fit
from voicetrain.items import Item
from voicetrain.metrics import platt
from voicetrain.modern import COPY_FAMILY, MATCHED_REAL_TRAIN, MATCHED_VARIANTS
from voicetrain.speed_perturb import PART as SPEED_PART


# variant "matched": the real originals of resynthesised or re-spoken demo utterances train as bona
# fide (their test-condition features serve as channel variants), and synthetic clips in the
# LJSpeech voice do not train, so neither a sentence nor the LJSpeech voice can mark "synthetic"


def _lj_voice(item: Item) -> bool:
    return item.label == 1 and item.corpus == "published" and "ljspeech" in item.speaker


# variant "hifigan": "matched" plus the HiFi-GAN copy-synthesis (hifigan_copy.py); other variants
# never train on it

# variant "quiet": "matched" trained for few false alarms on new real voices (fit.Recipe: corpus-
# balanced bona fide draws, extra weight on the worst real windows of each batch)
RECIPES = {"quiet": Recipe(balance_real=True, real_tail=1.0)}

# variant "speed": "matched" plus speed-perturbed copies of both classes (speed_perturb.py)
SPEED_VARIANTS = ("speed",)


def load_sets(work: Path, items: list[Item], exclude: tuple[str, ...], variant: str = "") -> tuple[FitSet, FitSet]:
    by_uid = {i.uid: i for i in items}
    if variant != "hifigan":
        exclude = exclude + (COPY_FAMILY,)
    matched = variant in MATCHED_VARIANTS
    train, val = FitSet(), FitSet()
    for path in sorted(work.glob("features_fit*.npz")):
        if path.name == f"features_fit{SPEED_PART}.npz" and variant not in SPEED_VARIANTS:
            continue
        with np.load(path) as data:
            for key in data.files:
                item = by_uid[key.split("|")[0]]
                if item.family not in exclude and not (matched and _lj_voice(item)):
                    (train if item.split == "train" else val).add(item, data[key])
    if matched:
        for path in sorted(work.glob("features_test*.npz")):
            with np.load(path) as data:
                for key in data.files:
                    item = by_uid[key.split("|")[0]]
                    if item.label == 0 and item.corpus in MATCHED_REAL_TRAIN:
                        train.add(item, data[key])
    return train, val


def train_one(items: list[Item], work: Path, name: str, exclude: tuple[str, ...], steps: int, seed: int,
              out: Path, log: Callable[[str], None], variant: str = "") -> dict[str, float]:
    train, val = load_sets(work, items, exclude, variant)
    log(f"{name}: {len(train.real)} bona fide / {sum(map(len, train.spoof.values()))} synthetic variants, "
        f"{len(train.spoof)} families, {steps} steps")
    net, val_logits, val_y = fit(train, val, steps, seed, log, RECIPES.get(variant, Recipe()))
    a, b = platt(val_logits, val_y)
    export_onnx(net, a, b, out, {"feature_version": FEATURE_VERSION, "held_out_family": ",".join(exclude),
                                 "seed": str(seed), "platt_a": f"{a:.6f}", "platt_b": f"{b:.6f}"})
    info = {"platt_a": a, "platt_b": b, "steps": steps, "variant": variant, "params": int(sum(p.numel() for p in net.parameters()))}
    (out.with_suffix(".json")).write_text(json.dumps(info))
    return info
