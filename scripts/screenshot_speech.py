"""Screenshots of the digit challenge's result and the scam-cue list, from real runs.

A GRID talking head whose lips are re-timed onto the asked digits reads them (passes) and the same clip plays its own
sentence (fails); espeak-ng speaks a pressure script that the real recogniser transcribes. The
widgets are the desktop's own, fed through the same adapters as in a call.

    QT_QPA_PLATFORM=offscreen PYTHONPATH=. .venv/bin/python scripts/screenshot_speech.py [OUT_DIR]
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from PySide6.QtWidgets import QApplication, QHBoxLayout, QVBoxLayout, QWidget
from scipy.signal import resample_poly

from desktop.controllers.challenge import EngineChallengeAdapter
from desktop.views.challenge_panel import ChallengePanel
from desktop.views.monitor.cue_list import CueList
from tests.speech_media import digit_voice, lips_to_voice, placed, read_track, reader_for, speech_span, warped
from verification.detectors.base import FrameAnalysis
from verification.detectors.challenge import ChallengeDetector
from verification.detectors.challenge_control import ChallengeController, ChallengeKind
from verification.inference.loader import ModelLoader
from verification.inference.manifest import load_manifest
from verification.inference.model_dir import resolve_model_dir
from verification.speech.call_cues import call_cues
from verification.speech.digits import WhisperDigitReader
from verification.speech.whisper import Recogniser
from verification.vision.pipeline import create_face_pipeline

GRID = Path(__file__).resolve().parents[2] / "shared" / "data" / "video" / "talking_heads" / "grid" / "lwbsza.mpg"
SCRIPT = ("Hi, it's Mark from head office. The CEO asked me to arrange a payment to a supplier. "
          "We have changed our bank account, so please use the new details. It is urgent, it must go out "
          "today. Please keep this confidential, and there's no need to call me back.")


class _Asked(random.Random):
    """A digit challenge asking 9 4 8 9, for the screenshot (a call draws from the OS's secure source)."""

    def __init__(self) -> None:
        super().__init__(0)
        self._digits = iter([9, 4, 8, 9] * 4)

    def choice(self, seq):  # type: ignore[override]  # noqa: ANN001, ANN201
        return ChallengeKind.DIGITS.value

    def randrange(self, stop: int) -> int:  # type: ignore[override]
        return next(self._digits)


def challenge_panel(audio_of: str, reader: WhisperDigitReader, frames: list, faces: list,
                    audio: np.ndarray) -> ChallengePanel:
    controller = ChallengeController(_Asked())
    adapter = EngineChallengeAdapter(controller, timeout_s=12.0)
    panel = ChallengePanel()
    panel.set_controller(adapter)
    panel.start()
    detector = ChallengeDetector(controller, digit_reader=reader)
    read = reader_for(audio)
    for frame, obs in zip(frames, faces):
        for ev in detector.process_video(FrameAnalysis(frame, obs, read)):
            adapter.record(ev)
    if detector.active is not None:
        detector.result()
        adapter.record(detector._windows[-1])
    panel._tick()
    panel.setTitle(f"Challenge the caller ({audio_of})")
    return panel


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    app = QApplication.instance() or QApplication([])
    manifest = load_manifest()
    model_dir = resolve_model_dir(None, os.environ)
    recogniser = Recogniser(manifest, model_dir)
    reader = WhisperDigitReader(lambda: recogniser)
    from benchmarks.challenge_digits import clip_frames

    frames = clip_frames(GRID)
    pipeline = create_face_pipeline(ModelLoader(manifest, model_dir, ["cpu"]))
    faces = [pipeline.process(f.image, f.pts) for f in frames]
    original = read_track(GRID)
    span = speech_span(original)
    voice = digit_voice("9489", random.Random(5))
    dubbed_frames, dubbed_faces = warped(frames, faces, span, lips_to_voice(original, voice, span))
    passed = challenge_panel("reads the digits", reader, dubbed_frames, dubbed_faces, placed(original, voice, span))
    failed = challenge_panel("a recording", reader, frames, faces, original)
    pair = QWidget()
    row = QHBoxLayout(pair)
    row.addWidget(passed)
    row.addWidget(failed)
    pair.resize(900, 260)
    pair.show()
    app.processEvents()
    pair.grab().save(str(out / "18-challenge-digits-result.png"))

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "call.wav"
        subprocess.run(["espeak-ng", "-v", "en-gb", "-s", "150", "-w", str(wav), SCRIPT], check=True)
        speech, rate = sf.read(wav, dtype="float32")
    section = call_cues(resample_poly(speech, 16000, rate).astype(np.float32), recogniser)
    cues = CueList()
    holder = QWidget()
    QVBoxLayout(holder).addWidget(cues)
    cues.add_heard(section["cues"], section["chunks"], None)  # as during a call
    holder.resize(520, 300)
    holder.show()
    app.processEvents()
    holder.grab().save(str(out / "19-scam-cues.png"))
    print(f"wrote {out}/18-challenge-digits-result.png and {out}/19-scam-cues.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
