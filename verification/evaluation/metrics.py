"""Detection metrics with honest uncertainty: ROC, AUC, EER, rates at fixed thresholds, bootstrap CIs.

Convention everywhere: label 1 = spoof (synthetic, replayed), 0 = bona fide; higher score = more
likely spoof. A "false alarm" is a bona fide item at or above the threshold, a "miss" a spoof below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Roc:
    far: np.ndarray  # false-alarm rate per threshold (bona fide flagged)
    tpr: np.ndarray  # spoofs caught
    thresholds: np.ndarray


def _check(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    if scores.shape != labels.shape or scores.ndim != 1:
        raise ValueError("scores and labels must be 1-D and the same length")
    if not ((labels == 0) | (labels == 1)).all():
        raise ValueError("labels must be 0 (bona fide) or 1 (spoof)")
    return scores, labels


def roc_curve(scores: np.ndarray, labels: np.ndarray) -> Roc:
    scores, labels = _check(scores, labels)
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], labels[order]
    distinct = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # last index of each distinct score
    tp = np.cumsum(y)[distinct]
    fp = np.cumsum(1 - y)[distinct]
    pos, neg = max(int(y.sum()), 1), max(int((1 - y).sum()), 1)
    return Roc(np.r_[0.0, fp / neg], np.r_[0.0, tp / pos], np.r_[np.inf, s[distinct]])


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that a random spoof scores above a random bona fide item (ties count half)."""
    scores, labels = _check(scores, labels)
    pos, neg = scores[labels == 1], scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    ranks = _average_ranks(np.r_[pos, neg])
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    sorted_vals = values[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_vals[j + 1] == sorted_vals[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def eer(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Equal error rate and the threshold where false alarms and misses meet (interpolated)."""
    roc = roc_curve(scores, labels)
    miss = 1.0 - roc.tpr
    diff = roc.far - miss  # rises from -1 towards +1 as the threshold falls
    k = int(np.argmax(diff >= 0))
    if k == 0:
        return float(roc.far[0]), float(roc.thresholds[1] if len(roc.thresholds) > 1 else 0.5)
    d0, d1 = diff[k - 1], diff[k]
    w = 0.0 if d1 == d0 else -d0 / (d1 - d0)
    rate = (roc.far[k - 1] + w * (roc.far[k] - roc.far[k - 1]) + miss[k - 1] + w * (miss[k] - miss[k - 1])) / 2
    t_hi = roc.thresholds[k - 1] if np.isfinite(roc.thresholds[k - 1]) else roc.thresholds[k]
    return float(rate), float(t_hi + w * (roc.thresholds[k] - t_hi))


def rates_at(scores: np.ndarray, labels: np.ndarray, threshold: float) -> tuple[float, float]:
    """(false-alarm rate, miss rate) when flagging scores >= threshold."""
    scores, labels = _check(scores, labels)
    bona, spoof = scores[labels == 0], scores[labels == 1]
    far = float((bona >= threshold).mean()) if len(bona) else float("nan")
    miss = float((spoof < threshold).mean()) if len(spoof) else float("nan")
    return far, miss


def bootstrap_ci(statistic: Callable[[np.ndarray, np.ndarray], float], scores: np.ndarray, labels: np.ndarray,
                 rounds: int = 1000, seed: int = 0, groups: np.ndarray | None = None) -> tuple[float, float]:
    """95% percentile interval. With `groups` (speaker or identity), whole groups are resampled,
    because windows of one person are not independent evidence."""
    scores, labels = _check(scores, labels)
    rng = np.random.default_rng(seed)
    if groups is None:
        groups = np.arange(len(scores))
    unique = np.unique(groups)
    members = [np.nonzero(groups == g)[0] for g in unique]
    values = []
    for _ in range(rounds):
        pick = rng.integers(0, len(unique), len(unique))
        idx = np.concatenate([members[i] for i in pick])
        y = labels[idx]
        if y.min() == y.max():
            continue  # one class only: the statistic is undefined for this draw
        values.append(statistic(scores[idx], y))
    if not values:
        return float("nan"), float("nan")
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)
