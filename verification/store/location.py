"""Where the data lives: the per-user data directory and the database URL (flag, environment, default)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from platformdirs import user_data_dir

from verification.errors import StoreError

DB_ENV = "CALLSHIELD_DB"
DATA_DIR_ENV = "CALLSHIELD_DATA_DIR"


def data_dir_path(explicit: str | None, environ: Mapping[str, str]) -> Path:
    """Where the data directory is, without creating it."""
    raw = explicit or environ.get(DATA_DIR_ENV) or user_data_dir("callshield", appauthor=False)
    return Path(raw).expanduser()


def resolve_data_dir(explicit: str | None, environ: Mapping[str, str]) -> Path:
    """The directory for the SQLite file and the installation's audit signing key (created 0700)."""
    path = data_dir_path(explicit, environ)
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            path.chmod(0o700)  # the signing key and the database sit here: owner only
    except OSError as error:
        raise StoreError(f"cannot use data directory {path}: {error.strerror or error}") from error
    return path


def resolve_db_url(explicit: str | None, environ: Mapping[str, str], data_dir: Path) -> str:
    """`--db` wins, then $CALLSHIELD_DB, then SQLite in the data directory."""
    url = explicit or environ.get(DB_ENV)
    if not url:
        return f"sqlite:///{data_dir / 'callshield.db'}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3 is the driver this project ships with; plain URLs would pick psycopg2.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url
