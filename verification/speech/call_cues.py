"""Scam cues for a whole recording: decode its audio, transcribe in budgeted chunks, spot cues.

The transcript never leaves the machine; it goes into the report only when the user asks
(`keep_transcript`), otherwise only the cues (with their quotes) do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from verification.sources.file_source import FileAudioSource
from verification.speech.chunked import DEFAULT_BUDGET, ChunkStats, ChunkedTranscriber
from verification.speech.cues import CHECKLIST_ITEM, Cue, spot_cues
from verification.speech.whisper import BUNDLE_ID, Recogniser, Segment


def read_call_audio(path: str | Path) -> np.ndarray:
    """The recording's audio at 16 kHz mono (empty when it has none)."""
    source = FileAudioSource(Path(path), chunk_s=1.0)
    source.open()
    chunks = []
    try:
        while (chunk := source.read()) is not None:
            chunks.append(np.asarray(chunk.samples, np.float32).reshape(-1))
    finally:
        source.close()
    return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)


def call_cues(audio: np.ndarray, recogniser: Recogniser, *, keep_transcript: bool = False,
              budget: float = DEFAULT_BUDGET) -> dict[str, Any]:
    """The report's optional `speech_cues` section for one call's audio."""
    transcriber = ChunkedTranscriber(lambda chunk: recogniser.transcribe(chunk), budget=budget)
    segments = transcriber.feed(audio) + transcriber.finish()
    return cue_section(spot_cues(segments), transcriber.stats, segments if keep_transcript else None)


def cue_section(cues: list[Cue], stats: ChunkStats, transcript: list[Segment] | None) -> dict[str, Any]:
    """`speech_cues` from what was heard; the transcript only when given (the user chose to keep it)."""
    section: dict[str, Any] = {
        "model": BUNDLE_ID,
        "cues": [cue.as_dict() for cue in cues],
        "checklist": sorted({CHECKLIST_ITEM[c.kind] for c in cues if c.kind in CHECKLIST_ITEM}),
        "chunks": stats.as_dict(),
    }
    if transcript is not None:
        section["transcript"] = [{"start_s": round(s.start_s, 2), "end_s": round(s.end_s, 2), "text": s.text}
                                 for s in transcript]
    return section
