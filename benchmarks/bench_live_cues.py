"""CPU cost of hearing a call for scam cues: seconds of recogniser work per second of call.

Builds a call of real continuous speech (shared LibriSpeech readers back to back) and feeds it to
the live cue listener (verification/speech/live.py: Whisper tiny.en, int8, 2 threads, 10 s
chunks) twice: with no budget, so every chunk is heard (the full cost), and with the default
budget, to show the share of chunks heard on this machine. Wall seconds are what the budget
counts; CPU seconds (all threads of the process, measured around each recogniser call) are what
the call takes from the other work on the computer. The 1-minute load average is printed, since
other jobs on the cores lengthen the wall time.

Usage: PYTHONPATH=. python benchmarks/bench_live_cues.py [--minutes 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.media import SHARED_DATA  # noqa: E402
from verification.inference.manifest import load_manifest  # noqa: E402
from verification.inference.model_dir import resolve_model_dir  # noqa: E402
from verification.speech.chunked import DEFAULT_BUDGET  # noqa: E402
from verification.speech.live import LiveCueListener  # noqa: E402
from verification.speech.whisper import SAMPLE_RATE, Recogniser, Segment  # noqa: E402

READERS = SHARED_DATA / "speech" / "real" / "librispeech_resemblyzer"


class Timed:
    """The recogniser, with its wall and CPU seconds added up."""

    def __init__(self, inner: Recogniser) -> None:
        self.inner = inner
        self.wall_s = 0.0
        self.cpu_s = 0.0

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> list[Segment]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return self.inner.transcribe(audio, prompt=prompt)
        finally:
            self.wall_s += time.perf_counter() - wall
            self.cpu_s += time.process_time() - cpu


def call_audio(minutes: float) -> np.ndarray:
    parts: list[np.ndarray] = []
    total = 0
    for path in sorted(READERS.glob("*.flac")):
        audio, rate = soundfile.read(path, dtype="float32")
        audio = resample_poly(audio, SAMPLE_RATE, rate).astype(np.float32) if rate != SAMPLE_RATE else audio
        parts.append(audio)
        total += len(audio)
        if total >= minutes * 60 * SAMPLE_RATE:
            break
    return np.concatenate(parts)[: int(minutes * 60 * SAMPLE_RATE)]


def run(audio: np.ndarray, recogniser: Timed, budget: float) -> dict:
    recogniser.wall_s = recogniser.cpu_s = 0.0
    listener = LiveCueListener(lambda: recogniser, budget=budget)  # type: ignore[arg-type, return-value]
    step = SAMPLE_RATE  # a second at a time, as the speech worker hands it over
    for at in range(0, len(audio), step):
        listener.feed(audio[at:at + step])
    listener.finish()
    call_s = len(audio) / SAMPLE_RATE
    chunks = listener.coverage()
    return {"call_s": call_s, "wall_per_s": recogniser.wall_s / call_s, "cpu_per_s": recogniser.cpu_s / call_s,
            "heard": chunks["transcribed_chunks"], "skipped": chunks["dropped_chunks"],
            "every_nth": chunks["every_nth"], "load": os.getloadavg()[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0)
    args = parser.parse_args()
    if not READERS.is_dir():
        print(f"error: shared speech missing: {READERS.name}", file=sys.stderr)
        return 2
    model_dir = resolve_model_dir(None, os.environ)
    recogniser = Timed(Recogniser(load_manifest(), model_dir))
    audio = call_audio(args.minutes)
    recogniser.transcribe(audio[: SAMPLE_RATE * 5])  # first-call set-up is not the call's cost
    for name, budget in (("every chunk", 1e9), (f"budget {DEFAULT_BUDGET}", DEFAULT_BUDGET)):
        r = run(audio, recogniser, budget)
        stride = "all heard" if r["every_nth"] == 1 else f"every {r['every_nth']}th heard"
        print(f"{name:>13}: {r['call_s']:.0f} s of call, recogniser {r['wall_per_s']:.3f} wall s and "
              f"{r['cpu_per_s']:.3f} CPU s per call second; chunks heard {r['heard']}, skipped {r['skipped']} "
              f"({stride}); load average {r['load']:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
