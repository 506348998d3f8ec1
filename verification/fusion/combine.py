"""Pure combination of per-detector LLRs into one risk.

Correlated detectors (same cue family) are not double-counted: within a group only the strongest
LLR counts. Across groups, spoof evidence adds up; bona fide evidence counts only when no group
sees spoof evidence, so a convincing channel never cancels a fake one (attackers fake the channel
they can: a cloned voice behind a real face, a swapped face over a real voice).
"""

from __future__ import annotations

import math

GROUPS: dict[str, str] = {
    "voice_synthetic": "voice",
    "voice_identity": "voice_identity",
    "face_synthetic": "face_artefacts",
    "replay": "face_artefacts",
    "pulse": "physiology",
    "blink": "physiology",
    "av_sync": "lip_sync",
    "challenge": "challenge",
}
NEGATIVE_FLOOR = -3.0  # how reassuring "everything looks real" may get (risk ~ 0.05)


def group_llrs(llrs: dict[str, float]) -> dict[str, tuple[str, float]]:
    """group -> (detector that decides it, its LLR): the strongest member in either direction's favour
    of spoof (max), so adding a member can only raise a group."""
    groups: dict[str, tuple[str, float]] = {}
    for det, llr in llrs.items():
        g = GROUPS.get(det, det)
        if g not in groups or llr > groups[g][1]:
            groups[g] = (det, llr)
    return groups


def total_llr(llrs: dict[str, float]) -> float:
    groups = group_llrs(llrs)
    positive = sum(max(0.0, llr) for _, llr in groups.values())
    if positive > 0.0:
        return positive
    return max(NEGATIVE_FLOOR, sum(min(0.0, llr) for _, llr in groups.values()))


def risk_from_llr(llr: float, prior_log_odds: float = 0.0) -> float:
    return 1.0 / (1.0 + math.exp(-(llr + prior_log_odds)))
