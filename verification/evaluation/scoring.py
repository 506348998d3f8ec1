"""Runs the engine over labelled media and collects one score per file for a task."""

from __future__ import annotations

import sys
from typing import Any, Sequence

from verification.errors import CallShieldError
from verification.evaluation.labels import LabelledItem
from verification.evaluation.summary import ScoredItem
from verification.progress import FileProgress

VERDICT_TASK = "verdict"


def task_score(report: dict[str, Any], task: str) -> tuple[float | None, str | None]:
    if task == VERDICT_TASK:
        risk = report["verdict"]["risk"]
        return risk, None if risk is not None else "unknown"
    det = report["detectors"][task]
    return det["score"], det["reason"]


def score_items(analyzer: Any, items: Sequence[LabelledItem], task: str) -> tuple[list[ScoredItem], int]:
    """(scored items, number of unreadable files); unreadable files print one line each."""
    scored: list[ScoredItem] = []
    failed = 0
    with FileProgress(enabled=sys.stderr.isatty()) as bar:
        update = bar.callback(f"{task}: {len(items)} files")
        for n, item in enumerate(items, start=1):
            try:
                report = analyzer.analyze(item.path)
            except CallShieldError as exc:
                failed += 1
                bar.print_error(f"callshield: error: {exc}")
                continue
            scored.append(ScoredItem(item, *task_score(report, task)))
            update(float(n), float(len(items)))
    return scored, failed
