"""Secrets never travel on the command line: argv is visible to every local user (`ps`, /proc) and
lands in shell history. Options that would carry a password, one-time code, TOTP or code phrase are
refused with one line saying how to pass it instead; codes read back on a call-back come from a file,
standard input (`-`), an environment variable, or a prompt when there is a terminal."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from verification.errors import AuthError

# (option, what it would carry)
GUARDED_OPTIONS = (("--password", "password"), ("--passphrase", "passphrase"), ("--code", "one-time code"),
                   ("--otp", "one-time code"), ("--totp", "TOTP"), ("--phrase", "code phrase"))
HOW = ("pass it in a file ({file} FILE, or {file} - for standard input), in ${env}, "
       "or type it at the prompt")
GENERAL_HOW = ("use the command's file option or environment variable (see --help), or type it at the prompt; "
               "for signing in: --credentials FILE or $CALLSHIELD_USER/$CALLSHIELD_PASSWORD")


class SecretOnArgv(argparse.Action):
    """Refuses a secret given as an option or positional value, before anything else runs."""

    def __init__(self, option_strings: Sequence[str], dest: str, what: str = "secret", how: str = GENERAL_HOW,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, **kwargs)
        self.what = what
        self.how = how

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        if values is None or values == []:
            return  # an optional positional that was not given
        raise AuthError(f"refused: a {self.what} on the command line is visible to other users of this machine; "
                        f"{self.how}")


def guard_options(parser: argparse.ArgumentParser) -> None:
    """Hidden options that refuse `--password X`, `--code X` and the like instead of taking them."""
    for option, what in GUARDED_OPTIONS:
        parser.add_argument(option, action=SecretOnArgv, what=what, help=argparse.SUPPRESS, dest=f"_refused_{what}",
                            default=None)


def add_code_input(parser: argparse.ArgumentParser, what: str, file_option: str, env_name: str) -> None:
    """`file_option` FILE|- and `env_name` for a code read back; a positional code is refused."""
    how = HOW.format(file=file_option, env=env_name)
    parser.add_argument(file_option, metavar="FILE", help=f"read the {what} from FILE (- for standard input; "
                                                          f"default: ${env_name}, else ask)")
    parser.add_argument("code", nargs="?", action=SecretOnArgv, what=what, how=how, help=argparse.SUPPRESS)


def read_code(file: str | None, env_name: str, what: str) -> str:
    """A code read back on a call: from FILE or standard input, the environment, or a terminal prompt."""
    if file == "-":
        line = sys.stdin.readline()
        if not line.strip():
            raise AuthError(f"no {what} on standard input")
        return line.strip()
    if file:
        try:
            lines = Path(file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise AuthError(f"cannot read the {what} from {file}") from error
        if not lines or not lines[0].strip():
            raise AuthError(f"{file} holds no {what} on its first line")
        return lines[0].strip()
    value = os.environ.get(env_name)
    if value:
        return value
    if not sys.stdin.isatty():
        raise AuthError(f"no {what} given: pass a file, - for standard input, or set ${env_name}")
    return getpass.getpass(f"{what}: ")
