"""Metric maths against cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from verification.evaluation.metrics import auc, bootstrap_ci, eer, rates_at, roc_curve


def test_perfect_separation() -> None:
    scores = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    labels = np.array([0, 0, 0, 1, 1, 1])
    assert auc(scores, labels) == 1.0
    rate, threshold = eer(scores, labels)
    assert rate == 0.0 and 0.3 <= threshold <= 0.7


def test_inverted_and_tied() -> None:
    labels = np.array([0, 0, 1, 1])
    assert auc(np.array([0.9, 0.8, 0.2, 0.1]), labels) == 0.0
    assert auc(np.full(4, 0.5), labels) == 0.5
    assert eer(np.full(4, 0.5), labels)[0] == pytest.approx(0.5)


def test_auc_matches_pair_counting_and_eer_is_where_rates_meet() -> None:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 400)
    scores = rng.normal(labels * 1.2, 1.0)
    pos, neg = scores[labels == 1], scores[labels == 0]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert auc(scores, labels) == pytest.approx(pairs)
    rate, threshold = eer(scores, labels)
    far, miss = rates_at(scores, labels, threshold)
    assert abs(far - miss) < 0.03 and abs(rate - (far + miss) / 2) < 0.02
    roc = roc_curve(scores, labels)
    assert roc.far[0] == 0 and roc.far[-1] == 1 and roc.tpr[-1] == 1
    assert np.all(np.diff(roc.far) >= 0) and np.all(np.diff(roc.tpr) >= 0)


def test_bootstrap_interval_contains_estimate_and_groups_widen_it() -> None:
    rng = np.random.default_rng(5)
    labels = np.repeat([0, 1], 200)
    scores = rng.normal(labels, 1.0)
    lo, hi = bootstrap_ci(auc, scores, labels, rounds=300)
    assert lo < auc(scores, labels) < hi
    groups = np.repeat(np.arange(8), 50)  # 8 "speakers", each one class
    glo, ghi = bootstrap_ci(auc, scores, labels, rounds=300, groups=groups)
    assert ghi - glo > hi - lo
