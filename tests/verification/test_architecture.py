"""The engine stays Qt-free: the import-linter contracts in pyproject.toml must hold."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    done = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" in done.stdout and "0 broken" in done.stdout


def test_no_qt_import_in_engine_sources() -> None:
    # a second, plain check that also covers lazy imports inside functions
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "verification").rglob("*.py")
                 if any(line.lstrip().startswith(("import PySide6", "from PySide6", "import PyQt", "from PyQt"))
                        for line in p.read_text(encoding="utf-8").splitlines())]
    assert offenders == []
