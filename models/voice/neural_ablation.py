"""Ablation for variant `hifigan` of neural_lofo.py: the same held-out groups, steps and seeds, but
variant `matched` (no HiFi-GAN copy-synthesis in training), so the copy-synthesis' own effect shows.

    PYTHONPATH=. .venv/bin/python models/voice/neural_ablation.py --work WORK --groups kokoro,wavegrad

WORK is neural_lofo.py's --work after its `hifigan` stage. Writes lofo_GROUP_matched400.onnx and
ablation_GROUP_matched400.json (per-family EERs) there.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from voicetrain.items import load_items  # noqa: E402
from voicetrain.modern import HIFIGAN_GROUPS, MATCHED_REAL_TRAIN  # noqa: E402
from voicetrain.neural_eval import family_table, load_test, score  # noqa: E402
from voicetrain.neural_runs import train_one  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--groups", default=",".join(HIFIGAN_GROUPS))
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    started = time.perf_counter()

    def log(line: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {line}", flush=True)

    items = load_items(args.work / "items.json")
    by_uid = {i.uid: i for i in items}
    feats = load_test(args.work)
    for k, (group, fams) in enumerate(HIFIGAN_GROUPS.items()):
        if group not in args.groups.split(","):
            continue
        out = args.work / f"lofo_{group}_matched{args.steps}.onnx"
        # seed as neural_lofo.py gives the same group in variant hifigan
        train_one(items, args.work, f"{group} (matched)", fams + ("deepvoice3_griffinlim",), args.steps,
                  args.seed + 1 + k, out, log, "matched")
        uids = sorted(u for u in feats if by_uid[u].label == 0 or by_uid[u].family in fams)
        table = family_table({group: score(out, uids, feats)}, {f: group for f in fams}, by_uid, list(fams),
                             args.seed, MATCHED_REAL_TRAIN)
        (args.work / f"ablation_{group}_matched{args.steps}.json").write_text(json.dumps(table, default=float))
        log(f"{group}: " + ", ".join(f"{f} {c} {100 * table[c][f]['eer']:.1f}" for c in ("clean", "opus16")
                                     for f in fams if f in table[c]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
