"""Local speech recognition with Whisper tiny.en (CTranslate2), loaded only from verified bytes.

Every file of the bundle is read once, checked against its manifest sha256 and handed to
faster-whisper from memory, so the recogniser never reads a file that was not checked and
nothing is ever fetched at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from verification.errors import ModelError
from verification.inference.manifest import Manifest
from verification.inference.verify import read_verified

BUNDLE_ID = "whisper_tiny_en"
SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Segment:
    """A stretch of recognised speech; times in seconds from the start of the audio given."""

    start_s: float
    end_s: float
    text: str


class Recogniser:
    """Whisper tiny.en on the CPU. Not thread-safe: one caller at a time (a worker thread owns it)."""

    def __init__(self, manifest: Manifest, model_dir: Path, threads: int = 2) -> None:
        from faster_whisper import WhisperModel  # heavy import, only when speech is wanted

        files = {entry.bundle.name: read_verified(entry, model_dir / entry.file)
                 for entry in manifest.bundle(BUNDLE_ID) if entry.bundle is not None}
        self.sha256 = {name: entry.sha256 for name, entry in
                       ((e.bundle.name, e) for e in manifest.bundle(BUNDLE_ID) if e.bundle is not None)}
        try:
            self._model = WhisperModel(BUNDLE_ID, device="cpu", compute_type="int8",
                                       cpu_threads=threads, files=files)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"model '{BUNDLE_ID}' cannot be loaded: {exc}") from None

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> list[Segment]:
        """Recognise 16 kHz mono float audio. `prompt` biases the vocabulary (e.g. towards digits)."""
        samples = np.ascontiguousarray(audio, dtype=np.float32)
        if samples.size < SAMPLE_RATE // 10:
            return []
        segments, _info = self._model.transcribe(
            samples, language="en", beam_size=1, initial_prompt=prompt,
            condition_on_previous_text=False, without_timestamps=False, vad_filter=False,
        )
        return [Segment(float(s.start), float(s.end), s.text.strip()) for s in segments if s.text.strip()]


def load_recogniser(manifest: Manifest, model_dir: Path, threads: int = 2) -> Recogniser:
    return Recogniser(manifest, model_dir, threads)
