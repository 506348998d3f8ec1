"""A live call within budget? The whole engine on one face at 720p, with its speech recogniser running.

A camera-like source plays GRID talking heads (back to back, upscaled into 1280x720) in real
time at 15 fps (`--camera-fps`), a microphone-like source plays their sound in 100 ms chunks, and the
engine runs as the desktop runs a live call: live frame queue, 15 analysed fps, the app's face
pipeline, every detector, and the engine's own speech worker with the desktop's cue listener
(Whisper tiny.en in budgeted 10 s chunks, on a thread at lower OS priority).

After a warm-up it prints, over the steady state: the engine's CPU use as a share of one core
(process CPU time less the fake sources' own reads), the share of each stage (speech recognition
measured on its threads; the rest shared among vision, video detectors, audio detectors and fusion
by their busy time, since ONNX Runtime's pool threads serve them all), p95 capture-to-verdict
latency and frames dropped, with the load average of the machine (other jobs on the cores).
Budget (issue 23): engine at most one core, p95 latency at most 150 ms, no frame dropped.

Linux only (per-thread CPU and priority come from /proc).

    PYTHONPATH=. python benchmarks/live_call_budget.py [--seconds 60] [--warmup 10] [--camera-fps 15]
        [--no-speech] [--queue-frames 4] [--max-lag 0.25]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from desktop.controllers.cue_listener import CueListeners
from verification.composition import build_face_pipeline, build_model_loader
from verification.detectors.registry import build_default_registry
from verification.fusion.calibration import load_calibration
from verification.fusion.live import CallFusion
from verification.inference.model_dir import resolve_model_dir
from verification.pipeline.events import EngineEvent, VerdictChanged
from verification.pipeline.priority import thread_nice
from verification.pipeline.runner import Engine, EngineConfig
from verification.sources.base import INTERNAL_SAMPLE_RATE, AudioChunk, AudioInfo, AudioSource, FrameSource
from verification.sources.base import VideoFrame, VideoInfo
from verification.sources.file_source import FileAudioSource, FileVideoSource

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CANVAS = (1280, 720)
SOURCE_FPS = 25.0
CHUNK_S = 0.1
BUDGET = {"cores": 1.0, "p95_ms": 150.0, "dropped": 0}


def _fit_720p(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    k = min(CANVAS[0] / w, CANVAS[1] / h)
    sw, sh = round(w * k), round(h * k)
    out = np.full((CANVAS[1], CANVAS[0], 3), 32, np.uint8)
    y0, x0 = (CANVAS[1] - sh) // 2, (CANVAS[0] - sw) // 2
    out[y0 : y0 + sh, x0 : x0 + sw] = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_LINEAR)
    return out


def load_media(clips: list[Path]) -> tuple[list[np.ndarray], np.ndarray]:
    """720p frames and 16 kHz audio of the clips back to back (decoded before the clock starts)."""
    frames: list[np.ndarray] = []
    audio: list[np.ndarray] = []
    for clip in clips:
        video = FileVideoSource(clip)
        video.open()
        clip_frames = []
        while (frame := video.read()) is not None:
            clip_frames.append(_fit_720p(frame.image))
        video.close()
        sound = FileAudioSource(clip)
        sound.open()
        chunks = []
        while (chunk := sound.read()) is not None:
            chunks.append(np.asarray(chunk.samples, np.float32).reshape(-1))
        sound.close()
        samples = np.concatenate(chunks)
        # keep sound and picture the same length, so the loop stays in sync
        n = round(len(clip_frames) / SOURCE_FPS * INTERNAL_SAMPLE_RATE)
        audio.append(np.pad(samples[:n], (0, max(0, n - len(samples)))))
        frames += clip_frames
    return frames, np.concatenate(audio)


class PacedCamera(FrameSource):
    """Frames on a wall clock, as a camera delivers them; loops; the engine sees a live source."""

    live = True

    def __init__(self, frames: list[np.ndarray], seconds: float, start: float, fps: float) -> None:
        self._frames = frames  # at the clips' SOURCE_FPS; a slower camera takes every k-th in time
        self._fps = fps
        self._count = int(seconds * fps)
        self._start = start
        self._seq = 0
        self.cpu_s = 0.0  # this thread's own CPU time: not the engine's

    def open(self) -> VideoInfo:
        return VideoInfo(CANVAS[0], CANVAS[1], self._fps)

    def read(self) -> VideoFrame | None:
        t0 = time.thread_time()
        if self._seq >= self._count:
            return None
        due = self._start + self._seq / self._fps
        self.cpu_s += time.thread_time() - t0
        time.sleep(max(0.0, due - time.monotonic()))
        index = round(self._seq * SOURCE_FPS / self._fps) % len(self._frames)
        frame = VideoFrame(self._seq, self._seq / self._fps, time.monotonic(), self._frames[index])
        self._seq += 1
        return frame

    def close(self) -> None:
        pass


class PacedMicrophone(AudioSource):
    """100 ms chunks on a wall clock, looping."""

    live = True

    def __init__(self, audio: np.ndarray, seconds: float, start: float) -> None:
        self._audio = audio
        self._n = round(CHUNK_S * INTERNAL_SAMPLE_RATE)
        self._count = int(seconds / CHUNK_S)
        self._start = start
        self._seq = 0
        self.cpu_s = 0.0

    def open(self) -> AudioInfo:
        return AudioInfo(INTERNAL_SAMPLE_RATE, 1)

    def read(self) -> AudioChunk | None:
        if self._seq >= self._count:
            return None
        time.sleep(max(0.0, self._start + (self._seq + 1) * CHUNK_S - time.monotonic()))
        t0 = time.thread_time()
        a = (self._seq * self._n) % (len(self._audio) - self._n)
        samples = self._audio[a : a + self._n].copy()
        chunk = AudioChunk(self._seq, self._seq * CHUNK_S, time.monotonic(), samples)
        self._seq += 1
        self.cpu_s += time.thread_time() - t0
        return chunk

    def close(self) -> None:
        pass


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


TICK_S = 1.0 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01


def _background_cpu(base_nice: int) -> float:
    """CPU seconds of this process's threads running below the engine's priority: the speech
    worker and the recogniser threads it started (they inherit its nice value)."""
    total = 0.0
    for task in Path("/proc/self/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2:].split()  # after the thread's name, which may hold spaces
        if int(fields[16]) > base_nice:  # field 19 of stat: nice
            total += (int(fields[11]) + int(fields[12])) * TICK_S  # utime + stime
    return total


class Verdicts:
    """Capture-to-verdict latency of every verdict, with the time it came."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, float]] = []

    def __call__(self, event: EngineEvent) -> None:
        if isinstance(event, VerdictChanged):
            self.seen.append((time.monotonic(), event.latency_s))

    def p(self, q: float, t0: float, t1: float) -> float:
        values = [lat for t, lat in list(self.seen) if t0 <= t < t1]
        return float(np.percentile(values, q)) * 1000.0 if values else float("nan")


