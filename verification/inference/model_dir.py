"""Where model files live: one rule shared by the CLI, the desktop app and the tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from platformdirs import user_data_dir

ENV_VAR = "CALLSHIELD_MODEL_DIR"


def default_model_dir() -> Path:
    # Per-user, not per-install: weights are fetched once and survive app upgrades.
    # appauthor=False avoids a doubled "callshield/callshield" folder on Windows.
    return Path(user_data_dir("callshield", appauthor=False)) / "models"


def resolve_model_dir(cli_value: str | None, environ: Mapping[str, str]) -> Path:
    """--model-dir wins, then $CALLSHIELD_MODEL_DIR, then the per-user data directory."""
    if cli_value:
        return Path(cli_value).expanduser()
    env_value = environ.get(ENV_VAR, "").strip()
    if env_value:
        return Path(env_value).expanduser()
    return default_model_dir()
