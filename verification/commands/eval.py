"""`callshield eval TASK --data DIR --labels CSV [--plot PNG] [--json OUT]`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from verification.detectors.catalog import DETECTOR_IDS
from verification.errors import ConfigError
from verification.evaluation.scoring import VERDICT_TASK


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("eval", help="measure a detector (or the call verdict) on labelled media",
                              description="Run the engine on labelled recordings and print AUC, EER and "
                                          "error rates at the shipped thresholds, with bootstrap 95%% intervals.")
    p.add_argument("task", choices=[*DETECTOR_IDS, VERDICT_TASK], metavar="TASK",
                   help=f"a detector id ({', '.join(DETECTOR_IDS)}) or '{VERDICT_TASK}'")
    p.add_argument("--data", required=True, type=Path, metavar="DIR", help="folder the CSV paths are relative to")
    p.add_argument("--labels", required=True, type=Path, metavar="CSV",
                   help="columns path,label (bonafide|spoof); optional source, system, speaker, identity")
    p.add_argument("--plot", type=Path, metavar="PNG", help="write a ROC plot")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the summary as JSON")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap rounds (default 1000)")
    p.add_argument("--analysis-fps", type=float, default=15.0, metavar="FPS")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from verification.composition import build_analyzer
    from verification.evaluation.labels import read_labels
    from verification.evaluation.scoring import score_items
    from verification.evaluation.summary import summarize
    from verification.fusion.thresholds import shipped_thresholds
    from verification.pipeline.runner import EngineConfig

    if not args.data.is_dir():
        raise ConfigError(f"{args.data}: not a folder")
    items = read_labels(args.labels, args.data)
    analyzer = build_analyzer(args.model_dir, EngineConfig(analysis_fps=args.analysis_fps or None),
                              with_faces=args.task not in ("voice_synthetic", "voice_identity"))
    scored, failed = score_items(analyzer, items, args.task)
    summary = summarize(args.task, scored, shipped_thresholds(args.task), rounds=args.bootstrap)
    summary["unreadable_files"] = failed
    _print(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if args.plot:
        from verification.evaluation.plot import save_roc

        judged = [s for s in scored if s.score is not None]
        curves = [("all", np.array([s.score for s in judged]), np.array([s.item.label for s in judged]))]
        save_roc(args.plot, curves, f"CallShield {args.task}")
    return 2 if failed else 0


def _fmt(block: dict[str, Any]) -> str:
    if "auc" not in block:
        return f"{block['judged']}/{block['files']} judged (needs both classes for AUC/EER)"
    lo, hi = block["auc_ci95"]
    elo, ehi = block["eer_ci95"]
    return (f"AUC {block['auc']:.3f} [{lo:.3f}, {hi:.3f}]  EER {100 * block['eer']:.1f}% "
            f"[{100 * elo:.1f}, {100 * ehi:.1f}] at {block['eer_threshold']:.3f}  "
            f"({block['bonafide']} bona fide, {block['spoof']} spoof judged of {block['files']})")


def _print(summary: dict[str, Any]) -> None:
    overall = summary["overall"]
    print(f"{summary['task']}: {_fmt(overall)}")
    for name, at in overall.get("at_shipped_thresholds", {}).items():
        print(f"  at {name} ({at['threshold']:.3f}): false alarms {100 * at['false_alarm_rate']:.1f}%, "
              f"misses {100 * at['miss_rate']:.1f}%")
    for column, per in summary["by"].items():
        for value, block in per.items():
            print(f"  {column}={value}: {_fmt(block)}")
    for reason, count in summary["not_judged"].items():
        print(f"  not judged ({count} files): {reason}")
