"""Terminal progress for long work (analysing recordings, fetching models), on stderr."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Callable

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn


class FileProgress:
    """One bar per file, advanced in media seconds; prints errors without breaking the bar."""

    def __init__(self, enabled: bool) -> None:
        self._console = Console(stderr=True)
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                  TextColumn("{task.completed:.1f}/{task.total:.1f} s"), TimeRemainingColumn(),
                                  console=self._console, transient=True) if enabled else None

    def __enter__(self) -> "FileProgress":
        if self._progress:
            self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress:
            self._progress.stop()

    def callback(self, label: str) -> Callable[[float, float | None], None]:
        if self._progress is None:
            return lambda done, total: None
        progress = self._progress
        task: TaskID = progress.add_task(label, total=None)

        def update(done: float, total: float | None) -> None:
            progress.update(task, completed=done, total=total)

        return update

    def print_error(self, line: str) -> None:
        if self._progress:
            self._progress.console.print(line, markup=False, highlight=False, style="red")
        else:
            print(line, file=sys.stderr)

    def print_info(self, line: str) -> None:
        if self._progress:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=sys.stderr)
