"""Scoring and tables for the neural-family evaluation: every neural family scored by the model that
never trained on it (leave-one-family-group-out), per family and pooled, per condition, against
the speaker-disjoint real test pool; today's shipped model on the very same files as the baseline;
and how often real test speech reaches `elevated` / `high` at the runtime calibration."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from voicetrain.items import Item
from voicetrain.metrics import bootstrap_eer, eer
from voicetrain.modern import LOFO_GROUPS, NEURAL_FAMILIES
from voicetrain.neural_features import TEST_CONDITIONS
from voicetrain.scoring import utterance_scores

#: like-for-like real recordings for families made from (or of) the same speakers
MATCHED_REAL = {
    "hifigan_resynth": ("libritts_vocosdemo",), "bigvgan_resynth": ("libritts_vocosdemo",),
    "istftnet_resynth": ("libritts_vocosdemo",), "vocos_resynth": ("libritts_vocosdemo",),
    "fastspeech2_hifigan": ("libritts_fastspeech2demo", "aishell3_fastspeech2demo"),
    "fastspeech_waveglow": ("ljspeech",), "wavegrad": ("ljspeech",),
}
ELEVATED_LLR, HIGH_LLR = math.log(2.0), math.log(9.0)

Scores = dict[str, dict[str, float]]  # condition -> uid -> mean calibrated log-odds


def load_test(work: Path) -> dict[str, dict[str, np.ndarray]]:
    feats: dict[str, dict[str, np.ndarray]] = {}
    for path in sorted(work.glob("features_test*.npz")):
        with np.load(path) as data:
            for key in data.files:
                uid, cond = key.split("|")
                feats.setdefault(uid, {})[cond] = data[key]
    return feats


def score(model: Path, uids: list[str], feats: dict[str, dict[str, np.ndarray]]) -> Scores:
    return {c: dict(zip(uids, map(float, utterance_scores(model, [feats[u][c] for u in uids]))))
            for c in TEST_CONDITIONS}


def _entry(real: list[float], spoof: list[float], seed: int) -> dict[str, object]:
    r, s = np.array(real), np.array(spoof)
    return {"eer": eer(r, s), "ci": bootstrap_eer(r, s, seed, rounds=300), "n_real": int(r.size),
            "n_spoof": int(s.size)}


def family_table(scores_of: dict[str, Scores], model_of_family: dict[str, str], items: dict[str, Item],
                 families: list[str], seed: int, trained_real: tuple[str, ...] = ()) -> dict[str, object]:
    """Per family and condition: EER against all real test utterances, and against matched real.
    Real corpora in `trained_real` trained some model, so they are left out of every pool."""
    out: dict[str, object] = {}
    for cond in TEST_CONDITIONS:
        rows: dict[str, object] = {}
        pooled_real: list[float] = []
        pooled_spoof: list[float] = []
        seen_models: set[str] = set()
        for fam in families:
            s = scores_of[model_of_family[fam]][cond]
            real = [v for u, v in s.items() if items[u].label == 0 and items[u].corpus not in trained_real]
            spoof = [v for u, v in s.items() if items[u].family == fam]
            if not spoof:
                continue
            row = _entry(real, spoof, seed)
            matched = [v for u, v in s.items() if items[u].label == 0 and items[u].corpus in MATCHED_REAL.get(fam, ())
                       and items[u].corpus not in trained_real]
            if matched:
                row["matched_eer"] = eer(np.array(matched), np.array(spoof))
                row["n_matched_real"] = len(matched)
            rows[fam] = row
            pooled_spoof += spoof
            if model_of_family[fam] not in seen_models:
                seen_models.add(model_of_family[fam])
                pooled_real += real
        eers = [r["eer"] for r in rows.values()]
        rows["_summary"] = {"mean": float(np.mean(eers)), "worst": float(np.max(eers)),
                            "pooled": _entry(pooled_real, pooled_spoof, seed)}
        out[cond] = rows
    return out


def false_alarms(scores: Scores, items: dict[str, Item], a: float, b: float) -> dict[str, object]:
    """Share of real test utterances whose runtime LLR (a * log-odds + b) reaches each level."""
    out: dict[str, object] = {}
    for cond in TEST_CONDITIONS:
        by_corpus: dict[str, list[float]] = {}
        for u, v in scores[cond].items():
            if items[u].label == 0:
                by_corpus.setdefault(items[u].corpus, []).append(a * v + b)
        out[cond] = {c: {"n": len(v), "elevated_or_high": float(np.mean(np.array(v) >= ELEVATED_LLR)),
                         "high": float(np.mean(np.array(v) >= HIGH_LLR))} for c, v in sorted(by_corpus.items())}
    return out


def lofo_model_of_family(groups: dict[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    return {fam: group for group, fams in (groups or LOFO_GROUPS).items() for fam in fams}


__all__ = ["NEURAL_FAMILIES", "family_table", "false_alarms", "load_test", "lofo_model_of_family", "score"]
