"""Provisional fusion of detector evidence into a verdict (risk, level, reasons).

Rule of this first version: the strongest judged signal sets the risk; if nothing could be
judged the level is `unknown` and the full confirmation procedure applies (fail closed).
Calibrated fusion replaces `combine_scores` without changing the Verdict contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from verification.detectors.evidence import DetectorResult

ELEVATED_AT = 0.5
HIGH_AT = 0.8


@dataclass(frozen=True)
class Verdict:
    risk: float | None  # None when nothing could be judged
    level: str  # low | elevated | high | unknown
    reasons: list[str] = field(default_factory=list)
    judged: list[str] = field(default_factory=list)  # detector ids that contributed

    def as_dict(self) -> dict:
        return {"risk": None if self.risk is None else round(self.risk, 4), "level": self.level,
                "reasons": list(self.reasons)}


def level_for(risk: float) -> str:
    if risk >= HIGH_AT:
        return "high"
    if risk >= ELEVATED_AT:
        return "elevated"
    return "low"


def combine_scores(scores: dict[str, float]) -> float:
    return max(scores.values())


def fuse_results(results: Iterable[DetectorResult]) -> Verdict:
    results = list(results)
    judged = {r.detector_id: float(r.score) for r in results if r.status == "ok" and r.score is not None}
    if not judged:
        return unknown_verdict({r.detector_id: r.reason or "no result" for r in results})
    risk = combine_scores(judged)
    ranked = sorted(judged.items(), key=lambda kv: kv[1], reverse=True)
    reasons = [f"{det}: {score:.2f}" for det, score in ranked if score >= ELEVATED_AT]
    if not reasons:
        reasons = [f"no judged detector found signs of synthesis (highest {ranked[0][0]}: {ranked[0][1]:.2f})"]
    return Verdict(risk, level_for(risk), reasons, [d for d, _ in ranked])


def unknown_verdict(why: dict[str, str]) -> Verdict:
    """Nothing judged: say why, grouped, and that the full procedure applies."""
    grouped: dict[str, list[str]] = {}
    for det, reason in why.items():
        grouped.setdefault(reason, []).append(det)
    parts = [f"{', '.join(dets)}: {reason}" for reason, dets in grouped.items()]
    reasons = ["no detector could judge this call; the full confirmation procedure applies"] + parts
    return Verdict(None, "unknown", reasons, [])
