"""Qt binding releases the app cannot run on, checked before the first window opens."""

from __future__ import annotations

import sys
from typing import Sequence


def binding_problem(pyside_version: Sequence[object], python_version: Sequence[object] | None = None) -> str | None:
    """One line saying why this PySide6 cannot be used here, or None.

    PySide6 6.12.0 returns None and True from Qt calls and signal emits without taking a reference.
    From Python 3.12 those objects are immortal and nothing happens; on 3.11 every call to a
    void Qt method drops one reference to None, and the interpreter aborts after a few thousand
    calls ("bool_dealloc" / "none_dealloc"): seconds to minutes into a watched call.
    """
    python = tuple(sys.version_info[:2]) if python_version is None else tuple(python_version[:2])
    if tuple(pyside_version[:3]) == (6, 12, 0) and python < (3, 12):
        return ("PySide6 6.12.0 crashes on Python 3.11 (it loses references to None and True); install "
                "another release: pip install 'pyside6-essentials>=6.7,!=6.12.0'")
    return None
