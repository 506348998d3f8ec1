"""Held-out-family EER on the validation split: the number to choose recipe changes by.

The model card's held-out-family table is a test result; a recipe change chosen on it would be
chosen on the test split. This scores each held-out-family model on the *validation* utterances
of its held-out family against the validation bona fide speakers (4 s, clean and through Opus
16 kbit/s, scored as the detector does), so variants can be compared without touching the test
split. Validation speakers also pick the training step and the Platt fit, so these numbers are
optimistic about speakers, not about generators.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from verification.detectors.audio_features import spoof_features
from voicetrain.channel import apply_condition
from voicetrain.features import all_audio
from voicetrain.items import Item
from voicetrain.metrics import eer
from voicetrain.scoring import utterance_scores

CONDITIONS = ("clean", "opus16")
CUT_S = 4.0  # as the test utterances


def _features(items: list[Item], cache: Path, seed: int) -> dict[str, dict[str, np.ndarray]]:
    audio = all_audio(cache)
    rng = np.random.default_rng(seed)
    cut = int(CUT_S * 16_000)
    return {c: {i.uid: spoof_features(audio[i.uid][:cut] if c == "clean" else apply_condition(audio[i.uid][:cut], c, rng))
                for i in items} for c in CONDITIONS}


def dev_check(items: list[Item], cache: Path, seed: int, log: Callable[[str], None]) -> dict[str, dict[str, float]]:
    """{family: {condition: EER %}} plus "mean"; written to cache/dev_results.json."""
    val = [i for i in items if i.split == "val"]
    feats = _features(val, cache, seed)
    real = [i.uid for i in val if i.label == 0]
    out: dict[str, dict[str, float]] = {}
    for family in sorted({i.family for i in items if i.label == 1}):
        spoof = [i.uid for i in val if i.family == family]
        model = cache / f"lofo_{family}.onnx"
        out[family] = {}
        for cond in CONDITIONS:
            scores = utterance_scores(model, [feats[cond][u] for u in real + spoof])
            out[family][cond] = round(100 * eer(scores[:len(real)], scores[len(real):]), 2)
        log(f"dev, {family} held out: " + ", ".join(f"{c} {out[family][c]:.1f}%" for c in CONDITIONS))
    out["mean"] = {c: round(float(np.mean([out[f][c] for f in out])), 2) for c in CONDITIONS}
    log("dev mean: " + ", ".join(f"{c} {out['mean'][c]:.1f}%" for c in CONDITIONS))
    (cache / "dev_results.json").write_text(json.dumps(out, indent=1))
    return out
