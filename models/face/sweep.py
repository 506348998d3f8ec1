"""Recipe selection for the `face_synthetic` classifier's second member, on dev identities only.

    .venv/bin/python models/face/sweep.py --out sweep.json \
        "fitted45=sbi:0.35,self_warp:0.1,cross:0.1,fitted:0.45/wide/48" ...

Each candidate is NAME=MIX/LAYERS/EPOCHS. Holds the dev fifth of the training identities out of
fitting (as train_face_synthetic.py --dev), trains the shipped self-blend member once, then each
candidate, and reports dev AUCs per swap kind for the candidate alone and in the ensemble with
the self-blend member at several weights. The test split is not touched. Results are written
after every candidate, so a run cut short keeps what it finished; each member's dev logits go
beside the JSON (OUT_NAME.npz), so other ensembles can be scored later without retraining.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from face_data import load_faces, split  # noqa: E402
from face_net import LAYERS, logits  # noqa: E402
from train_face_synthetic import RECIPES, Recipe, dev_aucs, dev_split, train  # noqa: E402
from training_data import Pool, parse_mix  # noqa: E402

WEIGHTS = (0.6, 0.5, 0.4)  # the self-blend member's share of the mean logit


def parse_candidate(text: str) -> Recipe:
    try:
        name, rest = text.split("=", 1)
        mix, layers, epochs = rest.split("/")
        parse_mix(mix)
        return Recipe(name, mix, LAYERS[layers], int(epochs), 1.0)
    except (ValueError, KeyError) as exc:
        raise SystemExit(f"bad candidate {text!r} (want NAME=MIX/small|wide|wider/EPOCHS): {exc}") from None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("candidates", nargs="+")
    ap.add_argument("--out", required=True, help="JSON with every finished candidate's dev AUCs")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--alone", action="store_true", help="skip the self-blend member: candidates alone only")
    args = ap.parse_args()
    candidates = [parse_candidate(c) for c in args.candidates]
    torch.set_num_threads(2)
    train_faces, _ = split(load_faces())
    fit_faces, dev = dev_split(train_faces)
    pool = Pool.load(fit_faces)
    # The per-epoch line's "held-out SBI AUC": the dev identities' self-blends (the test split stays shut).
    real, fake = dev["train_real"], dev["train_sbi"]
    held_out = (np.concatenate([real, fake]), np.r_[np.zeros(len(real)), np.ones(len(fake))].astype(np.float32))
    base = RECIPES[0]
    started = time.time()
    results: dict = {"fit_faces": len(fit_faces), "candidates": []}
    sbi_dev = None
    if not args.alone:
        sbi_dev = logits_of(train(base, base.epochs, pool, held_out, None, args.workers, args.device), dev)
        results["self_blend_member"] = dev_aucs(lambda x: sbi_dev[id(x)], dev)
        save_logits(Path(args.out), base.name, sbi_dev, dev)
    for cand in candidates:
        t0 = time.time()
        net = train(cand, cand.epochs, pool, held_out, None, args.workers, args.device)
        own = logits_of(net, dev)
        save_logits(Path(args.out), cand.name, own, dev)
        entry = {"name": cand.name, "mix": parse_mix(cand.mix), "layers": cand.layers, "epochs": cand.epochs,
                 "params": sum(p.numel() for p in net.parameters()), "seconds": round(time.time() - t0, 1),
                 "alone": dev_aucs(lambda x: own[id(x)], dev)}
        for w in WEIGHTS if sbi_dev is not None else ():
            entry[f"with_sbi_{w}"] = dev_aucs(lambda x: w * sbi_dev[id(x)] + (1 - w) * own[id(x)], dev)
        results["candidates"].append(entry)
        results["seconds"] = round(time.time() - started, 1)
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
        print(json.dumps(entry), flush=True)
    return 0


def logits_of(net, dev: dict[str, np.ndarray]) -> dict[int, np.ndarray]:
    """Logits of every dev array, keyed by the array's id (dev_aucs hands the arrays back)."""
    return {id(v): logits(net, v) for v in dev.values()}


def save_logits(out: Path, name: str, by_id: dict[int, np.ndarray], dev: dict[str, np.ndarray]) -> None:
    np.savez(out.with_name(f"{out.stem}_{name}.npz"), **{key: by_id[id(v)] for key, v in dev.items()})


if __name__ == "__main__":
    sys.exit(main())