def _busy_s(snapshot: dict) -> dict[str, float]:
    return {name: (s["mean_ms"] or 0.0) * s["count"] / 1000.0 for name, s in snapshot["stages"].items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0, help="call length")
    ap.add_argument("--warmup", type=float, default=10.0, help="seconds before the steady state is measured")
    ap.add_argument("--no-speech", action="store_true", help="without the speech recogniser")
    ap.add_argument("--queue-frames", type=int, default=EngineConfig().live_queue_frames,
                    help="live frames that may wait for the vision worker (1: the old newest-wins slot)")
    ap.add_argument("--max-lag", type=float, default=EngineConfig().live_max_lag_s,
                    help="seconds a live frame may wait while a newer one waits too, before it is dropped")
    ap.add_argument("--camera-fps", type=float, default=15.0,
                    help="frames the camera delivers per second; above 15 the engine thins them")
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args(argv)
    if not sys.platform.startswith("linux"):
        raise SystemExit("this benchmark reads per-thread CPU from /proc: Linux only")
    if args.seconds <= args.warmup + 5 or args.warmup < 0:
        raise SystemExit("--seconds must exceed --warmup (0 or more) by at least 5")
    if not 1 <= args.queue_frames <= 30:
        raise SystemExit("--queue-frames must be between 1 and 30")
    if not 0.0 < args.max_lag <= 5.0:
        raise SystemExit("--max-lag must be more than 0 and at most 5 seconds")
    if not 1.0 <= args.camera_fps <= 60.0:
        raise SystemExit("--camera-fps must be between 1 and 60")
    clips = sorted((args.data / "video" / "talking_heads" / "grid").glob("*.mpg"))
    if not clips:
        raise SystemExit(f"no GRID clips under {args.data}/video/talking_heads/grid")
    frames, audio = load_media(clips[:4])
    loader = build_model_loader(args.model_dir)
    faces, why = build_face_pipeline(loader)
    if faces is None:
        raise SystemExit(f"face pipeline unavailable: {why}")
    detectors = build_default_registry().create_all(loader)
    # the desktop's live configuration (desktop/app.py LIVE_CONFIG) and its cue listener
    config = EngineConfig(realtime=True, lossless=False, live_queue_frames=args.queue_frames,
                          live_max_lag_s=args.max_lag)
    listener = None if args.no_speech else CueListeners(resolve_model_dir(args.model_dir, os.environ))()
    verdicts = Verdicts()
    engine = Engine(detectors, faces, config, verdicts, CallFusion(load_calibration()), listener)
    base_nice = thread_nice(threading.get_native_id()) or 0
    start = time.monotonic() + 1.0  # sources start together, a moment after setup
    camera = PacedCamera(frames, args.seconds, start, args.camera_fps)
    mic = PacedMicrophone(audio, args.seconds, start)
    load0 = os.getloadavg()
    engine.start(camera, mic)
    # steady state: after the warm-up (the recogniser loads on the first audio), until just before
    # the sources end (the engine's threads then end, and their CPU time with them)
    time.sleep(max(0.0, start + args.warmup - time.monotonic()))
    before = engine.metrics_snapshot()
    cpu0, wall0, side0, bg0 = _cpu(), time.monotonic(), camera.cpu_s + mic.cpu_s, _background_cpu(base_nice)
    time.sleep(max(0.0, start + args.seconds - 0.5 - time.monotonic()))
    cpu1, wall1, side1, bg1 = _cpu(), time.monotonic(), camera.cpu_s + mic.cpu_s, _background_cpu(base_nice)
    after = engine.metrics_snapshot()
    load1 = os.getloadavg()
    engine.wait()
    analysis = engine.finish()
    wall = wall1 - wall0
    engine_cores = (cpu1 - cpu0 - (side1 - side0)) / wall
    speech_cores = (bg1 - bg0) / wall
    dropped = after["frames_dropped"] - before["frames_dropped"]
    p50, p95 = verdicts.p(50, wall0, wall1), verdicts.p(95, wall0, wall1)
    print(f"{len(clips[:4])} GRID clips at 1280x720, camera {args.camera_fps:g} fps, 15 analysed; "
          f"{args.seconds:g} s call, steady state from {args.warmup:g} s ({wall:.1f} s measured); "
          f"cpu count {os.cpu_count()}, load average {load0[0]:.1f} -> {load1[0]:.1f} (1 min)")
    queue = "newest-wins slot" if args.queue_frames <= 1 else f"frame queue of {args.queue_frames}, {args.max_lag:g} s lag"
    print(f"engine CPU: {engine_cores:.2f} of one core ({queue}; fake sources' reads "
          f"{(side1 - side0) / wall:.2f} excluded)")
    busy0, busy1 = _busy_s(before), _busy_s(after)
    busy = {name: busy1[name] - busy0.get(name, 0.0) for name in busy1}
    rest = engine_cores - speech_cores
    for name in ("vision", "video_detectors", "audio_detectors", "fusion"):
        share = rest * busy[name] / max(sum(busy.values()), 1e-9)
        stage = after["stages"][name]
        print(f"  {name:<18} {share:.2f} of one core (busy {busy[name] / wall:.2f}; "
              f"p50 {stage['p50_ms']} ms, p95 {stage['p95_ms']} ms)")
    print(f"  {'speech recognition':<18} {speech_cores:.2f} of one core"
          + (" (recogniser off)" if listener is None else " (its threads at lower priority)"))
    frames_in = after["frames_in"] - before["frames_in"]
    analysed = after["frames_analysed"] - before["frames_analysed"]
    print(f"frames: {frames_in} in, {analysed} analysed ({analysed / wall:.1f} fps), {dropped} dropped "
          f"(whole call: {analysis.metrics['frames_dropped']} of {analysis.metrics['frames_in']})")
    print(f"capture-to-verdict latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    if analysis.speech_cues is not None:
        chunks = analysis.speech_cues["chunks"]
        note = analysis.speech_cues.get("unavailable")
        print(f"recogniser: {chunks['transcribed_chunks']} chunks transcribed, {chunks['quiet_chunks']} quiet, "
              f"{chunks['dropped_chunks']} skipped for its budget (every {chunks['every_nth']}), "
              f"{chunks['work_s']} s of work" + (f"; {note}" if note else ""))
    if analysis.failures:
        print("failures: " + "; ".join(analysis.failures))
    ok = engine_cores <= BUDGET["cores"] and p95 <= BUDGET["p95_ms"] and dropped <= BUDGET["dropped"]
    print(f"budget (engine <= {BUDGET['cores']:g} core, p95 <= {BUDGET['p95_ms']:g} ms, no frame dropped): "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
