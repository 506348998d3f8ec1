"""Where model files live: one rule shared by the CLI, the desktop app and the tests."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from platformdirs import user_data_dir

ENV_VAR = "CALLSHIELD_MODEL_DIR"


def bundled_model_dir() -> Path | None:
    """The model folder inside a frozen (PyInstaller) app, None when running from a checkout.

    A packaged app carries its verified models and their manifest; they are checked again at every start."""
    if not getattr(sys, "frozen", False):
        return None
    return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "models"


def default_model_dir() -> Path:
    bundled = bundled_model_dir()
    if bundled is not None:
        return bundled
    # Per-user, not per-install: weights are fetched once and survive app upgrades.
    # appauthor=False avoids a doubled "callshield/callshield" folder on Windows.
    return Path(user_data_dir("callshield", appauthor=False)) / "models"


def resolve_model_dir(cli_value: str | None, environ: Mapping[str, str]) -> Path:
    """--model-dir wins, then $CALLSHIELD_MODEL_DIR, then the app's own models (frozen) or the per-user directory."""
    if cli_value:
        return Path(cli_value).expanduser()
    env_value = environ.get(ENV_VAR, "").strip()
    if env_value:
        return Path(env_value).expanduser()
    return default_model_dir()
