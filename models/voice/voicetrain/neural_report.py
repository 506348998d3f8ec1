"""The evaluate stage of neural_lofo.py: score the candidate and every held-out-family model, and
put the tables beside today's shipped model's (the baseline) on the same files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from voicetrain.items import Item, split_counts
from voicetrain.modern import MATCHED_REAL_TRAIN, MATCHED_VARIANTS, NEURAL_FAMILIES, TEST_ONLY_FAMILIES, lofo_groups
from voicetrain.neural_eval import family_table, false_alarms, load_test, lofo_model_of_family, score

#: the runtime's calibration of today's model (models/calibration.toml), applied to both models'
#: log-odds for the false-alarm table until the candidate gets its own
RUNTIME_A, RUNTIME_B = 1.409769, 0.327726


def evaluate(items: list[Item], by_uid: dict[str, Item], work: Path, seed: int,
             log: Callable[[str], None], suffix: str = "") -> dict[str, object]:
    """suffix: which recipe variant's models (neural_lofo.py --variant) to score."""
    groups = lofo_groups(suffix.lstrip("_"))
    feats = load_test(work)
    uids = sorted(feats)
    real = [u for u in uids if by_uid[u].label == 0]
    scores = {"baseline": json.loads((work / "scores_baseline.json").read_text())}
    cand = work / f"candidate{suffix}.onnx"
    if cand.exists():
        scores["candidate"] = score(cand, uids, feats)
        log("scored the candidate")
    for group, fams in groups.items():
        path = work / f"lofo_{group}{suffix}.onnx"
        if path.exists():
            mine = real + [u for u in uids if by_uid[u].family in fams]
            scores[group] = score(path, mine, feats)
            log(f"scored held-out group {group}")
    neural = [f for f in NEURAL_FAMILIES if any(by_uid[u].family == f for u in uids)]
    # families no candidate trains on, and the recipe's older families (test split, speaker-disjoint)
    older = sorted({by_uid[u].family for u in uids if by_uid[u].label == 1} - set(NEURAL_FAMILIES))
    results: dict[str, object] = {"neural_families": neural, "older_families": older,
                                  "test_only_families": list(TEST_ONLY_FAMILIES), "lofo_groups": groups}
    trained = MATCHED_REAL_TRAIN if suffix.lstrip("_") in MATCHED_VARIANTS else ()
    results["real_left_out_of_pools"] = list(trained)
    results["baseline_neural"] = family_table(scores, {f: "baseline" for f in neural}, by_uid, neural, seed, trained)
    results["baseline_older"] = family_table(scores, {f: "baseline" for f in older}, by_uid, older, seed, trained)
    results["baseline_false_alarms"] = false_alarms(scores["baseline"], by_uid, RUNTIME_A, RUNTIME_B)
    held = lofo_model_of_family(groups)
    lofo_fams = [f for f in neural if held[f] in scores]
    if lofo_fams:
        results["lofo_neural"] = family_table(scores, held, by_uid, lofo_fams, seed, trained)
    if "candidate" in scores:
        results["candidate_older"] = family_table(scores, {f: "candidate" for f in older}, by_uid, older, seed,
                                                  trained)
        results["candidate_false_alarms"] = false_alarms(scores["candidate"], by_uid, RUNTIME_A, RUNTIME_B)
        results["candidate_sha256"] = hashlib.sha256(cand.read_bytes()).hexdigest()
    infos = {p.stem: json.loads(p.read_text()) for p in sorted(work.glob("*.json"))
             if p.stem.startswith(("lofo_", "candidate"))
             and (p.stem.endswith(suffix) if suffix else not p.stem.endswith(tuple(f"_{v}" for v in MATCHED_VARIANTS)))}
    results["train_info"] = infos
    results["counts"] = split_counts(items, uids, by_uid)
    results["variant"] = suffix.lstrip("_")
    (work / f"results{suffix}.json").write_text(json.dumps(results, indent=1, default=float))
    return results
