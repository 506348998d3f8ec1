"""The raw score at which a detector, on its own, raises the call to each level.

A detector alone reaches a level when its calibrated LLR does (verification.fusion.levels), so
the raw threshold is the calibration's inverse at that LLR.
"""

from __future__ import annotations

from verification.fusion.calibration import Calibration, CalibrationSet, load_calibration
from verification.fusion.levels import ELEVATED_AT, ELEVATED_LLR, HIGH_AT, HIGH_LLR


def shipped_thresholds(task: str, calibration: CalibrationSet | None = None) -> dict[str, float]:
    if task == "verdict":  # the call's risk itself
        return {"elevated": ELEVATED_AT, "high": HIGH_AT}
    cal = (calibration or load_calibration()).for_detector(task)
    return {"elevated": round(cal.score_for_llr(ELEVATED_LLR), 4), "high": round(cal.score_for_llr(HIGH_LLR), 4)}


def elevated_at(cal: Calibration, log_odds: float, note: str = "") -> Calibration:
    """`cal` with its offset moved so that a raw log-odds of `log_odds` is exactly `elevated`; the
    slope is kept, so `high` moves by the same amount (for operating-point studies)."""
    return Calibration(cal.a, ELEVATED_LLR - cal.a * log_odds, note or f"{cal.fitted_on}; elevated moved to {log_odds}")
