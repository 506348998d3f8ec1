"""Time to alert for video: a real talking head, then the same kind of footage with a swapped face.

Each trial joins GRID clips from the shared data into one recording: the first `--real-clips`
clips as they are, the next `--fake-clips` with every frame's inner face replaced by a self-made
swap (models/face/swaps.py: `lowres` re-renders the person's own inner face at 48 px, as a live
swap model working at low resolution does; `warp` warps another person's face from the shared face
crops onto the mesh and Poisson-blends it). The audio stays the clips' own speech. Only the GRID clips the shipped calibration was not fitted
on are used. The recording
is played through the whole engine (face pipeline and every detector), paced to real time unless
--fast, and the verdict events are timed: seconds from the first swapped frame to `elevated` and
to `high`, and whether the level rose during the real part.

Usage: python benchmarks/bench_video_time_to_alert.py [--kind lowres|warp] [--trials 3] [--fast]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models" / "face"))
sys.path.insert(0, str(ROOT / "models" / "calibration"))
sys.path.insert(0, str(ROOT / "models" / "voice"))  # the calibration code imports `voicetrain` as top level
sys.path.insert(0, str(Path(__file__).resolve().parent))
from alert_timing import print_summary, run_trial  # noqa: E402
from face_dev_set import grid_halves  # noqa: E402
from swap_video import donor_face, join_clips, write  # noqa: E402
from verification.composition import build_analyzer  # noqa: E402
from verification.pipeline.runner import EngineConfig  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
GRID = DATA / "video" / "talking_heads" / "grid"
DONOR = DATA / "faces" / "london_set" / "neutral"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=("lowres", "warp"), default="lowres")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--real-clips", type=int, default=2)
    parser.add_argument("--fake-clips", type=int, default=2)
    parser.add_argument("--fast", action="store_true", help="do not pace to real time")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="also keep the joined recordings here")
    args = parser.parse_args()
    # only the clips the shipped calibration was not fitted on (models/calibration/face_dev_set.py)
    clips = grid_halves(GRID, seed=0)["check"]
    analyzer = build_analyzer(None, EngineConfig())
    if analyzer.faces is None:
        raise SystemExit(f"face tracking unavailable: {analyzer.face_unavailable}")
    donor = donor_face(analyzer.faces, DONOR) if args.kind == "warp" else None
    per_trial = args.real_clips + args.fake_clips
    results = []
    with tempfile.TemporaryDirectory(prefix="callshield-vtta-") as tmp:
        for k in range(args.trials):
            chosen = [clips[(k + j) % len(clips)] for j in range(per_trial)]  # each trial starts one clip later
            frames, audio, rate, fake_start = join_clips(chosen, args.real_clips, analyzer.faces, args.kind, donor)
            path = Path(tmp) / f"trial{k}.mkv"
            write(path, frames, audio, rate)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / path.name).write_bytes(path.read_bytes())
            result = run_trial(analyzer, path, fake_start, realtime=not args.fast, with_video=True)
            results.append(result)
            names = ", ".join(c.stem for c in chosen)
            print(f"trial {k}: {names}; {args.kind} swap from {fake_start:.1f} s: {result}", flush=True)
    print_summary(results, "the swapped face appeared")
    return 0


if __name__ == "__main__":
    sys.exit(main())
