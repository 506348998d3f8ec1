"""Voice detectors benchmark: audio-path realtime factor on recordings, and time to first score.

Usage: python benchmarks/bench_voice.py [FILE...] [--model-dir DIR] [--repeat N]
Without files it builds a 60 s call from shared LibriSpeech speakers (with pauses) and writes it
to a temporary WAV. The recording goes through the real engine (`RecordingAnalyzer`: decode,
ring, 2 s windows every 0.5 s) with only `voice_synthetic` and `voice_identity` enabled.
Both detectors share one VAD stream (voice_pair.SharedSpeech) unless --separate-vad is given.
Time to first score replays the same audio window by window as a live call would deliver it and
reports media time from speech onset to the first scored window, plus the compute per window.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from verification.analyzer import RecordingAnalyzer
from verification.composition import build_model_loader
from verification.detectors import voice_identity, voice_synthetic
from verification.detectors.evidence import AudioWindow
from verification.detectors.registry import DetectorRegistry
from verification.detectors.voice_pair import SharedSpeech
from verification.pipeline.runner import EngineConfig
from verification.sources.file_source import FileAudioSource

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech" / "real" / "librispeech_resemblyzer"
RATE = 16_000


def _demo_call(seconds: float = 60.0) -> Path:
    rng = np.random.default_rng(0)
    parts: list[np.ndarray] = [np.zeros(RATE, np.float32)]
    for path in sorted(SHARED.glob("*.flac"))[:12]:
        audio, rate = sf.read(str(path), dtype="float32")
        parts += [audio[: int(rng.uniform(4, 8) * rate)], np.zeros(int(rng.uniform(0.3, 1.5) * RATE), np.float32)]
        if sum(p.size for p in parts) >= seconds * RATE:
            break
    out = Path(tempfile.mkdtemp(prefix="bench-voice-")) / "call.wav"
    sf.write(str(out), np.concatenate(parts)[: int(seconds * RATE)], RATE)
    return out


def _decode(path: Path) -> np.ndarray:
    source = FileAudioSource(path)
    source.open()
    blocks = []
    while (chunk := source.read()) is not None:
        blocks.append(chunk.samples)
    source.close()
    return np.concatenate(blocks)


def _first_score(loader: object, audio: np.ndarray) -> tuple[float | None, float, float]:
    """(media s from speech onset to first score, median and p95 ms per window, both detectors)."""
    speech = SharedSpeech()
    detectors = [speech.synthetic(loader), speech.identity(loader)]
    n, hop = 2 * RATE, RATE // 2
    costs: list[float] = []
    first: float | None = None
    onset: float | None = None
    for seq, a in enumerate(range(0, audio.size - n + 1, hop)):
        window = AudioWindow(seq, a / RATE, (a + n) / RATE, audio[a:a + n], RATE, False, time.monotonic())
        started = time.perf_counter()
        evidence = [e for d in detectors for e in d.process_audio(window)]
        costs.append(1000 * (time.perf_counter() - started))
        tracker = detectors[0].tracker
        onset = tracker.first_speech_s if tracker is not None else None
        if first is None and any(e.detector_id == "voice_synthetic" and e.status == "ok" for e in evidence):
            first = window.t1
    costs.sort()
    delay = None if first is None or onset is None else first - onset
    return delay, statistics.median(costs), costs[int(0.95 * (len(costs) - 1))]


def _registry(shared_vad: bool) -> DetectorRegistry:
    registry = DetectorRegistry()
    if shared_vad:
        speech = SharedSpeech()
        registry.register("voice_synthetic", speech.synthetic)
        registry.register("voice_identity", speech.identity)
    else:
        registry.register("voice_synthetic", voice_synthetic.create)
        registry.register("voice_identity", voice_identity.create)
    return registry


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--model-dir", default=None)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs over all files (median reported)")
    parser.add_argument("--separate-vad", action="store_true",
                        help="a VAD per detector instead of voice_pair.SharedSpeech")
    args = parser.parse_args()
    paths = [Path(p) for p in args.paths] or [_demo_call()]
    loader = build_model_loader(args.model_dir)
    analyzer = RecordingAnalyzer(_registry(not args.separate_vad), loader, None, EngineConfig())
    analyzer.analyze(paths[0])  # load and warm the models and caches once, outside the timing
    print(f"{'file':28} {'media s':>8} {'wall s':>7} {'RTF':>6} {'synthetic':>10} {'identity':>10}")
    factors: list[float] = []
    for run in range(args.repeat):
        total_media = total_wall = 0.0
        for path in paths:
            started = time.perf_counter()
            report = analyzer.analyze(path)
            wall = time.perf_counter() - started
            media = report["input"]["duration_s"] or 0.0
            total_media, total_wall = total_media + media, total_wall + wall
            det = report["detectors"]
            if run == 0:
                print(f"{str(path)[-28:]:28} {media:>8.1f} {wall:>7.2f} {media / wall:>6.1f} "
                      f"{str(det['voice_synthetic']['score']):>10} {str(det['voice_identity']['score']):>10}")
        factors.append(total_media / total_wall)
    vad = "a VAD per detector" if args.separate_vad else "one shared VAD"
    print(f"\naudio-path realtime factor {statistics.median(factors):.1f} (median of {args.repeat} runs, "
          f"{min(factors):.1f}-{max(factors):.1f}; target >= 50) on {os.cpu_count()} cores, {vad}; "
          f"load average now {os.getloadavg()[0]:.1f} (other processes slow it)")
    delay, p50, p95 = _first_score(loader, _decode(paths[0]))
    print(f"live: first voice_synthetic score {delay if delay is None else round(delay, 2)} s of media after "
          f"speech onset (target <= 2 s); compute per 0.5 s hop: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          f"(both detectors)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
