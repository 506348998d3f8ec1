"""Stage 4: score the held-out test set with the shipped model and every leave-one-family-out
model, then write models/voice/MODEL_CARD.md (via voicetrain.card) and a JSON of all numbers."""

from __future__ import annotations

from collections.abc import Callable

import hashlib
import json
from pathlib import Path

import numpy as np

from voicetrain.channel import CONDITIONS
from voicetrain.items import Item, split_counts
from voicetrain.metrics import bootstrap_eer, eer
from voicetrain.runs import MODEL_FILE
from voicetrain.scoring import utterance_scores

CI_CONDITIONS = ("clean", "opus16")
RESYNTH = ("griffin_lim", "world", "lpc")


def _load_test(cache: Path) -> tuple[list[str], dict[str, dict[str, np.ndarray]]]:
    feats: dict[str, dict[str, np.ndarray]] = {}
    with np.load(cache / "features_test.npz") as data:
        for key in data.files:
            uid, cond = key.split("|")
            feats.setdefault(uid, {})[cond] = data[key]
    return sorted(feats), feats


def _score(model: Path, uids: list[str], feats: dict[str, dict[str, np.ndarray]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {c: {} for c in CONDITIONS}
    for cond in CONDITIONS:
        scores = utterance_scores(model, [feats[u][cond] for u in uids])
        out[cond] = dict(zip(uids, map(float, scores)))
    return out


def _eer_entry(real: np.ndarray, spoof: np.ndarray, seed: int, with_ci: bool) -> dict[str, float]:
    entry = {"eer": eer(real, spoof), "n_real": int(real.size), "n_spoof": int(spoof.size)}
    if with_ci:
        entry["ci"] = bootstrap_eer(real, spoof, seed)
    return entry


def _pairs(scores: dict[str, float], items: dict[str, Item], family: str) -> dict[str, object]:
    """Within-pair, within-corpus and within-speaker checks for one resynthesis family."""
    pairs = [(i, scores[i.uid], scores[i.pair]) for i in items.values()
             if i.family == family and i.uid in scores and i.pair in scores]
    if not pairs:
        return {}
    out: dict[str, object] = {"n_pairs": len(pairs),
                              "pair_win": float(np.mean([s > r for _, s, r in pairs]))}
    by_corpus: dict[str, dict[str, object]] = {}
    for corpus in sorted({i.corpus for i, _, _ in pairs}):
        mine = [(s, r) for i, s, r in pairs if i.corpus == corpus]
        real = np.array([scores[u] for u, it in items.items() if it.label == 0 and it.corpus == corpus and u in scores])
        by_corpus[corpus] = {"n_pairs": len(mine), "pair_win": float(np.mean([s > r for s, r in mine])),
                             "eer": eer(real, np.array([s for s, _ in mine]))}
    out["by_corpus"] = by_corpus
    speakers: dict[str, list[float]] = {}
    for i, s, r in pairs:
        speakers.setdefault(i.speaker, []).append(s - r)
    out["speakers"] = len(speakers)
    out["speaker_win"] = float(np.mean([np.mean(d) > 0 for d in speakers.values()]))
    return out


def evaluate_all(items: list[Item], cache: Path, model_dir: Path, seed: int, log: Callable[[str], None]) -> dict:
    by_uid = {i.uid: i for i in items}
    uids, feats = _load_test(cache)
    real_uids = [u for u in uids if by_uid[u].label == 0]
    families = sorted({by_uid[u].family for u in uids if by_uid[u].label == 1})
    final_path = model_dir / MODEL_FILE
    final = _score(final_path, uids, feats)
    log(f"scored {len(uids)} test utterances x {len(CONDITIONS)} conditions with the shipped model")

    def arrays(scores: dict[str, float], family: str | None, corpus: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        real = np.array([scores[u] for u in real_uids if corpus is None or by_uid[u].corpus == corpus])
        spoof = np.array([scores[u] for u in uids if by_uid[u].label == 1 and (family is None or by_uid[u].family == family)
                          and u in scores])
        return real, spoof

    results: dict[str, object] = {"conditions": list(CONDITIONS), "families": families}
    results["final"] = {
        cond: {fam: _eer_entry(*arrays(final[cond], fam), seed, cond in CI_CONDITIONS) for fam in families + [None]}
        for cond in CONDITIONS
    }
    results["final_pairs"] = {fam: _pairs(final["clean"], by_uid, fam) for fam in RESYNTH if fam in families}
    results["false_alarms"] = {
        cond: {corpus: float(np.mean(1 / (1 + np.exp(-arrays(final[cond], None, corpus)[0])) >= 0.5))
               for corpus in sorted({by_uid[u].corpus for u in real_uids})}
        for cond in CONDITIONS
    }
    results["mean_score"] = {
        "bonafide": float(np.mean(1 / (1 + np.exp(-arrays(final["clean"], None)[0])))),
        "synthetic": float(np.mean(1 / (1 + np.exp(-arrays(final["clean"], None)[1])))),
    }
    lofo: dict[str, object] = {}
    lofo_pairs: dict[str, object] = {}
    for family in families:
        mine = real_uids + [u for u in uids if by_uid[u].family == family]
        scores = _score(cache / f"lofo_{family}.onnx", mine, feats)
        lofo[family] = {cond: _eer_entry(*arrays(scores[cond], family), seed, cond in CI_CONDITIONS)
                        for cond in CONDITIONS}
        if family in RESYNTH:
            lofo_pairs[family] = _pairs(scores["clean"], by_uid, family)
        log(f"held-out {family}: clean EER {100 * lofo[family]['clean']['eer']:.1f}%, "
            f"opus16 {100 * lofo[family]['opus16']['eer']:.1f}%")
    results["lofo"] = lofo
    results["lofo_pairs"] = lofo_pairs
    results["model_sha256"] = hashlib.sha256(final_path.read_bytes()).hexdigest()
    results["model_size"] = final_path.stat().st_size
    results["counts"] = split_counts(items, uids, by_uid)
    info_path = cache / "train_info.json"
    results["train_info"] = json.loads(info_path.read_text()) if info_path.exists() else {}
    timings_path = cache / "timings.json"
    results["timings"] = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    dev_path = cache / "dev_results.json"  # from --stages dev, when it was run on these models
    results["dev"] = json.loads(dev_path.read_text()) if dev_path.exists() else {}
    (cache / "results.json").write_text(json.dumps(results, indent=1, default=float))
    from voicetrain.card import write_card
    write_card(results, model_dir / "MODEL_CARD.md", seed)
    log(f"wrote {model_dir / 'MODEL_CARD.md'}")
    return results
