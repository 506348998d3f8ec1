"""`callshield calibrate DETECTOR --data DIR --labels CSV`: fit and store the detector's calibration."""

from __future__ import annotations

import argparse
import datetime as dt
import tomllib
from pathlib import Path

import numpy as np

from verification.detectors.catalog import DETECTOR_IDS
from verification.errors import ConfigError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("calibrate", help="fit a detector's score calibration on labelled media",
                              description="Score labelled recordings and fit raw score -> log-likelihood ratio "
                                          "(Platt scaling); writes the detector's entry in the calibration file.")
    p.add_argument("detector", choices=DETECTOR_IDS, metavar="DETECTOR")
    p.add_argument("--data", required=True, type=Path, metavar="DIR")
    p.add_argument("--labels", required=True, type=Path, metavar="CSV")
    p.add_argument("--out", type=Path, metavar="TOML", help="calibration file (default: models/calibration.toml)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from verification.composition import build_analyzer
    from verification.evaluation.labels import read_labels
    from verification.evaluation.scoring import score_items
    from verification.fusion.calibration import default_calibration_path, fit_platt
    from verification.pipeline.runner import EngineConfig

    items = read_labels(args.labels, args.data)
    analyzer = build_analyzer(args.model_dir, EngineConfig(),
                              with_faces=args.detector not in ("voice_synthetic", "voice_identity"))
    scored, _failed = score_items(analyzer, items, args.detector)
    judged = [s for s in scored if s.score is not None]
    labels = np.array([s.item.label for s in judged])
    if len(set(labels.tolist())) < 2:
        raise ConfigError(f"{args.labels}: calibration needs judged bona fide and spoof files (judged {len(judged)})")
    cal = fit_platt(np.array([s.score for s in judged]), labels)
    out = args.out or default_calibration_path()
    data = tomllib.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    detectors = data.get("detectors", {})
    detectors[args.detector] = {"a": round(cal.a, 6), "b": round(cal.b, 6),
                                "fitted_on": f"{cal.fitted_on} from {args.labels.name} ({dt.date.today()})"}
    version = int(data.get("version", 0)) + 1
    lines = ["# Raw detector score -> log-likelihood ratio, LLR = a * logit(score) + b.",
             "# Written by `callshield calibrate DETECTOR --data DIR --labels CSV`; do not edit by hand.",
             f"version = {version}", ""]
    for det_id in sorted(detectors):
        entry = detectors[det_id]
        lines += [f"[detectors.{det_id}]", f"a = {entry['a']}", f"b = {entry['b']}",
                  f"fitted_on = {_quote(str(entry.get('fitted_on', '')))}", ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"{args.detector}: a = {cal.a:.4f}, b = {cal.b:.4f} on {cal.fitted_on}; wrote {out} (version {version})")
    return 0


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
