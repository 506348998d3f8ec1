"""`callshield` command line: the composition root for the CLI.

Each subcommand lives in `verification/commands/<name>.py` and exposes `register(subparsers)`,
which adds its parser and sets `func(args) -> int`. Errors that are CallShieldError print as one
line and give exit status 2; nothing reaches the user as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from verification import __version__
from verification.errors import CallShieldError

COMMAND_MODULES = ("analyze", "models", "eval", "calibrate", "doctor", "pulse", "request", "policy", "directory", "users", "audit", "db")


class _OneLineParser(argparse.ArgumentParser):
    """Refusals stay on one line: argparse echoes the offending argument, which may hold a line break."""

    def error(self, message: str) -> NoReturn:
        flat = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)
        super().error(flat)


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="callshield", description="CallShield: local call verification engine")
    parser.add_argument("--version", action="version", version=f"callshield {__version__}")
    parser.add_argument(
        "--model-dir",
        metavar="DIR",
        default=None,
        help="directory holding model files (default: $CALLSHIELD_MODEL_DIR or the per-user model directory)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"verification.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"verification.commands.{name}":
                continue  # command not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)  # may refuse a secret given on the command line (one line)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except CallShieldError as exc:
        print(f"callshield: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("callshield: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
