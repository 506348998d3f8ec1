"""`callshield analyze PATH... [--jsonl OUT] [--json OUT] [--html OUT]`.

`--json OUT` also writes OUT.sig: this installation's signature over each report's sha256 and verdict, which
is what lets a request count the verdict (a report without it counts as no call judged)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from verification.errors import CallShieldError
from verification.pipeline.runner import EngineConfig
from verification.report.html import render_html


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("analyze", help="analyse recordings (any audio/video file ffmpeg reads)",
                              description="Analyse recordings through the same engine as live calls.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--jsonl", metavar="OUT", help="write one report per line, in input order")
    p.add_argument("--json", metavar="OUT", help="write the report (an array when several inputs)")
    p.add_argument("--html", metavar="OUT", help="write a self-contained HTML report with plots")
    p.add_argument("--realtime", action="store_true", help="pace the recording to real time (live behaviour)")
    p.add_argument("--analysis-fps", type=float, default=15.0, metavar="FPS",
                   help="analyse at most FPS video frames per second of media (default 15; 0 = every frame)")
    p.add_argument("--no-faces", action="store_true", help="skip face tracking (video detectors then cannot judge)")
    p.add_argument("--provider", action="append", metavar="NAME",
                   help="execution provider preference, e.g. cuda, cpu (repeatable; default: best available)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.add_argument("--data-dir", metavar="DIR", default=None,
                   help="data directory whose installation key signs the reports (default: $CALLSHIELD_DATA_DIR "
                        "or the per-user data directory)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from verification.composition import build_analyzer  # heavy imports only when used

    # --realtime reproduces a live call, so frames the analysis cannot keep up with are dropped
    config = EngineConfig(realtime=args.realtime, lossless=False if args.realtime else None,
                          analysis_fps=args.analysis_fps or None)
    analyzer = build_analyzer(args.model_dir, config, with_faces=not args.no_faces, providers=args.provider)
    show = not args.quiet and sys.stderr.isatty()
    reports: list[dict[str, Any]] = []
    failed = 0
    from verification.progress import FileProgress

    with FileProgress(enabled=show) as bar:
        for path in args.paths:
            try:
                report = analyzer.analyze(path, progress=bar.callback(Path(path).name))
            except CallShieldError as exc:
                failed += 1
                bar.print_error(f"callshield: error: {exc}")
                continue
            reports.append(report)
            problems = report["input"].get("problems") or []
            if problems:  # damaged: reported as not judged, and still an error for scripts
                failed += 1
                bar.print_error(f"callshield: error: {problems[0]}")
            if not args.quiet:
                verdict = report["verdict"]
                risk = "n/a" if verdict["risk"] is None else f"{verdict['risk']:.2f}"
                bar.print_info(f"{path}: {verdict['level']} (risk {risk}), "
                               f"{report['timing']['realtime_factor']}x realtime")
    _write_outputs(args, reports)
    return 2 if failed else 0


def _write_signature(args: argparse.Namespace, payload: Any) -> None:
    from verification.audit.keys import load_installation_key
    from verification.report.signature import SUFFIX, sign_report
    from verification.store.location import resolve_data_dir

    data_dir = resolve_data_dir(args.data_dir, os.environ)
    key = load_installation_key(data_dir)
    signed: Any = sign_report(payload, key) if isinstance(payload, dict) else [sign_report(r, key) for r in payload]
    Path(args.json + SUFFIX).write_text(json.dumps(signed, indent=2) + "\n", encoding="utf-8")


def _write_outputs(args: argparse.Namespace, reports: list[dict[str, Any]]) -> None:
    wrote = False
    if args.jsonl:
        Path(args.jsonl).write_text("".join(json.dumps(r) + "\n" for r in reports), encoding="utf-8")
        wrote = True
    if args.json:
        payload: Any = reports[0] if len(args.paths) == 1 and reports else reports
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        _write_signature(args, payload)
        wrote = True
    if args.html:
        Path(args.html).write_text(render_html(reports), encoding="utf-8")
        wrote = True
    if not wrote:
        for r in reports:
            sys.stdout.write(json.dumps(r) + "\n")
