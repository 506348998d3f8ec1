"""Active challenges: the prompts, and the thread-safe hand-over from the UI to the vision thread.

The desktop (UI thread) calls `ChallengeController.request()`, shows the returned prompt text to
the staff member, who asks the caller to do it. The vision worker drains the controller on its
next analysed frame (`ChallengeDetector` does this itself) and scores the response. The posting
time (time.monotonic) travels with the prompt, so the response latency is measured from the
moment the staff member saw the prompt, not from when the worker happened to pick it up.
"""

from __future__ import annotations

import queue
import secrets
import time
from dataclasses import dataclass
from enum import Enum
from typing import Protocol


class ChallengeKind(str, Enum):
    TURN_LEFT = "turn_left"
    TURN_RIGHT = "turn_right"
    HAND = "hand_across_face"
    DIGITS = "read_digits"


class RandomSource(Protocol):
    def choice(self, seq: list) -> object: ...  # noqa: ANN401 - random.Random/SystemRandom interface

    def randrange(self, stop: int) -> int: ...


@dataclass(frozen=True)
class ChallengePrompt:
    kind: ChallengeKind
    text: str  # what the staff member asks the caller
    digits: str | None = None
    posted_at: float | None = None  # time.monotonic() when the UI posted it
    track: int | None = None  # face track to watch; None: the largest face


@dataclass(frozen=True)
class CancelChallenge:
    posted_at: float


def make_prompt(kind: ChallengeKind | None, rng: RandomSource | None = None, track: int | None = None,
                posted_at: float | None = None) -> ChallengePrompt:
    """A prompt of `kind` (random kind when None). Digits come from the OS's secure random source
    by default: a pre-recorded answer must not be able to guess them."""
    rng = rng if rng is not None else secrets.SystemRandom()
    chosen = kind if kind is not None else ChallengeKind(rng.choice([k.value for k in ChallengeKind]))
    digits = None
    if chosen is ChallengeKind.TURN_LEFT:
        text = "Please turn your head slowly to your left, then back to the camera."
    elif chosen is ChallengeKind.TURN_RIGHT:
        text = "Please turn your head slowly to your right, then back to the camera."
    elif chosen is ChallengeKind.HAND:
        text = "Please pass your hand slowly across your face, from one side to the other."
    else:
        digits = "".join(str(rng.randrange(10)) for _ in range(4))
        text = f"Please read these digits aloud: {' '.join(digits)}."
    return ChallengePrompt(chosen, text, digits, posted_at, track)


class ChallengeController:
    """Thread-safe mailbox from the UI thread to the vision worker (queue.SimpleQueue inside)."""

    def __init__(self, rng: RandomSource | None = None) -> None:
        self._queue: queue.SimpleQueue[ChallengePrompt | CancelChallenge] = queue.SimpleQueue()
        self._rng = rng

    def request(self, kind: ChallengeKind | None = None, track: int | None = None) -> ChallengePrompt:
        """Any thread: create a prompt, queue it for the detector, return it for display."""
        prompt = make_prompt(kind, self._rng, track, posted_at=time.monotonic())
        self._queue.put(prompt)
        return prompt

    def cancel(self) -> None:
        self._queue.put(CancelChallenge(time.monotonic()))

    def drain(self) -> list[ChallengePrompt | CancelChallenge]:
        """Vision thread: everything posted since the last drain, oldest first (never blocks)."""
        items: list[ChallengePrompt | CancelChallenge] = []
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                return items
