"""Face pipeline cost at 720p for 1, 4 and 9 faces: detection + tracking + mesh + iris + pose.

Frames are composed from the shared face crops on a 1280x720 canvas (one webcam-sized face, or
a 2x2 / 3x3 call grid), with the faces drifting a few pixels per frame so the tracker and mesh
do real work. Prints ms per analysed frame, ms per face, and the ratio of pipeline time to pure
ONNX run time (how much the Python around the models costs).

    python benchmarks/bench_faces.py [--frames 150] [--threads 2] [--detect-every 30] [--iris]
    python benchmarks/bench_faces.py --onnx face_mesh=PATH/TO/variant.onnx   # try a model variant
    python benchmarks/bench_faces.py --versus-mediapipe [--rounds 7] [--iris]  # GRID scenes vs MediaPipe
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from verification.inference.loader import ModelLoader
from verification.inference.manifest import load_manifest
from verification.inference.model_dir import resolve_model_dir
from verification.inference.session import create_session
from verification.vision.pipeline import FacePipeline, FacePipelineOptions, create_face_pipeline

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CANVAS = (1280, 720)
GOALS_MS = {1: 15.0, 9: 60.0}
GOAL_RATIO = 1.3


@dataclass(frozen=True)
class _Loaded:
    session: ort.InferenceSession


class _Loader:
    """The project's ModelLoader, except for ids given as explicit (unverified) files."""

    def __init__(self, loader: ModelLoader, overrides: dict[str, Path], threads: int) -> None:
        self._loader = loader
        self._overrides = overrides
        self._threads = threads

    def load(self, model_id: str) -> _Loaded:
        path = self._overrides.get(model_id)
        if path is None:
            return _Loaded(self._loader.load(model_id).session)
        return _Loaded(create_session(path, ["CPUExecutionProvider"], self._threads, name=str(path)))


