"""`callshield doctor`: check that this computer can watch a call, and say what to fix.

Exit status: 0 nothing to fix (warnings allowed); 1 at least one problem; 2 an error (one line).
The desktop app's first-run check runs the same checks (verification/doctor.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from verification.doctor import STATUS_WORDS, Check, run_checks, worst_status
from verification.inference.model_dir import resolve_model_dir


def _print_text(checks: list[Check]) -> None:
    width = max(len(c.title) for c in checks)
    for check in checks:
        print(f"{STATUS_WORDS[check.status]:<6} {check.title:<{width}}  {check.found}")
        if check.fix:
            print(f"{'':<6} {'':<{width}}  what to do: {check.fix}")


def _self_check(model_dir: Path) -> int:
    from verification.self_check.parts import ENGINE_PARTS
    from verification.self_check.runner import run_self_check

    return run_self_check(ENGINE_PARTS, model_dir, say=print,
                          fail=lambda line: print(f"callshield: {line}", file=sys.stderr))


def run(args: argparse.Namespace) -> int:
    model_dir = resolve_model_dir(getattr(args, "model_dir", None), os.environ)
    if args.self_check:
        return _self_check(model_dir)
    checks = run_checks(model_dir, db_url=args.db, data_dir=args.data_dir, include_cameras=not args.no_camera)
    worst = worst_status(checks)
    if args.json:
        print(json.dumps({"status": worst, "checks": [c.as_dict() for c in checks]}, indent=2))
    else:
        _print_text(checks)
        summary = {"ok": "Ready: nothing to fix.",
                   "warning": "Ready, with the limits noted above.",
                   "problem": "Not ready: fix the lines marked FIX, then run `callshield doctor` again."}
        print(summary[worst])
    return 1 if worst == "problem" else 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "doctor", help="check screen capture, devices, system audio, models and database",
        description="Check that this computer can watch a call, and say in plain words what to fix.")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--self-check", action="store_true",
                        help="prove the installation works: verify every model, build every session, analyse a "
                             "generated clip, migrate a temporary database, sign and verify an audit record")
    parser.add_argument("--no-camera", action="store_true",
                        help="skip the camera check (opening a camera may light its LED)")
    parser.add_argument("--db", metavar="URL", default=None,
                        help="database URL (default: $CALLSHIELD_DB, else SQLite in the data directory)")
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="data directory (default: $CALLSHIELD_DATA_DIR or the per-user data directory)")
    parser.set_defaults(func=run)
