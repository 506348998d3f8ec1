"""Run self-check parts in order; the first failure becomes one line naming the part."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from verification.self_check.parts import Part, SelfCheckState


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def run_self_check(parts: Sequence[Part], model_dir: Path, say: Callable[[str], None],
                   fail: Callable[[str], None]) -> int:
    """0 when every part passed; 1 after `fail` got one line "PART: what went wrong"."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="callshield-self-check-") as work:
        state = SelfCheckState(model_dir=model_dir, work_dir=Path(work))
        for part in parts:
            t0 = time.perf_counter()
            try:
                found = part.run(state)
            except Exception as exc:  # noqa: BLE001 - any failure is a finding, reported as one line
                fail(f"self-check failed: {part.name}: {_one_line(exc)}")
                return 1
            say(f"ok  {part.name:<9} {found} [{time.perf_counter() - t0:.1f} s]")
    say(f"self-check passed in {time.perf_counter() - started:.1f} s")
    return 0
