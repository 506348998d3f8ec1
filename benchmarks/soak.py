"""Soak: a long synthetic call through the live engine at accelerated speed, watched for growth.

Usage: python benchmarks/soak.py [--minutes 30] [--every 5] [--no-faces] [--plot soak.svg]

The call is the shared GRID talking-head clips (faces and speech) played back to back through
the real file decoder, or generated clips (no faces) when the shared data is absent. While it
runs, RSS, native and Python thread counts, open file descriptors and the engine's queue depths
(frame slot, audio ring seconds, evidence queue) are sampled every `--every` wall seconds. Prints
the samples, the growth after warm-up (the first `--warmup` fraction of the call) and whether
threads and descriptors came back to their level before the call; writes the figures as an SVG
plot. Not a test: `tests/verification/test_soak_short.py` runs a few seconds of it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.long_call import PlaylistAudioSource, PlaylistVideoSource, process_figures  # noqa: E402
from tests.media import GRID_DIR, write_clip  # noqa: E402
from verification.analyzer import face_dependent_reasons  # noqa: E402
from verification.composition import build_analyzer  # noqa: E402
from verification.fusion.live import CallFusion  # noqa: E402
from verification.pipeline.runner import Engine, EngineConfig  # noqa: E402

FIELDS = ("media_s", "wall_s", "rss_mb", "threads", "python_threads", "open_files", "video_slot",
          "audio_ring_s", "evidence")


@dataclass
class SoakResult:
    media_s: float
    samples: list[dict[str, float]] = field(default_factory=list)
    before: dict[str, float] = field(default_factory=dict)  # process figures before the engine started
    after: dict[str, float] = field(default_factory=dict)  # and after it stopped
    wall_s: float = 0.0
    frames_in: int = 0
    audio_windows: int = 0
    clips: str = ""

    def growth(self, warmup: float = 0.2) -> dict[str, float]:
        """Change of each figure from the first sample after warm-up to the last sample."""
        cut = warmup * self.media_s
        running = [s for s in self.samples if s["running"]] or self.samples
        late = [s for s in running if s["media_s"] >= cut] or running[-1:]
        first, last = late[0], running[-1]
        hours = max(1e-9, (last["media_s"] - first["media_s"]) / 3600)
        rss = last["rss_mb"] - first["rss_mb"]
        return {"rss_mb": rss, "rss_mb_per_hour": rss / hours, "threads": last["threads"] - first["threads"],
                "open_files": last["open_files"] - first["open_files"],
                "max_evidence": max(s["evidence"] for s in late), "max_audio_ring_s": max(s["audio_ring_s"] for s in late),
                "from_media_s": first["media_s"]}

    def leaks(self) -> dict[str, float]:
        """Threads and descriptors left after stop, against before start (0 means none leaked)."""
        return {k: self.after[k] - self.before[k] for k in ("threads", "python_threads", "open_files")}

    def summary(self, warmup: float = 0.2) -> str:
        g, leak = self.growth(warmup), self.leaks()
        return (f"soak: {self.media_s / 60:.1f} min of call ({self.clips}) in {self.wall_s:.0f} s wall "
                f"({self.media_s / max(self.wall_s, 1e-9):.1f}x realtime), {self.frames_in} frames, "
                f"{self.audio_windows} audio windows; after warm-up (from {g['from_media_s']:.0f} s): RSS "
                f"{g['rss_mb']:+.1f} MB ({g['rss_mb_per_hour']:+.0f} MB per call hour), threads "
                f"{g['threads']:+.0f}, open files {g['open_files']:+.0f}, evidence queue at most "
                f"{g['max_evidence']:.0f}, audio ring at most {g['max_audio_ring_s']:.1f} s; left after stop: "
                f"threads {leak['threads']:+.0f} ({leak['python_threads']:+.0f} Python), open files "
                f"{leak['open_files']:+.0f}; peak RSS {max(s['rss_mb'] for s in self.samples):.0f} MB")


def call_clips(folder: Path) -> tuple[list[Path], str]:
    """The GRID talking heads when present, else two generated clips (no face, tone)."""
    grid = sorted(GRID_DIR.glob("*.mpg")) if GRID_DIR.is_dir() else []
    if grid:
        return grid, f"{len(grid)} GRID talking-head clips looped"
    return [write_clip(folder / "a.mp4", seconds=3.0), write_clip(folder / "b.mp4", seconds=2.0)], \
        "generated clips looped (no shared data: no faces)"


def _figures() -> dict[str, float]:
    f = process_figures()
    return {"rss_mb": f.rss_mb, "threads": f.threads, "python_threads": f.python_threads, "open_files": f.open_files}


def run_soak(media_s: float, every_s: float = 5.0, faces: bool = True, parts=None, clips: list[Path] | None = None,
             warmup_call_s: float = 4.0, log=print) -> SoakResult:
    """Run `media_s` seconds of call through a fresh engine; `parts`: a RecordingAnalyzer to reuse.

    A short call runs first (`warmup_call_s`), so pools and caches that are made once per process
    on first use are not counted as left behind by the measured call.
    """
    with tempfile.TemporaryDirectory(prefix="callshield-soak-") as tmp:
        described = "given clips"
        if clips is None:
            clips, described = call_clips(Path(tmp))
        parts = parts or build_analyzer(None, EngineConfig(), with_faces=faces)
        if warmup_call_s > 0:
            _call(parts, clips, warmup_call_s, SoakResult(media_s=warmup_call_s), every_s, lambda line: None)
        result = SoakResult(media_s=media_s, clips=described, before=_figures())
        _call(parts, clips, media_s, result, every_s, log)
        result.after = _figures()
    return result


def _call(parts, clips: list[Path], media_s: float, result: SoakResult, every_s: float, log) -> None:
    detectors = parts.registry.create_all(parts.models, unavailable=face_dependent_reasons(parts.face_unavailable))
    if parts.faces is not None:
        parts.faces.reset()
    engine = Engine(detectors, parts.faces, EngineConfig(), fusion=CallFusion(parts.calibration))
    started = time.monotonic()
    engine.start(PlaylistVideoSource(clips, media_s), PlaylistAudioSource(clips, media_s))
    while True:
        done = engine.wait(timeout=every_s)
        sample = {"media_s": engine.progress_media_s(), "wall_s": time.monotonic() - started,
                  **_figures(), **engine.queue_depths(), "running": float(not done)}
        result.samples.append(sample)
        log("  " + "  ".join(f"{k} {sample[k]:.1f}" for k in FIELDS))
        if done:
            break
    result.wall_s = time.monotonic() - started
    engine.stop()
    analysis = engine.finish()
    result.frames_in = analysis.metrics["frames_in"]
    result.audio_windows = analysis.metrics["audio_windows"]
    if analysis.failures:
        raise RuntimeError(f"soak source failed: {analysis.failures[0]}")


def svg_plot(result: SoakResult) -> str:
    """Four panels against call time: RSS, threads, open files, queue depths."""
    panels = [("RSS (MB)", ["rss_mb"]), ("threads", ["threads", "python_threads"]), ("open files", ["open_files"]),
              ("queue depths", ["evidence", "audio_ring_s", "video_slot"])]
    colors = ["#1f77b4", "#d62728", "#2ca02c"]
    width, height, left, top = 720, 170, 60, 24
    xs = [s["media_s"] for s in result.samples]
    x_max = max(xs[-1], 1.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height * len(panels) + 30}" '
             f'font-family="sans-serif" font-size="11">']
    for i, (title, keys) in enumerate(panels):
        y0 = i * height + top
        values = [s[k] for s in result.samples for k in keys]
        lo, hi = min(0.0, min(values)), max(values) * 1.1 or 1.0
        plot_w, plot_h = width - left - 20, height - top - 30
        parts.append(f'<text x="{left}" y="{y0 - 8}" font-weight="bold">{title}</text>')
        parts.append(f'<rect x="{left}" y="{y0}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>')
        parts.append(f'<text x="{left - 5}" y="{y0 + 10}" text-anchor="end">{hi:.0f}</text>')
        parts.append(f'<text x="{left - 5}" y="{y0 + plot_h}" text-anchor="end">{lo:.0f}</text>')
        for j, key in enumerate(keys):
            points = " ".join(f"{left + plot_w * x / x_max:.1f},{y0 + plot_h * (1 - (s[key] - lo) / (hi - lo)):.1f}"
                              for x, s in zip(xs, result.samples))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colors[j]}" stroke-width="1.5"/>')
            parts.append(f'<text x="{left + plot_w - 5}" y="{y0 + 12 + 12 * j}" text-anchor="end" '
                         f'fill="{colors[j]}">{key}</text>')
    parts.append(f'<text x="{left}" y="{height * len(panels) + 20}">call time (s), 0 to {x_max:.0f}</text></svg>')
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="minutes of call (media time)")
    parser.add_argument("--every", type=float, default=5.0, help="sample every N wall seconds")
    parser.add_argument("--warmup", type=float, default=0.2, help="fraction of the call left out of growth")
    parser.add_argument("--no-faces", action="store_true")
    parser.add_argument("--plot", type=Path, default=Path("soak.svg"))
    args = parser.parse_args()
    result = run_soak(args.minutes * 60, args.every, faces=not args.no_faces)
    args.plot.write_text(svg_plot(result), encoding="utf-8")
    print(result.summary(args.warmup))
    print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
