"""Equal error rate, bootstrap intervals and Platt calibration (numpy only)."""

from __future__ import annotations

import numpy as np


def eer(real: np.ndarray, spoof: np.ndarray) -> float:
    """Equal error rate; higher scores mean 'synthetic'. Ties count half."""
    real, spoof = np.asarray(real, float), np.asarray(spoof, float)
    if real.size == 0 or spoof.size == 0:
        return float("nan")
    thresholds = np.unique(np.concatenate([real, spoof]))
    real_sorted, spoof_sorted = np.sort(real), np.sort(spoof)
    far = 1.0 - np.searchsorted(real_sorted, thresholds, side="left") / real.size  # real >= t flagged
    frr = np.searchsorted(spoof_sorted, thresholds, side="left") / spoof.size  # spoof < t missed
    k = int(np.argmin(np.abs(far - frr)))
    return float((far[k] + frr[k]) / 2)


def bootstrap_eer(real: np.ndarray, spoof: np.ndarray, seed: int, rounds: int = 500) -> tuple[float, float]:
    """95% percentile interval, resampling each class's utterances with replacement."""
    rng = np.random.default_rng(seed)
    real, spoof = np.asarray(real), np.asarray(spoof)
    values = [eer(rng.choice(real, real.size), rng.choice(spoof, spoof.size)) for _ in range(rounds)]
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def platt(logits: np.ndarray, labels: np.ndarray, iters: int = 200) -> tuple[float, float]:
    """a, b so that sigmoid(a * logit + b) is calibrated on (class-balanced) validation data."""
    x, y = np.asarray(logits, float), np.asarray(labels, float)
    w = np.where(y == 1, 0.5 / max(1, (y == 1).sum()), 0.5 / max(1, (y == 0).sum()))
    a, b = 1.0, 0.0
    for _ in range(iters):  # Newton steps on the weighted log loss
        p = 1 / (1 + np.exp(-(a * x + b)))
        g = np.array([np.sum(w * (p - y) * x), np.sum(w * (p - y))])
        h = np.sum(w * p * (1 - p))
        hess = np.array([[np.sum(w * p * (1 - p) * x * x), np.sum(w * p * (1 - p) * x)],
                         [np.sum(w * p * (1 - p) * x), h]]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-7:
            break
    return float(a), float(b)
