"""Scam cues heard in a watched call: one cue listener per call for the engine's speech worker.

The recogniser loads once, on the first call's speech thread (never the GUI thread), and is kept
for later calls; a missing model is tried again on the next call (the user may fetch it). The
transcript stays in the listener's memory and reaches the call's report only when
`keep_transcript()` says the user chose to keep it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from verification.inference.manifest import load_manifest
from verification.speech.chunked import DEFAULT_BUDGET
from verification.speech.live import LiveCueListener
from verification.speech.whisper import Recogniser


class CueListeners:
    def __init__(self, model_dir: Path, keep_transcript: Callable[[], bool] = lambda: False,
                 budget: float = DEFAULT_BUDGET) -> None:
        self._model_dir = model_dir
        self._keep = keep_transcript
        self._budget = budget
        self._held: list[Recogniser] = []
        self._lock = threading.Lock()  # two calls' threads never load it twice

    def _recogniser(self) -> Recogniser:
        with self._lock:
            if not self._held:
                self._held.append(Recogniser(load_manifest(), self._model_dir))
            return self._held[0]

    def __call__(self) -> LiveCueListener:
        """A fresh listener for one call (its chunks, cues and transcript are that call's)."""
        return LiveCueListener(self._recogniser, budget=self._budget, keep_transcript=self._keep)
