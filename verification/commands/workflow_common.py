"""Shared plumbing for the workflow commands (request, policy, directory, users, audit, db):
the database and data-directory options, building the Context, logging in without a terminal,
reading secrets, and printing text or JSON."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

from verification.audit.keys import SigningKey, read_private_key
from verification.commands.argv_secrets import guard_options
from verification.errors import AuthError
from verification.store.clock import Clock, utc_now
from verification.store.database import open_database
from verification.store.server_clock import database_clock
from verification.store.location import resolve_data_dir, resolve_db_url
from verification.trust.root import RootPins
from verification.workflow.context import Context
from verification.workflow.installations import installation_audit_log
from verification.workflow.roles import User
from verification.workflow.secrets_hash import SlowHasher
from verification.workflow.users import authenticate, authenticate_os_account

USER_ENV = "CALLSHIELD_USER"
PASSWORD_ENV = "CALLSHIELD_PASSWORD"
CREDENTIALS_ENV = "CALLSHIELD_CREDENTIALS"
ADMIN_KEY_ENV = "CALLSHIELD_ADMIN_KEY"
KEY_PASSPHRASE_ENV = "CALLSHIELD_KEY_PASSPHRASE"


def common_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--db", metavar="URL", default=None,
                        help="database URL (default: $CALLSHIELD_DB, else SQLite in the data directory); "
                             "postgresql://user@host/db for an organisation")
    parent.add_argument("--data-dir", metavar="DIR", default=None,
                        help="data directory (default: $CALLSHIELD_DATA_DIR or the per-user data directory)")
    parent.add_argument("--json", action="store_true", help="print JSON")
    parent.add_argument("--credentials", metavar="FILE", default=None,
                        help="file with the user name on the first line and the password on the second "
                             "(default: $CALLSHIELD_CREDENTIALS, else $CALLSHIELD_USER/$CALLSHIELD_PASSWORD)")
    parent.add_argument("--os-login", action="store_true",
                        help="log in as the CallShield user mapped to this operating-system account")
    guard_options(parent)  # --password X, --code X...: refused, never taken from argv
    return parent


@contextmanager
def open_context(args: argparse.Namespace, environ: Mapping[str, str] | None = None,
                 local_clock: Clock = utc_now) -> Iterator[Context]:
    """`local_clock` is this machine's clock, used only where the database has no clock of its own (SQLite)."""
    env = os.environ if environ is None else environ
    data_dir = resolve_data_dir(args.data_dir, env)
    database = open_database(resolve_db_url(args.db, env, data_dir))
    try:
        clock = database_clock(database, local_clock)
        pins = RootPins.in_data_dir(data_dir)
        yield Context(database, installation_audit_log(data_dir, clock, pins), clock, SlowHasher(), pins)
    finally:
        database.dispose()


def data_dir_of(args: argparse.Namespace) -> Path:
    return resolve_data_dir(args.data_dir, os.environ)


def _credentials_file(path: str) -> tuple[str, str]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AuthError(f"cannot read credentials file {path}: {error.strerror}") from error
    if len(lines) < 2 or not lines[0].strip():
        raise AuthError(f"credentials file {path} must hold the user name, then the password, on two lines")
    return lines[0].strip(), lines[1]


def login(ctx: Context, args: argparse.Namespace) -> User:
    if getattr(args, "os_login", False):
        import pwd  # POSIX only; the real uid, not $USER, which anyone can set

        return authenticate_os_account(ctx, pwd.getpwuid(os.getuid()).pw_name)
    file = args.credentials or os.environ.get(CREDENTIALS_ENV)
    if file:
        name, password = _credentials_file(file)
        return authenticate(ctx, name, password)
    name = os.environ.get(USER_ENV)
    if not name:
        raise AuthError(f"no credentials: set {USER_ENV} and {PASSWORD_ENV}, or pass --credentials FILE")
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise AuthError(f"{PASSWORD_ENV} is not set and there is no terminal to ask for it")
        password = getpass.getpass(f"CallShield password for {name}: ")
    return authenticate(ctx, name, password)


def read_secret(file: str | None, env_name: str, prompt: str) -> str:
    """A new password or phrase: from a file, then the environment, then a terminal prompt."""
    if file:
        try:
            return Path(file).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as error:
            raise AuthError(f"cannot read a secret from {file}") from error
    value = os.environ.get(env_name)
    if value:
        return value
    if not sys.stdin.isatty():
        raise AuthError(f"no secret given: set {env_name} or pass a file")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(f"{prompt} (again): ") != first:
        raise AuthError("the two entries differ")
    return first


def admin_key(path: str | None) -> SigningKey:
    chosen = path or os.environ.get(ADMIN_KEY_ENV)
    if not chosen:
        raise AuthError(f"no signing key: pass --key FILE or set {ADMIN_KEY_ENV}")
    passphrase = os.environ.get(KEY_PASSPHRASE_ENV)
    return read_private_key(Path(chosen), passphrase.encode("utf-8") if passphrase else None)


def emit(args: argparse.Namespace, value: Any, text: str) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str) if args.json else text)


def usage(parser: argparse.ArgumentParser) -> Any:
    def show(_args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return show
