"""What to do at each level, in one sentence: the verdict line of the app, the overlay and the
report. A detector verdict never releases a payment; it only says how much of the procedure is
left to chance, so every line still points at the call-back."""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

VERDICT_LINES: Mapping[str, str] = MappingProxyType({
    "unknown": "Not judged yet — do the full call-back before paying.",
    "low": "Low risk so far — no signs of synthetic media; still do the policy's call-back steps before paying.",
    "elevated": "Elevated risk — do not pay until every call-back step is done.",
    "high": "High risk — do not pay; hang up and follow the call-back procedure.",
})


def verdict_line(level: str) -> str:
    """The sentence for `level`; anything unrecognised reads as not judged (fail closed)."""
    return VERDICT_LINES.get(level, VERDICT_LINES["unknown"])
