"""Held-out-family EER on the validation split: the number to choose recipe changes by.

The model card's held-out-family table is a test result; a recipe change chosen on it would be
chosen on the test split. This scores each held-out-family model on the *validation* utterances
of its held-out family against the validation bona fide speakers (4 s, clean and through Opus
16 kbit/s, scored as the detector does), so variants can be compared without touching the test
split. Validation speakers also pick the training step and the Platt fit, so these numbers are
optimistic about speakers, not about generators.

EER is reported against each bona fide corpus alone as well as pooled. The pooled number is
mostly FSDD (100 of 155 validation utterances: 8 kHz digits, upsampled), and it once pointed the
wrong way: linear-frequency bands cut it from 18.0% to 13.9% while the LibriSpeech column rose from
11.7% to 13.0% (Opus 16: 14.9% to 20.8%) and the test split's held-out mean rose from 11.5% to
15.9%. A change must hold up in the LibriSpeech column, the wideband speech calls carry.
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
    """{family: {condition: EER %, "<condition> <corpus>": EER % against that corpus alone}} plus
    "mean"; written to cache/dev_results.json."""
    val = [i for i in items if i.split == "val"]
    feats = _features(val, cache, seed)
    real = [i for i in val if i.label == 0]
    corpora = sorted({i.corpus for i in real})
    of_corpus = {c: np.array([i.corpus == c for i in real]) for c in corpora}
    out: dict[str, dict[str, float]] = {}
    for family in sorted({i.family for i in items if i.label == 1}):
        spoof = [i.uid for i in val if i.family == family]
        model = cache / f"lofo_{family}.onnx"
        out[family] = {}
        for cond in CONDITIONS:
            scores = utterance_scores(model, [feats[cond][u] for u in [i.uid for i in real] + spoof])
            bona, fake = scores[:len(real)], scores[len(real):]
            out[family][cond] = round(100 * eer(bona, fake), 2)
            for corpus, mine in of_corpus.items():
                out[family][f"{cond} {corpus}"] = round(100 * eer(bona[mine], fake), 2)
        log(f"dev, {family} held out: " + "; ".join(
            f"{c} {out[family][c]:.1f}% (" + ", ".join(f"{k} {out[family][f'{c} {k}']:.1f}%" for k in corpora) + ")"
            for c in CONDITIONS))
    keys = list(next(iter(out.values())))
    out["mean"] = {k: round(float(np.mean([out[f][k] for f in out])), 2) for k in keys}
    log("dev mean: " + "; ".join(f"{k} {v:.1f}%" for k, v in out["mean"].items()))
    (cache / "dev_results.json").write_text(json.dumps(out, indent=1))
    return out
