"""One plain sentence per challenge outcome, for the clerk: what happened and what it means.

The numbers behind it stay in the evidence details (for reports and audits); the clerk reads
this sentence only, so it names the one reason that decided the result.
"""

from __future__ import annotations

import math
from typing import Any

from verification.detectors.challenge_control import ChallengeKind

PASS_BELOW = 0.5  # challenge scores below this pass (the desktop uses the same line)


def _spaced(digits: str | None) -> str:
    return " ".join(digits) if digits else ""


def _seconds(latency_ms: Any) -> str:
    if not isinstance(latency_ms, (int, float)) or not math.isfinite(latency_ms):
        return ""
    return f" {latency_ms / 1000.0:.1f} s after the prompt"


def _digits_sentence(score: float, d: dict[str, Any], limit_s: float) -> str:
    asked = _spaced(d.get("digits_asked"))
    if not d.get("completed") and not d.get("speech_s"):
        return f"No one read the digits {asked} within {limit_s:.0f} s, so the challenge failed."
    if d.get("digits_checked") and not d.get("digits_match"):
        heard = _spaced(d.get("digits_heard")) or "no digits"
        return (f"The caller was asked for {asked} but said {heard}, so the challenge failed: "
                "a recording or a face and voice that cannot follow a new request.")
    if d.get("still_lips_term"):
        return ("A voice read the digits but the lips did not move, so the challenge failed: "
                "a still picture or a frozen video with someone else's voice.")
    if d.get("sync_term"):
        return ("The digits were said but the lips did not move in time with the voice, so the challenge "
                "failed: the voice may not come from the face on screen.")
    if not d.get("completed"):
        return f"The caller started but did not finish reading {asked}, so the challenge failed."
    if score >= PASS_BELOW:
        return f"The caller read {asked} but took too long to start{_seconds(d.get('latency_ms'))}, so the challenge failed."
    return (f"The caller read {asked} correctly{_seconds(d.get('latency_ms'))}, with the lips moving in time "
            "with the voice.")


def _turn_sentence(kind: ChallengeKind, score: float, d: dict[str, Any]) -> str:
    side = "left" if kind is ChallengeKind.TURN_LEFT else "right"
    if not d.get("completed"):
        return f"The caller did not turn their head to the {side} far enough, so the challenge failed."
    if d.get("landmark_loss_term", 0) >= PASS_BELOW or d.get("softness_term", 0) >= PASS_BELOW:
        return "The face broke up or blurred while the head turned, so the challenge failed: a sign of a face swap."
    if score >= PASS_BELOW:
        return "The head turned, but late or the wrong way, so the challenge failed."
    return f"The caller turned their head to the {side}{_seconds(d.get('latency_ms'))} and the face held."


def _hand_sentence(score: float, d: dict[str, Any]) -> str:
    if not d.get("completed"):
        return "The caller did not pass a hand across the face and show it again, so the challenge failed."
    if d.get("return_term", 0) >= PASS_BELOW:
        return "The face looked different after the hand passed, so the challenge failed: a sign of a face swap."
    if score >= PASS_BELOW:
        return "The hand passed the face, but late, so the challenge failed."
    return "The hand passed across the face and the same face came back."


def summarise(kind: ChallengeKind, score: float | None, reason: str | None, details: dict[str, Any],
              limit_s: float) -> str:
    """The sentence shown for one challenge; `score` None: it could not be judged."""
    if score is None:
        return f"The challenge could not be judged: {reason or 'no result'}. Treat the call as not verified."
    if kind is ChallengeKind.DIGITS:
        return _digits_sentence(score, details, limit_s)
    if kind is ChallengeKind.HAND:
        return _hand_sentence(score, details)
    return _turn_sentence(kind, score, details)
