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


class EngineChallengeAdapter:
    """Adapts the engine's challenge controller (post a prompt; the verdict arrives later as
    `challenge` evidence) to the panel's interface. Used on the GUI thread only: prompts are
    posted here and evidence is fed in by the live session as it drains engine events."""

    def __init__(self, controller: Any, timeout_s: float = 10.0) -> None:
        self._controller = controller
        self._timeout_s = timeout_s
        self._count = 0
        self._pending: str | None = None
        self._results: dict[str, ChallengeResult] = {}

    def start_challenge(self) -> ChallengePrompt:
        prompt = self._controller.request()
        self._count += 1
        self._pending = f"challenge-{self._count}"
        kind = getattr(prompt.kind, "value", str(prompt.kind))
        return ChallengePrompt(self._pending, kind, prompt.text, self._timeout_s)

    def challenge_result(self, challenge_id: str) -> ChallengeResult | None:
        return self._results.get(challenge_id)

    def record(self, evidence: Any) -> None:
        """Engine evidence from the `challenge` detector resolves the pending prompt."""
        if evidence.detector_id != "challenge" or self._pending is None:
            return
        details = dict(evidence.details or {})
        if evidence.status != "ok" or evidence.score is None:
            outcome: Outcome = "not_judged"
            summary = str(details.get("summary") or evidence.reason or "could not judge the response")
        else:
            outcome = "failed" if evidence.score >= 0.5 else "passed"
            summary = str(details.get("summary") or "")
        self._results[self._pending] = ChallengeResult(self._pending, outcome, evidence.score, summary, details)
        self._pending = None


def find_challenge_controller(detectors: Sequence[Any]) -> ChallengeController | None:
    """The controller of this session's challenge detector, or None when the build has none."""
    for detector in detectors:
        if getattr(detector, "id", None) != "challenge":
            continue
        controller = getattr(detector, "controller", None)
        if isinstance(controller, ChallengeController):
            return controller
        if controller is not None and callable(getattr(controller, "request", None)):
            options = getattr(detector, "options", None)
            return EngineChallengeAdapter(controller, float(getattr(options, "digits_timeout_s", 10.0)) + 2.0)
    return None
