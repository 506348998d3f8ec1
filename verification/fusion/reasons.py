"""Plain-language reasons with the numbers behind them."""

from __future__ import annotations

from typing import Sequence

from verification.detectors.evidence import Evidence

WHAT = {
    "voice_synthetic": "voice: synthesis artefacts",
    "voice_identity": "voice: does not match the earlier or enrolled speaker",
    "face_synthetic": "face: swap or generation artefacts",
    "pulse": "face: no consistent pulse",
    "blink": "face: unnatural blinking",
    "av_sync": "lips and voice out of step",
    "replay": "video: looped, frozen or replayed",
    "challenge": "challenge: response failed or distorted",
}
FLAG_AT = 0.5  # a window counts as "flagged" when its score is at least this


def describe(detector_id: str, windows: Sequence[Evidence], who: str | None) -> str:
    """e.g. "voice: synthesis artefacts in 8 of 10 windows over 5.5 s (score 0.93)"."""
    ok = [w for w in windows if w.status == "ok" and w.score is not None]
    flagged = sum(1 for w in ok if (w.score or 0.0) >= FLAG_AT)
    span = (ok[-1].t1 - ok[0].t0) if ok else 0.0
    latest = ok[-1] if ok else None
    text = WHAT.get(detector_id, detector_id)
    if who:
        text = f"{who}: {text}"
    summary = latest.details.get("summary") if latest is not None else None
    if isinstance(summary, str) and summary:
        text += f" ({summary})"
    score = f"score {latest.score:.2f}" if latest is not None and latest.score is not None else "no score"
    return f"{text} in {flagged} of {len(ok)} windows over {span:.1f} s ({score}) [{detector_id}]"


def describe_not_judged(reasons: dict[str, str]) -> list[str]:
    """Group detector ids by the reason they could not judge."""
    grouped: dict[str, list[str]] = {}
    for det, reason in reasons.items():
        grouped.setdefault(reason, []).append(det)
    return [f"not judged: {', '.join(dets)}: {reason}" for reason, dets in grouped.items()]
