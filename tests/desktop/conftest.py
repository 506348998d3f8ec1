"""Desktop tests: real widgets offscreen, the real engine on real media (GRID clips), fresh
settings per test. Models are loaded once per run (the face pipeline takes a while to build)."""

from __future__ import annotations

import os

# Real Qt widgets, no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Iterator  # noqa: E402

import pytest  # noqa: E402

from desktop.controllers.engine_factory import EngineFactory  # noqa: E402
from desktop.qt_binding import binding_problem  # noqa: E402
from tests.media import GRID_DIR  # noqa: E402
from verification.detectors.registry import DetectorRegistry  # noqa: E402
from verification.pipeline.runner import EngineConfig  # noqa: E402

#: fast: recordings as fast as the machine allows, lossless (each test run gives the same frames)
FAST = EngineConfig()
#: like a live call: paced to real time, newest frame wins
LIVE = EngineConfig(realtime=True, lossless=False)


@pytest.fixture(autouse=True)
def _tasks_end_with_their_test() -> Iterator[None]:
    """A page's task still running after its test would deliver its result to widgets already
    deleted, inside the next test (a crash under load): wait for them, then let Qt deliver. Python's
    cyclic garbage collector runs only here, between tests with no worker thread left: collecting
    earlier tests' Qt wrappers while a live call's threads run crashed the interpreter twice in CI-like
    runs (a PySide6 teardown hazard, seen only with several hundred tests' widgets in one process)."""
    import gc
    import threading

    from PySide6.QtWidgets import QApplication

    gc.disable()
    try:
        yield
        for thread in threading.enumerate():
            if thread.name.startswith("callshield-desktop-") and thread.name != "callshield-desktop-session" \
                    and thread is not threading.current_thread():
                thread.join(60)
        lingering = [t for t in threading.enumerate() if t.name == "callshield-change-wakeup"]
        for thread in lingering:  # its window was closed: it ends within a quarter second
            thread.join(5)
        assert not [t for t in lingering if t.is_alive()], "a change listener outlived its window"
        app = QApplication.instance()
        if app is not None:
            app.processEvents()
    finally:
        gc.enable()
    gc.collect()


@pytest.fixture(autouse=True)
def _usable_binding() -> None:
    import PySide6

    problem = binding_problem(PySide6.__version_info__)
    if problem:
        pytest.fail(problem)


@pytest.fixture(scope="session")
def analyzer() -> Any:
    from verification.composition import build_analyzer

    return build_analyzer(None, FAST, warn=lambda _line: None)


@pytest.fixture
def grid_clip() -> Path:
    clip = GRID_DIR / "bbaf2n.mpg"
    if not clip.is_file():
        pytest.skip(f"shared GRID clip missing: {clip}")
    return clip


@pytest.fixture
def make_factory(analyzer: Any) -> Callable[..., EngineFactory]:
    """An engine factory on the shared models; `detectors` replaces the registry's factories."""

    def make(config: EngineConfig = FAST, detectors: dict[str, Callable[[Any], Any]] | None = None) -> EngineFactory:
        parts = analyzer if detectors is None else replace(analyzer, registry=DetectorRegistry(dict(detectors)))
        return EngineFactory(lambda _warn: parts, config)

    return make


@pytest.fixture
def settings_path(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "desktop.ini"
