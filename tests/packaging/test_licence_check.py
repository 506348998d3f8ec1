"""The build's licence gate on crafted component lists: GPL-only and training-only packages stop it;
dual-licensed, LGPL and GPL-with-exception components pass."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))

from licence_check import Component, gpl_only, licence_problems  # noqa: E402


def test_a_clean_bundle_passes() -> None:
    components = [
        Component("numpy", "2.1.0", ("BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0",)),
        Component("PySide6_Essentials", "6.11.0", ("LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only",)),
        Component("psycopg", "3.2.0", ("LGPL-3.0-only",)),
        Component("pycountry", "24.6.1", ("GNU Lesser General Public License v2 (LGPLv2)",)),
        Component("pyinstaller-bootloader", "6.22.3", ("GPL-2.0-or-later WITH Bootloader-exception",)),
        Component("pyinstaller-hooks-contrib", "2026.9", ("Apache Software License", "GNU General Public License v2 (GPLv2)")),
        Component("cryptography", "44.0.0", ("Apache-2.0 OR BSD-3-Clause",)),
        Component("mystery", "1.0", ("unknown",)),
    ]
    assert licence_problems(components) == []


def test_gpl_only_packages_fail_the_build() -> None:
    components = [
        Component("numpy", "2.1.0", ("BSD-3-Clause",)),
        Component("espeakng-wrapper", "1.0", ("GPL-3.0-or-later",)),
        Component("agpl-thing", "0.1", ("GNU Affero General Public License v3",)),
        Component("classifier-gpl", "2.0", ("GNU General Public License v3 (GPLv3)",)),
    ]
    assert licence_problems(components) == [
        "espeakng-wrapper 1.0: GPL-only licence (GPL-3.0-or-later) in the bundle",
        "agpl-thing 0.1: GPL-only licence (GNU Affero General Public License v3) in the bundle",
        "classifier-gpl 2.0: GPL-only licence (GNU General Public License v3 (GPLv3)) in the bundle",
    ]


def test_training_only_packages_fail_whatever_their_metadata_says() -> None:
    problems = licence_problems([Component("piper_tts", "1.8.0", ("MIT",)), Component("torch", "2.13.0", ("BSD-3-Clause",))])
    assert problems == ["piper_tts 1.8.0: training-only package in the bundle",
                        "torch 2.13.0: training-only package in the bundle"]


def test_alternatives_are_read_from_expressions_and_classifier_lists() -> None:
    assert gpl_only(Component("a", "1", ("GPL-2.0-only OR GPL-3.0-only",)))
    assert not gpl_only(Component("b", "1", ("GPL-3.0-only OR MIT",)))
    assert not gpl_only(Component("c", "1", ("GPL-2.0-only WITH Classpath-exception-2.0",)))
    assert not gpl_only(Component("d", "1", ()))
