"""What goes into the frozen app, as plain data the specs read and the fast test checks.

No PyInstaller import here: tests/packaging checks that every module resolves and every data
file exists without running a build."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
ENTRY = PACKAGING / "entry.py"
HOOKS = PACKAGING / "hooks"
ICON_SVG = PACKAGING / "assets" / "callshield.svg"
ICON_PNG = PACKAGING / "assets" / "callshield.png"

APP_NAME = "CallShield"
BUNDLE_ID = "org.callshield.desktop"
EXECUTABLES = ("callshield", "callshield-desktop")  # same program; its name picks CLI or window

#: our packages: every submodule goes in (the CLI imports its commands by name)
OWN_PACKAGES = ("verification", "desktop")

#: imported by name at run time, so the import graph cannot see them
HIDDEN_IMPORTS = (
    "psycopg_binary",  # psycopg picks its compiled implementation at import time
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "alembic.runtime.migration",
    "alembic.ddl.sqlite",
    "alembic.ddl.postgresql",
    "mako.template",  # alembic renders script.py.mako only for new revisions; kept for `alembic` parity
)

#: never in the bundle: training, conversion and developer tools (piper-tts is GPL: training only)
EXCLUDES = (
    "torch", "torchaudio", "piper", "piper_tts", "pyworld", "librosa", "numba", "llvmlite",
    "tflite", "tflite2onnx", "matplotlib", "tkinter", "IPython", "pytest", "pytestqt", "importlinter",
    "PyInstaller", "hypothesis",  # a test tool some packages import only if it is installed
)

#: Qt platform plugins the app must carry: xcb for desktops, offscreen for --self-check and servers
QT_PLATFORM_PLUGINS = {"linux": ("xcb", "offscreen", "wayland"), "windows": ("windows", "offscreen"),
                       "macos": ("cocoa", "offscreen")}


def source_data(root: Path = ROOT) -> list[tuple[Path, str]]:
    """(file, folder inside the bundle) for the package data the code reads at run time."""
    migrations = root / "verification" / "store" / "migrations"
    files = [
        (root / "verification" / "report" / "report.schema.json", "verification/report"),
        # Alembic reads migration scripts from disk (script_location "verification.store:migrations")
        (migrations / "env.py", "verification/store/migrations"),
        (migrations / "__init__.py", "verification/store/migrations"),
        (migrations / "script.py.mako", "verification/store/migrations"),
    ]
    files += [(p, "verification/store/migrations/versions") for p in sorted((migrations / "versions").glob("*.py"))]
    return files


def model_data(staged_models: Path) -> list[tuple[Path, str]]:
    """The verified models and their notices (packaging/stage_models.py), in the bundle's models/ folder.

    models/manifest.toml sits where the code looks for it in a checkout (two folders above
    verification/inference), so the frozen app reads the same manifest it verifies against."""
    return [(p, "models") for p in sorted(staged_models.iterdir()) if p.is_file()]


def all_data(staged_models: Path, root: Path = ROOT) -> list[tuple[Path, str]]:
    return source_data(root) + model_data(staged_models)


def as_datas(files: list[tuple[Path, str]]) -> list[tuple[str, str]]:
    """PyInstaller's `datas` form."""
    return [(str(src), dest) for src, dest in files]
