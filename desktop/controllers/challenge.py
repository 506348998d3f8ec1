"""What the challenge panel needs from the engine's challenge detector, as a small interface.

The staff member presses a button; the engine picks a challenge and returns the words to say to
the caller; the detector scores the response from the call itself. The panel only shows this:
picking and scoring stay in `verification`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Sequence, runtime_checkable

Outcome = Literal["passed", "failed", "not_judged"]


@dataclass(frozen=True)
class ChallengePrompt:
    challenge_id: str
    kind: str  # e.g. "head_turn", "hand_over_face", "read_digits"
    say: str  # the words the staff member says to the caller
    timeout_s: float  # how long the caller has to respond


@dataclass(frozen=True)
class ChallengeResult:
    challenge_id: str
    outcome: Outcome
    score: float | None  # 0 = bona fide response, 1 = spoof-like response
    summary: str  # plain words, e.g. "head turned 38 degrees after 1.2 s; no face artefacts"
    details: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class ChallengeController(Protocol):
    """Thread-safe: called from the GUI thread while the detector runs on the vision worker."""

    def start_challenge(self) -> ChallengePrompt: ...

    def challenge_result(self, challenge_id: str) -> ChallengeResult | None:
        """None while the caller still has time to respond."""
        ...


def find_challenge_controller(detectors: Sequence[Any]) -> ChallengeController | None:
    """The controller of this session's challenge detector, or None when the build has none."""
    for detector in detectors:
        if getattr(detector, "id", None) != "challenge":
            continue
        controller = getattr(detector, "controller", None)
        if isinstance(controller, ChallengeController):
            return controller
    return None
