"""Pass rates of the digit challenge on live-like material, with the real Whisper recogniser.

Material: each GRID talking head (real lips moving with real speech) has its voice replaced by
four FSDD digits (real speakers). `--dub warped`: the face's own syllables are re-timed onto the
digits (dynamic time warping of the two loudness curves), so the mouth opens as the voice gets
loud, near zero lag as in live speech. `--dub shaped` (the earlier material): the digits placed
over the slowed speech and shaped by its loudness; their own syllables follow the lips only in
part. Conditions per clip:
  right     dubbed with the digits asked (should pass)
  wrong     dubbed with other digits (should fail: a recording or a bot that cannot follow)
  recording the clip's own sentence, no digits asked (a played-back talking head)
  silence   no one answers
  frozen    the first frame held still, dubbed with the right digits (a frozen face)
  other     the right digits over another clip's moving lips (a voice that is not that face's)
The face pipeline runs once per clip; each condition replays its frames and faces through a fresh
challenge detector with the prompt issued at 0 s.

    PYTHONPATH=. .venv/bin/python benchmarks/challenge_digits.py [--clips 11] [--seed 0] [--dub warped]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

from tests.speech_media import (FSDD_DIR, digit_voice, dub, lips_to_voice, placed, read_track, reader_for, slowed,
                                speech_span, warped)
from verification.detectors.base import FrameAnalysis
from verification.detectors.challenge import ChallengeDetector
from verification.detectors.challenge_control import ChallengePrompt, ChallengeKind
from verification.inference.loader import ModelLoader
from verification.inference.manifest import load_manifest
from verification.inference.model_dir import resolve_model_dir
from verification.sources.base import VideoFrame
from verification.sources.file_source import FileVideoSource
from verification.speech.digits import WhisperDigitReader
from verification.speech.whisper import Recogniser
from verification.vision.pipeline import create_face_pipeline

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CONDITIONS = ("right", "wrong", "recording", "silence", "frozen", "other")


class MemoReader:
    """The same audio is heard once (right, frozen and other share it): saves recogniser time only."""

    def __init__(self, reader: WhisperDigitReader) -> None:
        self._reader, self._seen = reader, {}
        self.problem = None

    def __call__(self, audio: np.ndarray) -> str | None:
        key = hash(np.round(audio, 4).tobytes())
        if key not in self._seen:
            self._seen[key] = self._reader(audio)
        return self._seen[key]


def clip_frames(path: Path, fps: float = 15.0) -> list[VideoFrame]:
    src = FileVideoSource(path)
    src.open()
    out: list[VideoFrame] = []
    k = 0
    while (frame := src.read()) is not None:
        if k % 5 in (0, 2, 3):  # 25 fps -> 15 fps, as the engine thins
            out.append(VideoFrame(len(out), len(out) / fps, 0.0, frame.image))
        k += 1
    src.close()
    return out


def run_condition(frames: list[VideoFrame], faces: list[list], audio: np.ndarray, asked: str,
                  reader: WhisperDigitReader) -> dict:
    det = ChallengeDetector(digit_reader=reader)
    det._begin(ChallengePrompt(ChallengeKind.DIGITS, f"read {asked}", asked), 0.0)  # prompt at 0 s
    read = reader_for(audio)
    for frame, obs in zip(frames, faces):
        det.process_video(FrameAnalysis(frame, obs, read))
    result = det.result()
    window = result.windows[-1] if result.windows else None
    score = window.score if window is not None else None
    details = dict(window.details) if window is not None else {}
    return {"passed": score is not None and score < 0.5, "score": score, "summary": details.get("summary", ""),
            "heard": details.get("digits_heard"), "sync": (details.get("lip_sync_peak"),
                                                           details.get("lip_sync_offset_ms"))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=11)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--dub", choices=("shaped", "warped"), default="shaped",
                    help="shaped: the voice's loudness shaped by the slowed lips' speech (dub); warped: the "
                         "lips re-timed onto the voice (lips_to_voice, warped)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    manifest = load_manifest()
    model_dir = resolve_model_dir(None, os.environ)
    loader = ModelLoader(manifest, model_dir, ["cpu"], threads=2)
    pipeline_loader = loader
    reader = MemoReader(WhisperDigitReader(lambda: Recogniser(manifest, model_dir, threads=2)))
    clips = sorted((DATA / "video" / "talking_heads" / "grid").glob("*.mpg"))[: args.clips]
    passes = {c: 0 for c in CONDITIONS}
    recog_s: list[float] = []
    analysed = {}
    for path in clips:
        frames = clip_frames(path)
        pipeline = create_face_pipeline(pipeline_loader)
        analysed[path] = (frames, [pipeline.process(f.image, f.pts) for f in frames])
    for n_clip, path in enumerate(clips):
        frames, faces = analysed[path]
        other_frames, other_faces = analysed[clips[(n_clip + 1) % len(clips)]]
        original = read_track(path)
        asked = "".join(str(rng.randrange(10)) for _ in range(4))
        other = "".join(str((int(c) + rng.randrange(1, 10)) % 10) for c in asked)
        span = speech_span(original)
        right_voice = digit_voice(asked, rng)
        # Both voices take the same time, so the lips are slowed once for both.
        wrong_voice = digit_voice(other, rng)
        wrong_voice = np.pad(wrong_voice, (0, max(0, len(right_voice) - len(wrong_voice))))[: len(right_voice)]
        factor = max(len(right_voice) / (span[1] - span[0]), 1.0)
        dubbed_frames, dubbed_faces = slowed(frames, faces, span, factor)
        if args.dub == "warped":
            dubbed_frames, dubbed_faces = warped(frames, faces, span, lips_to_voice(original, right_voice, span))
            right, wrong = placed(original, right_voice, span), placed(original, wrong_voice, span)
        else:
            right, wrong = dub(original, right_voice, span, factor), dub(original, wrong_voice, span, factor)
        still = [dataclasses.replace(f, image=frames[0].image) for f in dubbed_frames]
        runs = {"right": (dubbed_frames, dubbed_faces, right), "wrong": (dubbed_frames, dubbed_faces, wrong),
                "recording": (frames, faces, original), "silence": (frames, faces, np.full_like(original, 1e-4)),
                "frozen": (still, [dubbed_faces[0]] * len(still), right),
                "other": (*slowed(other_frames, other_faces, span, factor), right)}
        for cond, (fr, fa, audio) in runs.items():
            t0 = time.perf_counter()
            out = run_condition(fr, fa, audio, asked, reader)
            recog_s.append(time.perf_counter() - t0)
            passes[cond] += bool(out["passed"])
            if args.verbose:
                peak, offset = out["sync"]
                print(f"{path.name} {cond:9s} asked {asked} heard {out['heard']} sync {peak} at {offset} ms "
                      f"score {out['score']}: {out['summary']}")
    n = len(clips)
    print(f"digit challenge on {n} GRID clips, seed {args.seed}, {args.dub} dub (pass = score < 0.5):")
    for cond in CONDITIONS:
        print(f"  {cond:9s} passed {passes[cond]}/{n} ({100.0 * passes[cond] / max(n, 1):.0f}%)")
    print(f"  judging one reply (detector + recogniser): median {np.median(recog_s):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
