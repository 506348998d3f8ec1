"""The build every per-OS spec shares: one Analysis of packaging/entry.py, two executables, one folder.

Called from a .spec file (run by PyInstaller), so PyInstaller's building blocks are importable."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PyInstaller.building.api import COLLECT, EXE, PYZ
from PyInstaller.building.build_main import Analysis
from PyInstaller.utils.hooks import collect_submodules

import bundle_plan as plan


def staged_models_dir() -> Path:
    # build.sh stages the verified models here before running PyInstaller
    return plan.ROOT / os.environ.get("CALLSHIELD_STAGED_MODELS", "build/staged-models")


def analyse(target: str, extra_hidden: tuple[str, ...] = ()) -> Analysis:
    staged = staged_models_dir()
    if not (staged / "manifest.toml").is_file():
        raise SystemExit(f"no staged models in {staged}: run packaging/build.sh, not pyinstaller directly")
    hidden = [m for pkg in plan.OWN_PACKAGES for m in collect_submodules(pkg)]
    hidden += list(plan.HIDDEN_IMPORTS) + list(extra_hidden)
    return Analysis(
        [str(plan.ENTRY)],
        pathex=[str(plan.ROOT)],
        datas=plan.as_datas(plan.all_data(staged)),
        hiddenimports=hidden,
        hookspath=[str(plan.HOOKS)],
        excludes=list(plan.EXCLUDES),
        noarchive=False,
    )


def write_contents(analysis: Analysis, out: Path) -> None:
    """What went in, for the bill of materials (packaging/sbom.py maps it to distributions)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "modules": sorted(name for name, *_ in analysis.pure),
        "binaries": sorted(dest for dest, *_ in analysis.binaries),
        "datas": sorted(dest for dest, *_ in analysis.datas),
    }, indent=1))


def executables(analysis: Analysis, pyz: Any, icon: str | None = None, desktop_console: bool = True,
                desktop_first: bool = False, **exe_options: Any) -> list[EXE]:
    """`callshield` (console) and `callshield-desktop` from the same script and libraries.

    `desktop_first`: a macOS .app launches the first executable it holds."""
    exes = []
    for name in (reversed(plan.EXECUTABLES) if desktop_first else plan.EXECUTABLES):
        console = True if name == "callshield" else desktop_console
        exes.append(EXE(pyz, analysis.scripts, [], exclude_binaries=True, name=name, debug=False,
                        strip=False, upx=False, console=console, icon=icon, **exe_options))
    return exes


def one_folder(target: str, icon: str | None = None, desktop_console: bool = True,
               extra_hidden: tuple[str, ...] = (), **exe_options: Any) -> tuple[COLLECT, list[EXE]]:
    analysis = analyse(target, extra_hidden)
    write_contents(analysis, plan.ROOT / "build" / f"bundle-contents-{target}.json")
    pyz = PYZ(analysis.pure)
    exes = executables(analysis, pyz, icon, desktop_console, desktop_first=target == "macos", **exe_options)
    folder = COLLECT(*exes, analysis.binaries, analysis.datas, strip=False, upx=False, name="callshield")
    return folder, exes
