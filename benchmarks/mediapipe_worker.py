"""MediaPipe's side of `bench_faces.py --versus-mediapipe`; runs inside the throwaway MediaPipe venv.

Imports nothing from the project (that venv does not have it). Reads one JSON request per line on
stdin: {"frames": "x.npy", "max_faces": 4, "out": "y.npy"} with RGB uint8 frames (T, H, W, 3);
runs a fresh FaceMesh in tracking mode with iris refinement over them and answers one JSON line:
per-frame milliseconds and face counts. Landmarks (T, max_faces, 478, 2) in frame px, NaN where
no face, go to "out".
"""

from __future__ import annotations

import json
import os
import sys
import time

import mediapipe as mp
import numpy as np


def run(frames: np.ndarray, max_faces: int) -> tuple[list[float], list[int], np.ndarray]:
    t, h, w = frames.shape[:3]
    points = np.full((t, max_faces, 478, 2), np.nan, np.float32)
    ms: list[float] = []
    counts: list[int] = []
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=False,
        max_num_faces=max_faces,
        refine_landmarks=True,
        min_detection_confidence=0.5,
        min_tracking_confidence=0.5,
    ) as mesh:
        for i in range(t):
            frame = np.ascontiguousarray(frames[i])  # copied before the clock starts
            t0 = time.perf_counter()
            result = mesh.process(frame)
            ms.append(1000.0 * (time.perf_counter() - t0))
            faces = result.multi_face_landmarks or []
            counts.append(len(faces))
            for k, face in enumerate(faces[:max_faces]):
                xy = np.array([(p.x, p.y) for p in face.landmark], np.float32)
                points[i, k] = xy * np.array([w, h], np.float32)
    return ms, counts, points


def main() -> int:
    cpu = os.environ.get("BENCH_CPU")
    if cpu:
        os.sched_setaffinity(0, {int(cpu)})  # one core: MediaPipe's thread pools get one CPU
    print(json.dumps({"ready": mp.__version__}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        frames = np.load(req["frames"], mmap_mode="r")
        ms, counts, points = run(frames, int(req["max_faces"]))
        np.save(req["out"], points)
        print(json.dumps({"ms": ms, "faces": counts}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
