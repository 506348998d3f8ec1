"""Scam cues heard while a call goes on: the call's audio is fed as it arrives, cues come back
as soon as the chunk that holds them has been transcribed.

One worker thread owns a listener (the recogniser is not thread-safe). The recogniser is loaded
on the first audio, on that thread, so starting a call never waits for it; a missing or tampered
model leaves the listener deaf with a one-line `problem`. The transcript stays in this object's
memory; `section()` puts it in the report only when `keep_transcript()` says the user chose so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from verification.errors import ModelError
from verification.speech.call_cues import cue_section
from verification.speech.chunked import CHUNK_S, DEFAULT_BUDGET, ChunkedTranscriber
from verification.speech.cues import Cue, spot_cues
from verification.speech.whisper import Recogniser, Segment


class LiveCueListener:
    def __init__(self, load: Callable[[], Recogniser], *, budget: float = DEFAULT_BUDGET,
                 chunk_s: float = CHUNK_S, keep_transcript: Callable[[], bool] = lambda: False) -> None:
        self._load = load
        self._recogniser: Recogniser | None = None
        self._keep = keep_transcript
        self.problem: str | None = None
        self._transcriber = ChunkedTranscriber(self._transcribe, chunk_s=chunk_s, budget=budget)
        self._segments: list[Segment] = []
        self._cues: list[Cue] = []

    def _transcribe(self, chunk: np.ndarray) -> list[Segment]:
        assert self._recogniser is not None
        return self._recogniser.transcribe(chunk)

    def _ready(self) -> bool:
        if self._recogniser is None and self.problem is None:
            try:
                self._recogniser = self._load()
            except ModelError as exc:
                self.problem = str(exc)
        return self._recogniser is not None

    def feed(self, samples: np.ndarray) -> list[Cue]:
        """16 kHz audio that follows the last; returns the cues of chunks completed now."""
        if not self._ready():
            return []
        return self._take(self._transcriber.feed(samples))

    def skip(self, seconds: float) -> None:
        """Audio that never reached the listener: counted as skipped chunks."""
        if self._ready():
            self._transcriber.skip(seconds)

    def finish(self) -> list[Cue]:
        """The call ended: the last, shorter chunk."""
        return self._take(self._transcriber.finish()) if self._recogniser is not None else []

    def _take(self, segments: list[Segment]) -> list[Cue]:
        self._segments += segments
        cues = spot_cues(segments)
        self._cues += cues
        return cues

    def coverage(self) -> dict[str, object]:
        """Chunks heard and skipped so far (the report's `speech_cues.chunks`)."""
        return self._transcriber.stats.as_dict()

    def section(self) -> dict[str, Any]:
        """The report's `speech_cues` for the call so far."""
        section = cue_section(self._cues, self._transcriber.stats,
                              self._segments if self._keep() else None)
        if self.problem is not None:
            section["unavailable"] = self.problem
        return section
