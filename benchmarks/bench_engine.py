"""Engine benchmark on recordings: realtime factor, fps, drops, stage latency, RSS, ONNX share.

Usage: python benchmarks/bench_engine.py FILE... [--realtime] [--analysis-fps N] [--no-faces]
Prints one line per file and a summary; not a test (timings depend on the machine).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from verification.composition import build_analyzer
from verification.pipeline.runner import EngineConfig


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--realtime", action="store_true")
    parser.add_argument("--analysis-fps", type=float, default=15.0)
    parser.add_argument("--no-faces", action="store_true")
    parser.add_argument("--model-dir", default=None)
    args = parser.parse_args()
    analyzer = build_analyzer(args.model_dir, EngineConfig(realtime=args.realtime,
                                                             analysis_fps=args.analysis_fps or None),
                              with_faces=not args.no_faces)
    clock = analyzer.models.clock
    total_media = total_wall = total_onnx = 0.0
    print(f"{'file':28} {'RTF':>6} {'in fps':>7} {'an fps':>7} {'drop':>5} {'vision p50/p95 ms':>18} "
          f"{'e2e p50/p95 ms':>15} {'onnx %':>7}")
    for path in args.paths:
        onnx_before = clock.seconds
        started = time.perf_counter()
        report = analyzer.analyze(path)
        wall = time.perf_counter() - started
        onnx = clock.seconds - onnx_before
        t = report["timing"]
        vis, e2e = t["stages"]["vision"], t["end_to_end"]
        total_media += report["input"]["duration_s"] or 0.0
        total_wall += wall
        total_onnx += onnx
        print(f"{path[-28:]:28} {t['realtime_factor']:>6} {t['input_fps']:>7} {t['analysed_fps']:>7} "
              f"{t['frames_dropped']:>5} {str(vis['p50_ms']) + '/' + str(vis['p95_ms']):>18} "
              f"{str(e2e['p50_ms']) + '/' + str(e2e['p95_ms']):>15} {100 * onnx / wall:>6.1f}%")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\noverall realtime factor {total_media / total_wall:.2f} ({total_media:.1f} s of media in "
          f"{total_wall:.2f} s); ONNX runs {100 * total_onnx / total_wall:.1f}% of wall time, "
          f"{100 * (1 - total_onnx / total_wall):.1f}% outside; peak RSS {rss_mb:.0f} MB; "
          f"providers {', '.join(analyzer.models.providers)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
