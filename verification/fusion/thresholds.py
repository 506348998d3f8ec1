"""The score thresholds a detector's raw score must reach to raise the call to each level.

Until calibration maps raw scores to likelihood ratios, a detector alone raises the call to
`elevated` at 0.5 and to `high` at 0.8 (verification.fusion.verdict).
"""

from __future__ import annotations

from verification.fusion.verdict import ELEVATED_AT, HIGH_AT


def shipped_thresholds(task: str) -> dict[str, float]:
    return {"elevated": ELEVATED_AT, "high": HIGH_AT}
