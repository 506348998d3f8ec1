"""The face pipeline against MediaPipe FaceMesh, side by side: `bench_faces.py --versus-mediapipe`.

MediaPipe 0.10.21 runs in its own virtual environment in the user's cache directory (created on
first use, reused after; never the app's environment), in a worker process fed the same
pre-decoded frames as the project's pipeline. Both run on one CPU core (the worker and this
process are pinned to the same one), MediaPipe in tracking mode with iris refinement, the pipeline
as the app builds it. Rounds interleave the two so load from other processes hits both; the
ratios, not the absolute milliseconds, are the result.

Scenes: a GRID talking head (25 fps, thinned to the app's 15 fps grid) at its own 360x288, the
same clip upscaled into a 1280x720 frame, and four GRID clips tiled 2x2 in 1280x720.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from verification.sources.file_source import FileVideoSource
from verification.vision.pipeline import FacePipeline

MEDIAPIPE = "mediapipe==0.10.21"
WORKER = Path(__file__).with_name("mediapipe_worker.py")
FPS = 15.0
CLIP_FRAMES = 45  # one 3 s GRID clip on the 15 fps grid
CANVAS = (1280, 720)
OUTER_EYE_CORNERS = (33, 263)


@dataclass(frozen=True)
class Scene:
    name: str
    frames: np.ndarray  # (T, H, W, 3) uint8 BGR
    faces: int


@dataclass
class Side:
    ms: list[float]
    short_frames: int  # frames on which fewer faces than the scene holds were reported

    def median(self) -> float:
        return float(np.median(self.ms))

    def p95(self) -> float:
        return float(np.percentile(self.ms, 95))


def _clip(path: Path) -> np.ndarray:
    src = FileVideoSource(path)
    src.open()
    frames = []
    k = 0
    while (frame := src.read()) is not None and len(frames) < CLIP_FRAMES:
        if k % 5 in (0, 2, 3):  # 25 fps -> 15 fps, as the engine thins it
            frames.append(frame.image)
        k += 1
    src.close()
    if len(frames) < CLIP_FRAMES:
        raise SystemExit(f"{path.name}: only {len(frames)} frames on the 15 fps grid, need {CLIP_FRAMES}")
    return np.stack(frames)


def _fit(frames: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale (up) to fit width x height, centred on a dark grey canvas of that size."""
    h, w = frames.shape[1:3]
    k = min(width / w, height / h)
    sw, sh = round(w * k), round(h * k)
    out = np.full((len(frames), height, width, 3), 32, np.uint8)
    y0, x0 = (height - sh) // 2, (width - sw) // 2
    for i, f in enumerate(frames):
        out[i, y0 : y0 + sh, x0 : x0 + sw] = cv2.resize(f, (sw, sh), interpolation=cv2.INTER_LINEAR)
    return out