def _faces(data: Path, n: int) -> list[np.ndarray]:
    paths = sorted((data / "faces" / "london_set" / "neutral").glob("*.jpg"))
    if len(paths) < n:
        raise SystemExit(f"need {n} face crops under {data}/faces/london_set/neutral")
    out = []
    for p in paths[:: max(1, len(paths) // n)][:n]:
        image = cv2.imread(str(p), cv2.IMREAD_COLOR)
        if image is None:
            raise SystemExit(f"cannot read {p}")
        out.append(image)
    return out


def _layout(n: int) -> tuple[int, int, float]:
    if n == 1:
        return 1, 1, 0.55  # one webcam face, about 400 px tall
    side = int(np.ceil(np.sqrt(n)))
    return side, side, 0.9


def _frames(faces: list[np.ndarray], count: int) -> list[np.ndarray]:
    """Pre-rendered frames: composing is not what is being measured."""
    rows, cols, frac = _layout(len(faces))
    w, h = CANVAS
    tw, th = w // cols, h // rows
    side = int(min(tw, th) * frac)
    scaled = [cv2.resize(f, (side, side), interpolation=cv2.INTER_AREA) for f in faces]
    frames = []
    for t in range(count):
        canvas = np.full((h, w, 3), 30, np.uint8)
        for k, face in enumerate(scaled):
            r, c = divmod(k, cols)
            # smooth head motion, different phase per participant
            dx = int(10 * np.sin(0.21 * t + k))
            dy = int(6 * np.cos(0.17 * t + 2 * k))
            x0 = min(max(c * tw + (tw - side) // 2 + dx, 0), w - side)
            y0 = min(max(r * th + (th - side) // 2 + dy, 0), h - side)
            canvas[y0 : y0 + side, x0 : x0 + side] = face
        frames.append(canvas)
    return frames


def _run(pipeline: FacePipeline, frames: list[np.ndarray], warmup: int) -> tuple[int, int]:
    faces_seen = 0
    for i, frame in enumerate(frames):
        if i == warmup:
            pipeline.reset_stats()
            faces_seen = 0
        faces_seen += len(pipeline.process(frame, i / 25))
    return faces_seen, len(frames) - warmup


def _ms(seconds: float, frames: int) -> float:
    return 1000.0 * seconds / frames if frames else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=150, help="measured frames per scene")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2, help="onnxruntime intra-op threads")
    ap.add_argument("--detect-every", type=int, default=FacePipelineOptions().detect_every)
    ap.add_argument("--detect-max-side", type=int, default=640)
    ap.add_argument("--iris", action="store_true", help="iris points too (off in the app: no detector reads them)")
    ap.add_argument("--faces", type=int, nargs="+", default=[1, 4, 9])
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--onnx", action="append", default=[], metavar="ID=PATH", help="use this file for a model id")
    ap.add_argument("--versus-mediapipe", action="store_true", help="compare with MediaPipe FaceMesh (own venv)")
    ap.add_argument("--rounds", type=int, default=7, help="--versus-mediapipe: interleaved rounds")
    ap.add_argument("--cpu", type=int, default=None, help="--versus-mediapipe: the core both run on (default: last)")
    ap.add_argument("--cache", type=Path, default=None, help="--versus-mediapipe: where its venv lives")
    ap.add_argument("--save-landmarks", type=Path, default=None, help="--versus-mediapipe: save ours (.npz)")
    ap.add_argument("--compare-landmarks", type=Path, default=None, help="agreement with a saved .npz, then exit")
    args = ap.parse_args(argv)
    if args.versus_mediapipe or args.compare_landmarks:
        return _versus(args)

    overrides = {}
    for item in args.onnx:
        model_id, _, path = item.partition("=")
        overrides[model_id] = Path(path)
    loader = ModelLoader(load_manifest(), resolve_model_dir(args.model_dir, os.environ), threads=args.threads)
    source = _Loader(loader, overrides, args.threads)
    options = FacePipelineOptions(
        detect_every=args.detect_every, detect_max_side=args.detect_max_side, with_iris=args.iris
    )
    print(f"onnxruntime {ort.__version__}, {args.threads} intra-op thread(s), sequential; cpu count {os.cpu_count()}")
    print(
        f"detect every {args.detect_every} frames at <= {args.detect_max_side} px; mesh + "
        f"{'iris' if args.iris else 'no iris'} + head pose; {args.frames} frames of {CANVAS[0]}x{CANVAS[1]}"
    )
    if overrides:
        print("model overrides: " + ", ".join(f"{k}={v}" for k, v in overrides.items()))
    print(f"{'faces':>5} {'ms/frame':>9} {'ms/face':>8} {'onnx ms':>8} {'det':>6} {'mesh':>6} {'iris':>6} {'ratio':>6}")
    ok = True
    for n in args.faces:
        pipeline = create_face_pipeline(source, options)
        frames = _frames(_faces(args.data, n), args.frames + args.warmup)
        seen, measured = _run(pipeline, frames, args.warmup)
        s = pipeline.stats
        mesh_s = pipeline.mesh.runner.seconds if pipeline.mesh else 0.0
        iris_s = pipeline.iris.runner.seconds if pipeline.iris else 0.0
        print(
            f"{n:>5} {s.ms_per_frame:>9.2f} {s.ms_per_face:>8.2f} {_ms(s.onnx_s, measured):>8.2f} "
            f"{_ms(pipeline.detector.runner.seconds, measured):>6.2f} {_ms(mesh_s, measured):>6.2f} {_ms(iris_s, measured):>6.2f} {s.overhead_ratio:>6.3f}"
        )
        if seen != n * measured:
            print(f"      note: {seen} face observations, expected {n * measured}")
            ok = False
        goal = GOALS_MS.get(n)
        if (goal is not None and s.ms_per_frame > goal) or s.overhead_ratio > GOAL_RATIO:
            ok = False
    print(
        f"goals (1 face < {GOALS_MS[1]:.0f} ms, 9 faces < {GOALS_MS[9]:.0f} ms, ratio < {GOAL_RATIO}): {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


def _versus(args: argparse.Namespace) -> int:
    import faces_vs_mediapipe as vs  # noqa: PLC0415 (a sibling script; only this mode needs it)

    if args.rounds < 1:
        raise SystemExit("--rounds must be at least 1")
    # The app's loader and options (the manifest caps the landmark models at one thread).
    loader = ModelLoader(load_manifest(), resolve_model_dir(args.model_dir, os.environ))
    options = FacePipelineOptions(
        detect_every=args.detect_every, detect_max_side=args.detect_max_side, with_iris=args.iris
    )
    pipeline = create_face_pipeline(loader, options)
    if args.compare_landmarks:
        vs.compare_saved(pipeline, args.data, args.compare_landmarks)
        return 0
    cpu = args.cpu if args.cpu is not None else max(os.sched_getaffinity(0))
    cache = args.cache or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "callshield-bench"
    return vs.compare(pipeline, args.data, cache, args.rounds, cpu, args.save_landmarks)


if __name__ == "__main__":
    sys.exit(main())
