"""Hearing the digits a caller reads aloud: Whisper's words turned into a digit string."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

import numpy as np

from verification.speech.whisper import Recogniser

_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
          "six": "6", "seven": "7", "eight": "8", "nine": "9"}
# Whisper hears single digits as these homophones now and then; only digit context makes them digits.
_HOMOPHONES = {"to": "2", "too": "2", "for": "4", "won": "1", "ate": "8"}
# No prompt: on 30 four-digit FSDD sequences a prompt of words (20/30 right) or of example digits
# (21/30) did worse than none (23/30), and example digits could be echoed back on silence.
DIGITS_PROMPT: str | None = None


def spoken_digits(text: str) -> str:
    """The digits in a transcript, in order: "7, one 0 - nine" -> "7109". Other words are skipped;
    a homophone ("for", "to") counts only when a digit stands next to it."""
    tokens = re.findall(r"[a-z]+|\d", text.lower())
    mapped = [_WORDS.get(tok, tok if tok.isdigit() else None) for tok in tokens]
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if mapped[i] is not None:
            out.append(mapped[i])  # type: ignore[arg-type]
        elif tok in _HOMOPHONES:
            near = [mapped[j] for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
            if any(n is not None for n in near):
                out.append(_HOMOPHONES[tok])
    return "".join(out)


class DigitReader(Protocol):
    def __call__(self, audio: np.ndarray) -> str | None:
        """Digits heard in 16 kHz audio; None when they cannot be checked at all."""
        ...


class WhisperDigitReader:
    """Loads the recogniser on first use (a second or two), so calls without a digit challenge
    never pay for it. `load` raising ModelError (model missing or tampered) leaves the reader
    without a recogniser: every later challenge says the digits could not be checked."""

    def __init__(self, load: Callable[[], Recogniser]) -> None:
        self._load = load
        self._recogniser: Recogniser | None = None
        self.problem: str | None = None

    def __call__(self, audio: np.ndarray) -> str | None:
        from verification.errors import ModelError

        if self._recogniser is None and self.problem is None:
            try:
                self._recogniser = self._load()
            except ModelError as exc:
                self.problem = str(exc)
        if self._recogniser is None:
            return None
        segments = self._recogniser.transcribe(audio, prompt=DIGITS_PROMPT)
        return spoken_digits(" ".join(s.text for s in segments))