def scenes(data: Path) -> list[Scene]:
    clips = sorted((data / "video" / "talking_heads" / "grid").glob("*.mpg"))
    if len(clips) < 4:
        raise SystemExit(f"need 4 GRID clips under {data}/video/talking_heads/grid")
    first = _clip(clips[0])
    w, h = CANVAS
    tiles = [_fit(_clip(c), w // 2, h // 2) for c in clips[:4]]
    grid = np.concatenate([np.concatenate(tiles[:2], axis=2), np.concatenate(tiles[2:], axis=2)], axis=1)
    return [
        Scene("1 face, 360x288", first, 1),
        Scene("1 face, 720p", _fit(first, w, h), 1),
        Scene("4 faces, 720p", grid, 4),
    ]


def mediapipe_python(cache: Path) -> Path:
    """The throwaway environment's interpreter; created (with pip) the first time."""
    venv = cache / ("venv-" + MEDIAPIPE.replace("==", "-"))
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import mediapipe, sys; sys.exit(mediapipe.__version__ != '0.10.21')"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"creating a throwaway environment with {MEDIAPIPE} in {venv} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", MEDIAPIPE]
    if subprocess.run(pip).returncode != 0 or subprocess.run(probe, capture_output=True).returncode != 0:
        raise SystemExit(f"could not install {MEDIAPIPE} into {venv}")
    return python


class MediaPipeWorker:
    def __init__(self, python: Path, cpu: int) -> None:
        env = dict(os.environ, BENCH_CPU=str(cpu))
        # Its log (a warning per graph) goes to a file, shown only if the worker fails.
        self._log = tempfile.TemporaryFile(mode="w+")
        self._proc = subprocess.Popen(
            [str(python), str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            text=True, env=env,
        )
        self.version = self._read()["ready"]

    def _read(self) -> dict:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self._log.seek(0)
            tail = [ln for ln in self._log.read().splitlines() if ln.strip()][-1:] or ["no output"]
            raise SystemExit(f"the MediaPipe worker stopped: {tail[0]}")
        return json.loads(line)

    def _ask(self, request: dict) -> dict:
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        return self._read()

    def open(self, frames_npy: Path, max_faces: int) -> None:
        self._ask({"open": str(frames_npy), "max_faces": max_faces})

    def frame(self, index: int, max_faces: int) -> tuple[float, int, np.ndarray]:
        """ms, faces found, (max_faces, 478, 2) landmarks (NaN where none)."""
        answer = self._ask({"frame": index})
        points = np.full((max_faces, 478, 2), np.nan, np.float32)
        for k, face in enumerate(answer["faces"][:max_faces]):
            points[k] = np.asarray(face, np.float32)
        return answer["ms"], len(answer["faces"]), points

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(timeout=30)
        self._log.close()


def pipeline_frame(pipeline: FacePipeline, frame: np.ndarray, index: int, faces: int) -> tuple[float, int, np.ndarray]:
    """ms, faces reported, (faces, 478, 2) points: mesh then both irises, NaN where none."""
    points = np.full((faces, 478, 2), np.nan, np.float32)
    t0 = time.perf_counter()
    obs = pipeline.process(frame, index / FPS)
    ms = 1000.0 * (time.perf_counter() - t0)
    for k, o in enumerate(obs[:faces]):
        if o.mesh is not None:
            points[k, :468] = o.mesh[:, :2]
        if o.iris is not None:
            points[k, 468:] = o.iris.reshape(10, 2)
    return ms, len(obs), points


def run_pipeline(pipeline: FacePipeline, frames: np.ndarray, faces: int) -> np.ndarray:
    """(T, faces, 478, 2) points of a fresh run over the frames."""
    pipeline.reset()
    return np.stack([pipeline_frame(pipeline, frames[i], i, faces)[2] for i in range(len(frames))])


def _face_error(ours: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """Mean mesh and iris point error of one face, in units of the reference's outer-eye-corner distance."""
    unit = float(np.linalg.norm(ref[OUTER_EYE_CORNERS[0]] - ref[OUTER_EYE_CORNERS[1]]))
    mesh = float(np.linalg.norm(ours[:468] - ref[:468], axis=1).mean()) / unit
    if np.isnan(ours[468:]).any() or np.isnan(ref[468:]).any():
        return mesh, float("nan")
    errs = []
    mine = ours[468:].reshape(2, 5, 2)
    theirs = ref[468:].reshape(2, 5, 2)
    for a in mine:  # pair each iris with the reference's nearer one; rim points with their nearest
        b = theirs[int(np.argmin(np.linalg.norm(theirs[:, 0] - a[0], axis=1)))]
        rim = np.linalg.norm(a[1:, None] - b[None, 1:], axis=-1).min(axis=1)
        errs += [float(np.linalg.norm(a[0] - b[0])), *rim.tolist()]
    return mesh, float(np.mean(errs)) / unit


def agreement(ours: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """Mean (mesh, iris) error over faces both report, matched by nearest mesh centre."""
    mesh_errs, iris_errs = [], []
    for fo, fr in zip(ours, ref):
        have = [r for r in fr if not np.isnan(r[:468]).any()]
        for o in fo:
            if np.isnan(o[:468]).any() or not have:
                continue
            centre = o[:468].mean(axis=0)
            r = min(have, key=lambda r: float(np.linalg.norm(r[:468].mean(axis=0) - centre)))
            m, i = _face_error(o, r)
            mesh_errs.append(m)
            if not np.isnan(i):
                iris_errs.append(i)
    mean = lambda v: float(np.mean(v)) if v else float("nan")  # noqa: E731
    return mean(mesh_errs), mean(iris_errs)


def compare(pipeline: FacePipeline, data: Path, cache: Path, rounds: int, cpu: int, save: Path | None) -> int:
    """Runs the interleaved rounds and prints the table; 0 when both goals hold on every scene."""
    all_scenes = scenes(data)
    worker = MediaPipeWorker(mediapipe_python(cache), cpu)
    os.sched_setaffinity(0, {cpu})  # the same single core as the worker
    iris = "with iris" if pipeline.iris is not None else "no iris"
    print(f"MediaPipe {worker.version} FaceMesh (tracking, refine_landmarks) vs the pipeline ({iris}), both on "
          f"CPU {cpu}; {rounds} interleaved rounds of {CLIP_FRAMES} frames at {FPS:g} fps")
    ok = True
    saved: dict[str, np.ndarray] = {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="callshield-vs-mp-") as tmp:
        for s_index, scene in enumerate(all_scenes):
            frames_npy = Path(tmp) / f"scene{s_index}.npy"
            np.save(frames_npy, np.ascontiguousarray(scene.frames[..., ::-1]))  # MediaPipe takes RGB
            ours, theirs = Side([], 0), Side([], 0)
            ratios = []
            # Round 0 warms both up and is not counted. Frames alternate between the two, and
            # which goes first alternates by round, so a burst of outside load hits both.
            for r in range(rounds + 1):
                pipeline.reset()
                worker.open(frames_npy, scene.faces)
                o_ms, m_ms, o_pts, m_pts = [], [], [], []
                o_short = m_short = 0
                for i in range(len(scene.frames)):
                    for who in ("ours", "mp") if r % 2 == 0 else ("mp", "ours"):
                        if who == "ours":
                            ms, n, pts = pipeline_frame(pipeline, scene.frames[i], i, scene.faces)
                            o_ms.append(ms)
                            o_pts.append(pts)
                            o_short += n < scene.faces
                        else:
                            ms, n, pts = worker.frame(i, scene.faces)
                            m_ms.append(ms)
                            m_pts.append(pts)
                            m_short += n < scene.faces
                if r == 0:
                    continue
                ours.ms += o_ms
                theirs.ms += m_ms
                ours.short_frames += o_short
                theirs.short_frames += m_short
                ratios.append(float(np.median(o_ms) / np.median(m_ms)))
            mesh_err, iris_err = agreement(np.stack(o_pts), np.stack(m_pts))
            saved[f"scene{s_index}"] = np.stack(o_pts)
            med = ours.median() / theirs.median()
            p95 = ours.p95() / theirs.p95()
            ok &= med <= 1.0 and p95 <= 1.5 and ours.short_frames == 0
            rows.append((scene, ours, theirs, med, p95, min(ratios), max(ratios), mesh_err, iris_err))
    worker.close()
    print(f"{'scene':<17} {'ours med':>8} {'p95':>6} {'MP med':>7} {'p95':>6} {'ratio':>6} {'p95 ratio':>9} "
          f"{'rounds':>11} {'missed (ours/MP)':>16} {'vs MP mesh':>10} {'iris':>6}")
    for scene, o, m, med, p95, lo, hi, me, ie in rows:
        print(f"{scene.name:<17} {o.median():>8.2f} {o.p95():>6.2f} {m.median():>7.2f} {m.p95():>6.2f} {med:>6.2f} "
              f"{p95:>9.2f} {lo:>5.2f}-{hi:<5.2f} {o.short_frames:>7}/{m.short_frames:<8} {me:>10.4f} {ie:>6.4f}")
    print("missed: frames (all rounds) with fewer faces reported than the scene holds; vs MP: mean landmark "
          "distance to MediaPipe's, in outer-eye-corner distances (last round)")
    print(f"goal (median <= 1.0x, p95 <= 1.5x, no face missed): {'met' if ok else 'NOT met'}")
    if save is not None:
        np.savez_compressed(save, **saved)
        print(f"landmarks of the last round saved to {save}")
    return 0 if ok else 1


def compare_saved(pipeline: FacePipeline, data: Path, reference: Path) -> None:
    """Landmark agreement of this pipeline with landmarks saved by an earlier run (e.g. another version)."""
    try:
        ref = np.load(reference)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"cannot read saved landmarks {reference}: {exc}") from None
    for s_index, scene in enumerate(scenes(data)):
        key = f"scene{s_index}"
        if key not in ref:
            raise SystemExit(f"{reference} has no landmarks for scene {s_index}")
        pts = run_pipeline(pipeline, scene.frames, scene.faces)
        mesh_err, iris_err = agreement(pts, ref[key])
        print(f"{scene.name:<17} vs saved: mesh {mesh_err:.4f}, iris {iris_err:.4f} (outer-eye-corner distances)")
