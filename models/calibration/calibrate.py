"""One command for the shipped score calibration (models/calibration.toml):

    .venv/bin/python models/calibration/calibrate.py --seed 0

Builds each detector's development set in a cache folder (never in the repository or the shared
data), fits it with `callshield calibrate`, then measures the fitted detector with `callshield eval`
on the development half it was not fitted on (people it never saw) and writes that summary
beside the calibration file. Needs the voice recipe's generated audio; it is made first
(`models/voice/pipeline.py --stages generate`, training requirements) when missing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "models" / "voice"))  # the recipe imports `voicetrain` as top level
sys.path.insert(0, str(ROOT / "models" / "face"))  # self-made swaps, evaluation only
sys.path.insert(0, str(HERE))

from platformdirs import user_cache_dir  # noqa: E402
import face_dev_set  # noqa: E402
import voice_dev_set  # noqa: E402


def _callshield(*args: str) -> None:
    command = [sys.executable, "-m", "verification.cli", *args]
    print("+ callshield " + " ".join(args), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None, help="work folder (default: the per-user cache)")
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "calibration.toml")
    parser.add_argument("--only", choices=("voice", "face"), help="calibrate one detector family only")
    args = parser.parse_args(argv)
    cache = args.cache or Path(user_cache_dir("callshield", appauthor=False))
    if args.only == "face":
        _face(args, cache)
        return 0
    voice_cache = cache / f"voice-train-seed{args.seed}"
    if not (voice_cache / "items.json").is_file():
        subprocess.run([sys.executable, str(ROOT / "models" / "voice" / "pipeline.py"), "--seed", str(args.seed),
                        "--stages", "generate", "--cache", str(voice_cache)], check=True)
    dev = cache / f"calibration-dev-seed{args.seed}" / "voice_synthetic"
    csvs = voice_dev_set.write_dev_set(voice_cache, dev, args.seed)
    print(f"voice_synthetic development set: {dev}", flush=True)
    _callshield("calibrate", "voice_synthetic", "--data", str(dev), "--labels", str(csvs["cal"]),
                "--out", str(args.out))
    _callshield("eval", "voice_synthetic", "--data", str(dev), "--labels", str(csvs["check"]),
                "--json", str(HERE / "voice_synthetic_check.json"))
    if args.only != "voice":
        _face(args, cache)
    return 0


def _face(args: argparse.Namespace, cache: Path) -> None:
    from verification.composition import build_face_pipeline, build_model_loader

    pipeline, why = build_face_pipeline(build_model_loader(None))
    if pipeline is None:
        raise SystemExit(f"face tracking unavailable: {why}")
    dev = cache / f"calibration-dev-seed{args.seed}" / "face_synthetic"
    csvs = face_dev_set.write_dev_set(ROOT.parent / "shared" / "data", dev, args.seed, pipeline)
    print(f"face_synthetic development set: {dev}", flush=True)
    _callshield("calibrate", "face_synthetic", "--data", str(dev), "--labels", str(csvs["cal"]),
                "--out", str(args.out))
    _callshield("eval", "face_synthetic", "--data", str(dev), "--labels", str(csvs["check"]),
                "--json", str(HERE / "face_synthetic_check.json"))


if __name__ == "__main__":
    sys.exit(main())
