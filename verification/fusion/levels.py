"""Risk levels with hysteresis: rise at once, fall only after the risk stayed low for a while,
so the level a person sees does not flap between windows."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: a call is `elevated` from 2:1 odds of spoof, `high` from 9:1 (at even prior odds)
ELEVATED_AT = 2.0 / 3.0
HIGH_AT = 0.9
ORDER = {"unknown": -1, "low": 0, "elevated": 1, "high": 2}
ELEVATED_LLR = math.log(2.0)
HIGH_LLR = math.log(9.0)


def level_for(risk: float) -> str:
    if risk >= HIGH_AT:
        return "high"
    if risk >= ELEVATED_AT:
        return "elevated"
    return "low"


@dataclass
class LevelTracker:
    hold_s: float = 4.0  # media seconds the risk must stay below a level before the level drops
    margin: float = 0.05  # and by this much below its threshold
    level: str = "unknown"
    _low_since: float | None = None

    def update(self, risk: float | None, now_t: float) -> str:
        if risk is None:
            if self.level in ("unknown", "low"):
                self.level = "unknown"
            return self.level  # losing evidence never lowers an alert by itself
        raw = level_for(risk)
        if ORDER[raw] >= ORDER[self.level]:
            self.level, self._low_since = raw, None
            return self.level
        threshold = HIGH_AT if self.level == "high" else ELEVATED_AT
        if risk >= threshold - self.margin:
            self._low_since = None
            return self.level
        if self._low_since is None:
            self._low_since = now_t
        if now_t - self._low_since >= self.hold_s:
            self.level, self._low_since = raw, None
        return self.level
