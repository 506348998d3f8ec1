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
from verification.speech.chunked import DEFAULT_BUDGET


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
    p.add_argument("--no-cues", action="store_true",
                   help="do not transcribe the speech to look for scam cues (urgency, secrecy, changed account...)")
    p.add_argument("--keep-transcript", action="store_true",
                   help="put the local transcript in the report (by default only the cues and their quotes)")
    p.add_argument("--cue-budget", type=float, default=DEFAULT_BUDGET, metavar="SHARE",
                   help=f"transcription work per second of audio, in seconds (default {DEFAULT_BUDGET}); "
                        "over it, only every Nth 10 s chunk is transcribed")
    p.add_argument("--data-dir", metavar="DIR", default=None,
                   help="data directory whose installation key signs the reports (default: $CALLSHIELD_DATA_DIR "
                        "or the per-user data directory)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from verification.composition import build_analyzer  # heavy imports only when used

    # --realtime reproduces a live call, so frames the analysis cannot keep up with are dropped
    config = EngineConfig(realtime=args.realtime, lossless=False if args.realtime else None,
                          analysis_fps=args.analysis_fps or None)
    if not 0.01 <= args.cue_budget <= 10:
        raise CallShieldError(f"--cue-budget must be between 0.01 and 10, got {args.cue_budget}")
    analyzer = build_analyzer(args.model_dir, config, with_faces=not args.no_faces, providers=args.provider)
    listen = None if args.no_cues else _cue_listener(analyzer.models, args)
    show = not args.quiet and sys.stderr.isatty()
    reports: list[dict[str, Any]] = []
    failed = 0
    from verification.progress import FileProgress

    with FileProgress(enabled=show) as bar:
        for path in args.paths:
            try:
                report = analyzer.analyze(path, progress=bar.callback(Path(path).name))
                if listen is not None:
                    report["speech_cues"] = listen(path)
            except CallShieldError as exc:
                failed += 1
                bar.print_error(f"callshield: error: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - a bug met by one file must not cost the others
                failed += 1
                what = " ".join(str(exc).split())[:200]
                bar.print_error(f"callshield: error: {path}: unexpected error while analysing "
                                f"({type(exc).__name__}: {what}); please report it")
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


def _cue_listener(models: Any, args: argparse.Namespace) -> Any:
    """path -> the report's `speech_cues`; the recogniser loads once, for all inputs, on first use."""
    from verification.speech.call_cues import call_cues, read_call_audio
    from verification.speech.whisper import Recogniser

    held: list[Recogniser] = []

    def listen(path: str) -> dict[str, Any]:
        try:
            if not held:
                held.append(Recogniser(models.manifest, models.model_dir))
            return call_cues(read_call_audio(path), held[0], keep_transcript=args.keep_transcript,
                             budget=args.cue_budget)
        except CallShieldError as exc:  # no recogniser or no readable audio: the cues are not judged
            return {"model": "whisper_tiny_en", "cues": [], "checklist": [], "unavailable": str(exc)}

    return listen


def _write_signature(args: argparse.Namespace, payload: Any) -> None:
    from verification.audit.keys import INSTALLATION_KEY_FILE, load_installation_key
    from verification.report.signature import SUFFIX, sign_report
    from verification.store.location import data_dir_path

    data_dir = data_dir_path(args.data_dir, os.environ)
    if not (data_dir / INSTALLATION_KEY_FILE).exists():
        # Analysis creates nothing it was not asked for; without this installation's key the report
        # cannot be linked to a request as a judged call anyway (it would count as no call).
        print(f"callshield: note: {args.json} not signed: no installation key in {data_dir} "
              f"(set up this machine first)", file=sys.stderr)
        return
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
