"""MediaPipe's side of `bench_faces.py --versus-mediapipe`; runs inside the throwaway MediaPipe venv.

Imports nothing from the project (that venv does not have it). One JSON request per line on
stdin, one JSON answer per line on stdout:
  {"open": "x.npy", "max_faces": 4}  RGB uint8 frames (T, H, W, 3); starts a fresh FaceMesh
                                     in tracking mode with iris refinement
  {"frame": i}                       runs it on frame i: milliseconds, and the faces' 478
                                     landmarks in frame px
Frame by frame, so the caller can interleave each frame with its own pipeline's.
"""

from __future__ import annotations

import json
import os
import sys
import time

import mediapipe as mp
import numpy as np


def main() -> int:
    cpu = os.environ.get("BENCH_CPU")
    if cpu:
        os.sched_setaffinity(0, {int(cpu)})  # one core: MediaPipe's thread pools get one CPU
    print(json.dumps({"ready": mp.__version__}), flush=True)
    frames = None
    mesh = None
    for line in sys.stdin:
        req = json.loads(line)
        if "open" in req:
            if mesh is not None:
                mesh.close()
            frames = np.load(req["open"], mmap_mode="r")
            mesh = mp.solutions.face_mesh.FaceMesh(
                static_image_mode=False,
                max_num_faces=int(req["max_faces"]),
                refine_landmarks=True,
                min_detection_confidence=0.5,
                min_tracking_confidence=0.5,
            )
            print(json.dumps({"frames": len(frames)}), flush=True)
            continue
        assert frames is not None and mesh is not None, "open a scene first"
        frame = np.ascontiguousarray(frames[int(req["frame"])])  # copied before the clock starts
        h, w = frame.shape[:2]
        t0 = time.perf_counter()
        result = mesh.process(frame)
        ms = 1000.0 * (time.perf_counter() - t0)
        faces = [[(p.x * w, p.y * h) for p in face.landmark] for face in result.multi_face_landmarks or []]
        print(json.dumps({"ms": ms, "faces": faces}), flush=True)
    if mesh is not None:
        mesh.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
