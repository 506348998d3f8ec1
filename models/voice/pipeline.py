"""One command for the whole `voice_synthetic` recipe: generate, featurise, train, evaluate.

    .venv/bin/python models/voice/pipeline.py --seed 0

Generated audio and features go to a cache directory (default: the per-user cache), never into
the repository or the shared data; finished stages are reused unless --fresh is given. Needs the
training requirements (models/voice/requirements-train.txt, models/voice/setup-train.sh).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from platformdirs import user_cache_dir  # noqa: E402

STAGES = ("generate", "features", "train", "evaluate")
# Run on request only (--stages dev): held-out-family EER on the validation split, for choosing
# recipe changes without the test split (voicetrain/dev_check.py).
EXTRA_STAGES = ("dev",)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=HERE.parents[2] / "shared" / "data",
                        help="shared data folder (holds manifest.csv)")
    parser.add_argument("--cache", type=Path, default=None, help="work folder for generated audio/features")
    parser.add_argument("--stages", default=",".join(STAGES),
                        help=f"comma list of {', '.join(STAGES + EXTRA_STAGES)} (default: all but dev)")
    parser.add_argument("--fresh", action="store_true", help="redo stages whose outputs exist")
    args = parser.parse_args(argv)
    cache = args.cache or Path(user_cache_dir("callshield", appauthor=False)) / f"voice-train-seed{args.seed}"
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    started = time.perf_counter()

    def log(line: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {line}", flush=True)

    from voicetrain.items import load_items

    def timed(stage: str, run: Callable[[], object]) -> None:
        begun = time.perf_counter()
        run()
        path = cache / "timings.json"  # wall seconds per stage, shown in the model card
        timings = json.loads(path.read_text()) if path.exists() else {}
        timings[stage] = round(time.perf_counter() - begun, 1)
        path.write_text(json.dumps(timings, indent=1))

    if "generate" in stages and (args.fresh or not (cache / "items.json").exists()):
        from voicetrain.generate import generate
        cache.mkdir(parents=True, exist_ok=True)
        timed("generate", lambda: generate(args.data, cache, args.seed, log))
    items = load_items(cache / "items.json")
    from voicetrain.features import build_features, features_current
    if "features" in stages and (args.fresh or not features_current(cache)):
        timed("features", lambda: build_features(items, cache, args.seed, log))
    if "train" in stages:
        from voicetrain.runs import train_all
        timed("train", lambda: train_all(items, cache, HERE, args.seed, log))
    if "evaluate" in stages:
        from voicetrain.evaluation import evaluate_all
        timed("evaluate", lambda: evaluate_all(items, cache, HERE, args.seed, log))
    if "dev" in stages:
        from voicetrain.dev_check import dev_check
        dev_check(items, cache, args.seed, log)
    log("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
