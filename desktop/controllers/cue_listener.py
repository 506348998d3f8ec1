"""Scam cues for a watched recording, computed off the GUI thread (run through TaskRunner).

The recogniser is loaded on first use and kept for later calls; the transcript is dropped after
the cues are found (the desktop never keeps it).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from verification.inference.manifest import load_manifest
from verification.speech.call_cues import call_cues, read_call_audio
from verification.speech.whisper import Recogniser

Listener = Callable[[str], dict[str, Any]]


def recording_cue_listener(model_dir: Path) -> Listener:
    held: list[Recogniser] = []
    lock = threading.Lock()  # one transcription at a time: the recogniser is not thread-safe

    def listen(path: str) -> dict[str, Any]:
        with lock:
            if not held:
                held.append(Recogniser(load_manifest(), model_dir))
            return call_cues(read_call_audio(path), held[0], keep_transcript=False)

    return listen
