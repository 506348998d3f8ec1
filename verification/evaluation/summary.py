"""Turns per-file scores into the evaluation summary (overall and per group)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from verification.evaluation.labels import GROUP_COLUMNS, LabelledItem
from verification.evaluation.metrics import auc, bootstrap_ci, eer, rates_at


@dataclass(frozen=True)
class ScoredItem:
    item: LabelledItem
    score: float | None  # None: the detector could not judge this file
    reason: str | None = None


def _block(scored: Sequence[ScoredItem], thresholds: dict[str, float], rounds: int) -> dict[str, Any]:
    judged = [s for s in scored if s.score is not None]
    out: dict[str, Any] = {"files": len(scored), "judged": len(judged),
                           "bonafide": sum(1 for s in judged if s.item.label == 0),
                           "spoof": sum(1 for s in judged if s.item.label == 1)}
    if not judged:
        return out
    scores = np.array([s.score for s in judged], dtype=np.float64)
    labels = np.array([s.item.label for s in judged])
    persons = [s.item.person or f"file{i}" for i, s in enumerate(judged)]
    groups = np.unique(persons, return_inverse=True)[1]
    at = {}
    for name, threshold in thresholds.items():
        far, miss = rates_at(scores, labels, threshold)
        at[name] = {"threshold": threshold, "false_alarm_rate": far, "miss_rate": miss}
    out["at_shipped_thresholds"] = at
    if out["bonafide"] and out["spoof"]:
        rate, threshold = eer(scores, labels)
        out["auc"] = auc(scores, labels)
        out["auc_ci95"] = bootstrap_ci(auc, scores, labels, rounds=rounds, groups=groups)
        out["eer"] = rate
        out["eer_ci95"] = bootstrap_ci(lambda s, y: eer(s, y)[0], scores, labels, rounds=rounds, groups=groups)
        out["eer_threshold"] = threshold
    return out


def summarize(task: str, scored: Sequence[ScoredItem], thresholds: dict[str, float],
              rounds: int = 1000) -> dict[str, Any]:
    summary: dict[str, Any] = {"schema": "callshield.eval/1", "task": task,
                               "overall": _block(scored, thresholds, rounds), "by": {}}
    for column in GROUP_COLUMNS:
        values = sorted({s.item.groups[column] for s in scored if column in s.item.groups})
        if not values:
            continue
        per: dict[str, Any] = {}
        for value in values:
            members = [s for s in scored if s.item.groups.get(column) == value]
            if not any(m.item.label == 0 for m in members):
                # a spoof-only group (one generator) is judged against every bona fide item
                members += [s for s in scored if s.item.label == 0]
            per[value] = _block(members, thresholds, rounds)
        summary["by"][column] = per
    reasons: dict[str, int] = {}
    for s in scored:
        if s.score is None:
            reasons[s.reason or "unknown"] = reasons.get(s.reason or "unknown", 0) + 1
    summary["not_judged"] = reasons
    return summary
